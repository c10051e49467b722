//! Exit statuses: 0 success, 1 an operation failed, 2 bad invocation or
//! configuration, 3 the migration set or the database is inconsistent.

use strata_migrate::ErrorClass;

pub const FAILED: u8 = 1;
pub const USAGE: u8 = 2;
pub const INCONSISTENT: u8 = 3;

/// A bad invocation or configuration (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Usage(pub String);

impl Usage {
    pub fn new(msg: impl Into<String>) -> Usage {
        Usage(msg.into())
    }
}

/// The migration set or database is inconsistent (exit 3), for findings the
/// engine does not report itself (lint errors, a status with problems).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Inconsistent(pub String);

/// The exit status for an error, from the first cause that says.
pub fn code(err: &anyhow::Error) -> u8 {
    for cause in err.chain() {
        if cause.is::<Usage>() {
            return USAGE;
        }
        if cause.is::<Inconsistent>() {
            return INCONSISTENT;
        }
        if let Some(e) = cause.downcast_ref::<strata_migrate::Error>() {
            return match e.class() {
                ErrorClass::Failed => FAILED,
                ErrorClass::Invalid => USAGE,
                ErrorClass::Inconsistent => INCONSISTENT,
            };
        }
    }
    FAILED
}
