//! The JSON shapes of requests and responses, as the OpenAPI document shows them.
//!
//! Responses are built from models. Each request body is declared once here: the struct
//! gives its OpenAPI schema, deserializes it (every key a [`Field`](crate::domain::Field)),
//! and is checked into its domain type by that type's [`FromBody`](crate::domain::FromBody)
//! implementation, below it, reporting every issue at once.

pub mod auth;
pub mod item;
pub mod phone;
pub mod reference;
pub mod timestamp;
pub mod user;

pub use auth::{LoginRequest, RegisterRequest};
pub use item::{CreateItemRequest, ItemPage, ItemResponse, Owner, UpdateItemRequest};
pub use phone::{PhoneStartRequest, PhoneStartResponse, PhoneVerifyRequest};
pub use reference::{CategoryList, LocationList};
pub use user::UserResponse;
