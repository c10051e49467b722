//! Authentication mechanics: password hashing, session tokens and their cookie, phone
//! codes and how they are delivered, rate limits on attempts. No HTTP routing and no SQL here.

pub mod cookie;
pub mod login_limits;
pub mod password_hasher;
pub mod phone_code;
pub mod sender;
pub mod session_token;
pub mod throttle;

pub use login_limits::{LoginAttempt, LoginLimits, Refusal};
pub use password_hasher::{PasswordHashError, PasswordHasher};
pub use sender::{LogSender, SendError, Sender};
pub use session_token::SessionToken;
pub use throttle::{ClientKey, RateLimit, Throttle};
