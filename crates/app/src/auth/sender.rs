//! Delivery of phone verification codes.

use std::future::Future;
use std::pin::Pin;

use crate::domain::{PhoneNumber, VerificationCode};

/// Why a code could not be delivered.
#[derive(Debug, thiserror::Error)]
#[error("could not send the verification code: {0}")]
pub struct SendError(pub String);

/// Sends a verification code to a phone number (an SMS gateway in production).
pub trait Sender: Send + Sync + 'static {
    /// Delivers `code` to `phone`.
    fn send_code<'a>(
        &'a self,
        phone: &'a PhoneNumber,
        code: &'a VerificationCode,
    ) -> Pin<Box<dyn Future<Output = Result<(), SendError>> + Send + 'a>>;
}

/// The development sender: writes the code to the log (target `strata_app::sms`) so a
/// developer can read it off the console.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogSender;

impl Sender for LogSender {
    fn send_code<'a>(
        &'a self,
        phone: &'a PhoneNumber,
        code: &'a VerificationCode,
    ) -> Pin<Box<dyn Future<Output = Result<(), SendError>> + Send + 'a>> {
        tracing::info!(target: "strata_app::sms", phone = %phone, code = code.expose(), "verification code (development sender: not sent)");
        Box::pin(std::future::ready(Ok(())))
    }
}
