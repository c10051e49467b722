//! Domain types: values that are valid by construction, and the requests built from them.
//!
//! Every request body is checked by [`input::Input`] into one of these types; a value of a
//! domain type cannot hold what the rules forbid, so handlers and queries never check
//! again; every string starts as a [`Text`], which PostgreSQL can store. Problems are
//! collected, not returned at the first: see [`issue`].

pub mod credentials;
pub mod cursor;
pub mod display_name;
pub mod email;
pub mod input;
pub mod issue;
pub mod item_changes;
pub mod item_description;
pub mod item_name;
pub mod item_query;
pub mod new_item;
pub mod password;
pub mod phone_number;
pub mod phone_verification;
pub mod price_cents;
pub mod text;
pub mod verification_code;

pub use credentials::{Login, Registration};
pub use cursor::Cursor;
pub use display_name::DisplayName;
pub use email::Email;
pub use input::{Field, FromBody, Input, Patch};
pub use issue::{Issue, IssueCode, Issues, Violation};
pub use item_changes::ItemChanges;
pub use item_description::ItemDescription;
pub use item_name::ItemName;
pub use item_query::{ItemQuery, PageLimits};
pub use new_item::NewItem;
pub use password::Password;
pub use phone_number::PhoneNumber;
pub use phone_verification::{PhoneCheck, PhoneStart};
pub use price_cents::PriceCents;
pub use text::Text;
pub use verification_code::VerificationCode;
