//! The JSON shapes of requests and responses, as the OpenAPI document shows them.
//!
//! Responses are built from models. Request types here only describe bodies for the
//! document: bodies are read by the domain types' [`FromInput`](crate::domain::FromInput)
//! implementations, and a test checks that both agree on every key.

pub mod auth;
pub mod item;
pub mod phone;
pub mod reference;
pub mod user;

pub use auth::{LoginRequest, RegisterRequest};
pub use item::{CreateItemRequest, ItemPage, ItemResponse, Owner, UpdateItemRequest};
pub use phone::{PhoneStartRequest, PhoneStartResponse, PhoneVerifyRequest};
pub use reference::{CategoryList, LocationList};
pub use user::UserResponse;
