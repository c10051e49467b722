//! How the data layer's failures become the studio's HTTP errors: the only place
//! that knows both [`DbError`] and [`StudioError`]. A statement PostgreSQL refused
//! keeps its SQLSTATE, message and position ([`DbFailure`]); anything else from
//! sqlx (a lost connection, a decoding bug) is internal and logged.

use crate::db::error::DbError;
use crate::db::failure::DbFailure;
use crate::diagram::scope::ScopeError;
use crate::error::StudioError;

/// What the user is told for each refusal of the data layer: the status comes
/// from the [`StudioError`] variant, the message from [`DbError`]'s `Display`.
impl From<DbError> for StudioError {
    fn from(err: DbError) -> StudioError {
        let message = err.to_string();
        match err {
            DbError::Postgres(source) => StudioError::from(source),
            DbError::ReadOnly { .. } | DbError::UnsafeLogin { .. } => StudioError::Forbidden(message),
            DbError::CatalogChanged { .. } | DbError::MigrationsUnread(_) | DbError::History(_) => {
                StudioError::Internal(message)
            }
            DbError::NotATable { .. }
            | DbError::NoPrimaryKey { .. }
            | DbError::NoSuchColumn { .. }
            | DbError::NoSortColumn { .. }
            | DbError::GeneratedColumn { .. }
            | DbError::Unsortable { .. }
            | DbError::FilterMismatch { .. }
            | DbError::KeyIsNotPrimary
            | DbError::NoRowKey
            | DbError::KeyNotUnique
            | DbError::EditMissed { .. }
            | DbError::CursorDoesNotFit
            | DbError::CursorHasNull
            | DbError::NoStatement
            | DbError::CopyInConsole
            | DbError::ConsoleCannotFollow { .. }
            | DbError::UnknownFilterOperator { .. }
            | DbError::UnknownSortDirection { .. }
            | DbError::MalformedCursor
            | DbError::NotANumber { .. } => StudioError::BadRequest(message),
        }
    }
}

/// A diagram's query string the studio cannot draw: the user's to fix.
impl From<ScopeError> for StudioError {
    fn from(err: ScopeError) -> StudioError {
        StudioError::BadRequest(err.to_string())
    }
}

impl From<sqlx::Error> for StudioError {
    fn from(err: sqlx::Error) -> Self {
        match DbFailure::from_sqlx(&err) {
            Some(failure) => StudioError::Database(failure),
            None => StudioError::Internal(err.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;

    use super::*;

    #[test]
    fn refusals_keep_their_status_and_message() {
        let read_only = StudioError::from(DbError::ReadOnly { action: "edit rows" });
        assert_eq!(read_only.status_code(), StatusCode::FORBIDDEN);
        assert_eq!(read_only.to_string(), "the studio is read-only; start it with --write to edit rows");
        let missed = StudioError::from(DbError::EditMissed { rows: 0 });
        assert_eq!(missed.status_code(), StatusCode::BAD_REQUEST);
        assert!(missed.to_string().starts_with("no row matched"));
        let several = StudioError::from(DbError::EditMissed { rows: 2 });
        assert_eq!(several.to_string(), "2 rows matched; nothing was written");
        let changed = StudioError::from(DbError::CatalogChanged { relation: "a.b".into(), column: "c".into() });
        assert_eq!(changed.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn a_lost_connection_is_internal() {
        let err = StudioError::from(DbError::Postgres(sqlx::Error::PoolTimedOut));
        assert_eq!(err.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
