//! The logins strata makes on the embedded database for its own servers, so that
//! neither the studio's console nor the development API runs as the cluster's
//! superuser: what a statement may do then comes from PostgreSQL's grants.
//!
//! Each is a `LOGIN` role with `NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION
//! NOBYPASSRLS`, a member of nothing but the group role named below, with a random
//! password kept in a 0600 file beside the superuser's
//! ([`strata_embedded::Cluster::login_password`]). Its grants are set again at each
//! start, so tables created since are covered, and grants of an earlier mode go.

use anyhow::{Context as _, Result, bail};
use sqlx::{Connection, Executor, PgConnection};

use strata_migrate::quote::ident;

use crate::config::Context;

/// What a login is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The read-only studio: a member of `strata_readonly` when the project has
    /// that role, else `USAGE` + `SELECT` on the project's schemas and tables.
    StudioReader,
    /// `strata studio --write`: `SELECT, INSERT, UPDATE, DELETE` on the tables of
    /// the project's schemas and `USAGE` on their sequences; no DDL, and the
    /// history table only to read.
    StudioWriter,
    /// The API of `strata dev`: a member of `strata_app`.
    DevApi,
}

impl Purpose {
    /// The login's name.
    pub fn login(self) -> &'static str {
        match self {
            Purpose::StudioReader => "strata_studio_reader",
            Purpose::StudioWriter => "strata_studio_writer",
            Purpose::DevApi => "strata_dev_api",
        }
    }

    /// The group role the login joins, if the project has it.
    fn group(self) -> Option<&'static str> {
        match self {
            Purpose::StudioReader => Some(strata_app::READONLY_ROLE),
            Purpose::StudioWriter => None,
            Purpose::DevApi => Some(strata_app::APP_ROLE),
        }
    }
}

/// The URL of the embedded database as the login for `purpose`, after creating
/// it or setting its rights again. `None` for [`Purpose::DevApi`] when the project
/// has no `strata_app` role (the caller decides what to do then).
pub async fn embedded_url(ctx: &Context, purpose: Purpose) -> Result<Option<String>> {
    let cluster = ctx.cluster();
    let started = cluster.start().context("starting the embedded database")?;
    let login = purpose.login();
    let password = cluster.login_password(login).context("keeping the login's password")?;
    let schemas = crate::schemas::project_schemas(ctx)?;
    let mut conn = ctx.connect("strata logins").await?;
    let mut attempt = 0;
    let made = loop {
        attempt += 1;
        match provision(&mut conn, purpose, &password, &schemas, &ctx.history.sql()).await {
            // Another strata process changed the same catalog rows at once: again.
            Err(err) if attempt < 5 && is_concurrent_update(&err) => continue,
            other => break other,
        }
    };
    if !made.with_context(|| format!("setting up the login {login} on the embedded database"))? {
        return Ok(None);
    }
    Ok(Some(strata_embedded::Cluster::login_url(login, &password, started.port)))
}

fn is_concurrent_update(err: &sqlx::Error) -> bool {
    err.as_database_error().and_then(|e| e.code()).is_some_and(|c| matches!(&*c, "XX000" | "23505" | "42710" | "40001"))
}

/// Creates or updates the login and its grants in one transaction; `false` when
/// its group role is needed and missing (`DevApi` without `strata_app`).
async fn provision(
    conn: &mut PgConnection,
    purpose: Purpose,
    password: &str,
    schemas: &[String],
    history: &str,
) -> Result<bool, sqlx::Error> {
    let login = purpose.login();
    let mut tx = conn.begin().await?;
    // One provisioning at a time per database; and the password never reaches the
    // server's log, even when a statement fails.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('strata:logins'))").execute(&mut *tx).await?;
    tx.execute("SET LOCAL log_min_error_statement = panic; SET LOCAL log_statement = none").await?;
    let group = match purpose.group() {
        Some(group) if role_exists(&mut tx, group).await? => Some(group),
        Some(_) if purpose == Purpose::DevApi => return Ok(false),
        _ => None,
    };
    if !role_exists(&mut tx, login).await? {
        tx.execute(&*format!("CREATE ROLE {login} LOGIN")).await?;
    }
    // The password is letters and digits only (strata_embedded), so it needs no quoting.
    debug_assert!(password.chars().all(|c| c.is_ascii_alphanumeric()));
    tx.execute(&*format!(
        "ALTER ROLE {login} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT \
         CONNECTION LIMIT 64 PASSWORD '{password}'"
    ))
    .await?;
    // Memberships of an earlier mode, or granted by hand, go.
    let members: Vec<String> = sqlx::query_scalar(
        "SELECT g.rolname::text FROM pg_catalog.pg_auth_members m
         JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
         JOIN pg_catalog.pg_roles u ON u.oid = m.member
         WHERE u.rolname = $1",
    )
    .bind(login)
    .fetch_all(&mut *tx)
    .await?;
    for member_of in members.iter().filter(|g| Some(g.as_str()) != group) {
        tx.execute(&*format!("REVOKE {} FROM {login}", ident(member_of))).await?;
    }
    let existing: Vec<String> =
        sqlx::query_scalar("SELECT nspname::text FROM pg_catalog.pg_namespace WHERE nspname = ANY($1) ORDER BY 1")
            .bind(schemas)
            .fetch_all(&mut *tx)
            .await?;
    for schema in &existing {
        let s = ident(schema);
        tx.execute(&*format!(
            "REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {login}; REVOKE ALL ON ALL SEQUENCES IN SCHEMA {s} FROM {login}; \
             REVOKE ALL ON SCHEMA {s} FROM {login}"
        ))
        .await?;
    }
    if let Some(group) = group {
        tx.execute(&*format!("GRANT {group} TO {login}")).await?;
    }
    for schema in &existing {
        let s = ident(schema);
        let grants = match (purpose, group) {
            (Purpose::StudioReader, None) => {
                format!("GRANT USAGE ON SCHEMA {s} TO {login}; GRANT SELECT ON ALL TABLES IN SCHEMA {s} TO {login}")
            }
            (Purpose::StudioWriter, _) => format!(
                "GRANT USAGE ON SCHEMA {s} TO {login}; \
                 GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {login}; \
                 GRANT USAGE ON ALL SEQUENCES IN SCHEMA {s} TO {login}"
            ),
            _ => continue,
        };
        tx.execute(&*grants).await?;
    }
    if matches!(purpose, Purpose::StudioReader | Purpose::StudioWriter) {
        // The migrations tab reads the history; nobody but the runner writes it.
        let exists: bool =
            sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL").bind(history).fetch_one(&mut *tx).await?;
        if exists {
            let schema = history.split('.').next().unwrap_or("public");
            tx.execute(&*format!(
                "REVOKE ALL ON {history} FROM {login}; GRANT SELECT ON {history} TO {login}; \
                 GRANT USAGE ON SCHEMA {schema} TO {login}"
            ))
            .await?;
        }
    }
    tx.commit().await?;
    Ok(true)
}

async fn role_exists(conn: &mut PgConnection, role: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = $1)")
        .bind(role)
        .fetch_one(conn)
        .await
}

/// Checks that a login strata made is none of what the studio refuses; a bug
/// in the grants above would otherwise hand the console a shell.
pub async fn check_safe(url: &str, write: bool) -> Result<()> {
    let mut conn = PgConnection::connect(url).await.context("connecting as the new login")?;
    let login = strata_studio::db::login::inspect(&mut conn, write).await?;
    if !login.risks.is_empty() {
        bail!("the login {} that strata made is {}: refusing to serve on it", login.login, login.risks.join(", "));
    }
    Ok(())
}
