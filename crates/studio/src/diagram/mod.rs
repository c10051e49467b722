//! The entity-relationship diagram: [`model`] reads it from the catalog, [`scope`]
//! says which part to draw (everything, some schemas, one table's neighbourhood),
//! [`layout`] places schemas as groups and tables in layers and routes the keys
//! around the boxes, [`svg`] draws it.

pub mod layout;
pub mod model;
pub mod scope;
pub mod svg;
