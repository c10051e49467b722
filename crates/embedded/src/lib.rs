//! A private PostgreSQL cluster for development, made from the server binaries installed on
//! the machine: what every strata command uses when no database URL is configured, in place
//! of `docker compose up -d`.
//!
//! ```no_run
//! let cluster = strata_embedded::Cluster::new(".strata");
//! let started = cluster.start()?; // initdb on first use, then start; idempotent
//! println!("{}", started.url);   // postgres://strata:<password>@127.0.0.1:<port>/strata
//! # Ok::<(), strata_embedded::Error>(())
//! ```
//!
//! The cluster listens on 127.0.0.1 only, on a free port kept from one start to the next, with
//! the superuser `strata` and a random password kept in a 0600 file in the state directory.
//! It is tuned for speed over durability (`fsync=off`). Run as root (containers, CI), the
//! server runs as an unprivileged user, since PostgreSQL refuses root.
//!
//! Unix only: it relies on file modes, ownership and `postmaster.pid` semantics.

mod binaries;
mod cluster;
mod error;
mod layout;
mod lock;
mod password;
mod pidfile;
mod port;
mod privilege;
mod process;
mod server_log;
mod settings;
mod state_file;

pub use binaries::{Binaries, Search, Version, find_binaries};
pub use cluster::{Cluster, Started, Status};
pub use error::Error;
pub use privilege::{DEFAULT_PG_USER, PG_USER_ENV};
pub use settings::{DATABASE, SUPERUSER, with_database};
