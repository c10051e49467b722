//! How database failures become HTTP errors.
//!
//! Constraint violations that a request can cause are answered as issues on the field
//! that caused them (the constraints are named in the migrations for this); a lost
//! connection is 503; everything else is a bug, answered 500 and logged.

use std::borrow::Cow;

use super::error::ApiError;
use crate::domain::{IssueCode, Issues, Violation};

/// A constraint a client can violate, and the field that violated it.
struct Known {
    constraint: &'static str,
    field: &'static str,
    code: IssueCode,
    message: &'static str,
}

const KNOWN: &[Known] = &[
    Known {
        constraint: "user_email_key",
        field: "email",
        code: IssueCode::AlreadyExists,
        message: "An account with this email already exists",
    },
    Known {
        constraint: "user_phone_key",
        field: "phone",
        code: IssueCode::AlreadyExists,
        message: "This phone number belongs to another account",
    },
    Known {
        constraint: "items_category_id_fkey",
        field: "categoryId",
        code: IssueCode::InvalidReference,
        message: "Category does not exist",
    },
    Known {
        constraint: "items_location_id_fkey",
        field: "locationId",
        code: IssueCode::InvalidReference,
        message: "Location does not exist",
    },
];

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> ApiError {
        if is_unavailable(&err) {
            return ApiError::DatabaseUnavailable(err);
        }
        if let sqlx::Error::Database(db) = &err
            && db.code().as_deref() == Some(QUERY_CANCELED)
        {
            return ApiError::DatabaseTimeout(err);
        }
        if let sqlx::Error::Database(db) = &err {
            let code = db.code();
            let known = db.constraint().and_then(|name| KNOWN.iter().find(|k| k.constraint == name));
            match (code.as_deref(), known) {
                (Some("23505"), Some(known)) => return ApiError::Conflict(issue(known)),
                (Some("23505"), None) => {
                    let violation = Violation::new(IssueCode::AlreadyExists, "Already exists");
                    return ApiError::Conflict(Issues::one(violation.at(Vec::new())));
                }
                (Some("23503"), Some(known)) => return ApiError::Validation(issue(known)),
                _ => {}
            }
        }
        ApiError::internal(err)
    }
}

/// SQLSTATE 57014: the statement was cancelled, by the `statement_timeout` (the API
/// never cancels its own statements otherwise).
const QUERY_CANCELED: &str = "57014";

/// The issue for a violation of `constraint`, if a client can cause it.
pub fn constraint_issue(constraint: &str) -> Option<crate::domain::Issue> {
    let known = KNOWN.iter().find(|k| k.constraint == constraint)?;
    Some(Violation::new(known.code, known.message).at_key(Cow::Borrowed(known.field)))
}

fn issue(known: &Known) -> Issues {
    Issues::one(Violation::new(known.code, known.message).at_key(Cow::Borrowed(known.field)))
}

/// Whether the error means PostgreSQL cannot be reached or will not take connections,
/// rather than that the statement failed.
fn is_unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            // 08: connection exception; 57P01-03: shutting down or starting up;
            // 53300: too many connections.
            code.starts_with("08") || matches!(code.as_ref(), "57P01" | "57P02" | "57P03" | "53300")
        }),
        _ => false,
    }
}
