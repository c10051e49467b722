//! A scratch database on the target's server, created for one command and
//! dropped afterwards (`verify`, `drift`).

use anyhow::{Context as _, Result};
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection};

use crate::output::Output;

/// A database made for one run; call [`Scratch::drop`] when done.
pub struct Scratch {
    pub name: String,
    base: PgConnectOptions,
    admin: PgConnection,
}

impl Scratch {
    /// Creates `strata_<purpose>_<pid>_<random>` on the server of `url`.
    pub async fn create(url: &str, purpose: &str) -> Result<Scratch> {
        let base: PgConnectOptions = url.parse().context("parsing the database URL")?;
        let app = format!("strata {purpose}");
        let mut admin = PgConnection::connect_with(&base.clone().application_name(&app))
            .await
            .with_context(|| format!("connecting to {}", crate::config::redact(url)))?;
        let name = format!("strata_{purpose}_{}_{:08x}", std::process::id(), rand_suffix());
        sqlx::raw_sql(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut admin)
            .await
            .context("creating the scratch database (the role needs CREATEDB)")?;
        Ok(Scratch { name, base, admin })
    }

    /// A connection to the scratch database.
    pub async fn connect(&self, purpose: &str) -> Result<PgConnection> {
        PgConnection::connect_with(
            &self.base.clone().database(&self.name).application_name(&format!("strata {purpose}")),
        )
        .await
        .context("connecting to the scratch database")
    }

    /// Drops the database (warning, not failing, when that is refused).
    pub async fn drop(mut self, out: &Output) {
        let dropped = sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name))
            .execute(&mut self.admin)
            .await;
        if let Err(err) = dropped {
            out.warn(format!("could not drop the scratch database {}: {err}", self.name));
        }
    }
}

fn rand_suffix() -> u32 {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    nanos ^ std::process::id().rotate_left(16)
}
