//! The handlers, one module per resource. Each carries its OpenAPI description.

pub mod auth;
pub mod docs;
pub mod fallback;
pub mod health;
pub mod items;
pub mod phone;
pub mod reference;
