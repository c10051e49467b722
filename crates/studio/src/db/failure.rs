//! A PostgreSQL error as the studio shows it: SQLSTATE, message, detail, hint and
//! the position in the statement.

use std::fmt;

use sqlx::postgres::PgDatabaseError;

/// What PostgreSQL said when it refused a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbFailure {
    pub code: String,
    pub message: String,
    pub detail: Option<String>,
    pub hint: Option<String>,
    /// 1-based character position in the statement, when PostgreSQL gave one.
    pub position: Option<usize>,
}

impl DbFailure {
    /// The PostgreSQL error inside `err`, if it is one.
    pub fn from_sqlx(err: &sqlx::Error) -> Option<DbFailure> {
        let db = err.as_database_error()?;
        let pg = db.try_downcast_ref::<PgDatabaseError>()?;
        let position = match pg.position() {
            Some(sqlx::postgres::PgErrorPosition::Original(p)) => Some(p),
            _ => None,
        };
        Some(DbFailure {
            code: pg.code().to_owned(),
            message: pg.message().to_owned(),
            detail: pg.detail().map(str::to_owned),
            hint: pg.hint().map(str::to_owned),
            position,
        })
    }

    /// Errors in what the user asked for (bad value, bad SQL, a write while
    /// read-only, a timeout) rather than in the studio or the server.
    pub fn is_users_fault(&self) -> bool {
        matches!(
            &self.code[..2.min(self.code.len())],
            "22" | "23" | "25" | "42" | "0A" | "21" | "2B" | "40" | "55" | "57"
        )
    }
}

impl fmt::Display for DbFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (SQLSTATE {})", self.message, self.code)
    }
}
