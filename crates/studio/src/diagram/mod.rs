//! The entity-relationship diagram of all schemas: [`model`] reads it from the
//! catalog, [`layout`] places schemas as groups and tables inside them, [`svg`]
//! draws it.

pub mod layout;
pub mod model;
pub mod svg;
