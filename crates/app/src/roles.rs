//! The database roles that the migration `20251124_000008_create_roles` creates, and
//! running the API as one of them.
//!
//! The rights of each role are in the README ("Roles: least privilege"). A deployment connects
//! as a login user that is a member of [`APP_ROLE`]; where the only URL at hand is a
//! superuser's (development), [`pool_options_as`] makes every pooled connection
//! `SET ROLE` first, so the API still runs with the application's rights only.

use std::sync::Arc;

use sqlx::PgConnection;
use sqlx::postgres::PgPoolOptions;

/// Owns the schemas `auth`, `master` and `app` and everything in them: the role
/// migrations run as.
pub const OWNER_ROLE: &str = "strata_owner";

/// The HTTP API: reads and writes `app`, reads `master`, and in `auth` only what
/// registration, login, sessions and phone verification need.
pub const APP_ROLE: &str = "strata_app";

/// The studio and reporting: reads `master`, `app` and the public columns of
/// `auth.user`; writes nothing.
pub const READONLY_ROLE: &str = "strata_readonly";

/// Switches the connection to `role` for the rest of the session (`SET ROLE`). The
/// login user must be a member of `role`, or a superuser.
///
/// `SET ROLE` can be undone by `RESET ROLE`, so against SQL injection only a login
/// user that is itself no more than a member of `role` is a boundary; this is for
/// running with the role's rights from a more privileged login.
pub async fn set_role(conn: &mut PgConnection, role: &str) -> Result<(), sqlx::Error> {
    // set_config('role', ...) is SET ROLE with the name as a parameter, not spliced
    // into the SQL.
    sqlx::query("SELECT pg_catalog.set_config('role', $1, false)").bind(role).execute(conn).await.map(drop)
}

/// `options` whose every new connection runs [`set_role`] before the pool hands it
/// out. Replaces any `after_connect` set on `options` before.
pub fn pool_options_as(options: PgPoolOptions, role: &str) -> PgPoolOptions {
    let role: Arc<str> = role.into();
    options.after_connect(move |conn, _meta| {
        let role = Arc::clone(&role);
        Box::pin(async move { set_role(conn, &role).await })
    })
}
