//! Who runs the server. `initdb`, `pg_ctl` and `postgres` refuse to run as root, and
//! development containers and CI run everything as root; there the server programs run as an
//! unprivileged user (`STRATA_PG_USER`, default `postgres`) through `setpriv` or `runuser`,
//! and the directories they write are handed to that user.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::error::{Error, io_error};
use crate::process;

/// The environment variable naming the user to run PostgreSQL as when strata runs as root.
pub const PG_USER_ENV: &str = "STRATA_PG_USER";

/// The user PostgreSQL runs as when `STRATA_PG_USER` is unset; the PostgreSQL packages of
/// every major distribution create it.
pub const DEFAULT_PG_USER: &str = "postgres";

/// The identity the server programs run under.
#[derive(Debug, Clone)]
pub(crate) enum Identity {
    /// Not root: run them as ourselves.
    Current,
    /// Root: run them as `user`.
    Switched { user: String, uid: u32, gid: u32, via: Switcher },
}

/// A util-linux tool that runs a program as another user.
#[derive(Debug, Clone)]
pub(crate) enum Switcher {
    /// `setpriv --reuid --regid --init-groups`: no PAM session, no extra process. Preferred.
    Setpriv(PathBuf),
    /// `runuser -u USER --`: present wherever setpriv is missing on older systems.
    Runuser(PathBuf),
}

impl Identity {
    /// `Current` unless this process runs as root; then the user from `STRATA_PG_USER`.
    pub(crate) fn resolve() -> Result<Identity, Error> {
        if effective_uid()? != 0 {
            return Ok(Identity::Current);
        }
        let user =
            std::env::var(PG_USER_ENV).ok().filter(|u| !u.is_empty()).unwrap_or_else(|| DEFAULT_PG_USER.to_owned());
        Identity::switched(&user)
    }

    /// Running as `user` (only possible as root).
    pub(crate) fn switched(user: &str) -> Result<Identity, Error> {
        let (uid, gid) = lookup_user(user)?;
        if uid == 0 {
            return Err(Error::UserIsRoot { user: user.to_owned() });
        }
        let via = find_switcher().ok_or_else(|| Error::NoUserSwitch { user: user.to_owned() })?;
        Ok(Identity::Switched { user: user.to_owned(), uid, gid, via })
    }

    /// A command that runs `program` under this identity (see [`process::command`]).
    pub(crate) fn command(&self, program: impl AsRef<OsStr>) -> Command {
        match self {
            Identity::Current => process::command(program),
            Identity::Switched { uid, gid, via: Switcher::Setpriv(setpriv), .. } => {
                let mut cmd = process::command(setpriv);
                cmd.arg(format!("--reuid={uid}"))
                    .arg(format!("--regid={gid}"))
                    .arg("--init-groups")
                    .arg("--")
                    .arg(program);
                cmd
            }
            Identity::Switched { user, via: Switcher::Runuser(runuser), .. } => {
                let mut cmd = process::command(runuser);
                cmd.args(["-u", user, "--"]).arg(program);
                cmd
            }
        }
    }

    /// Hands `path` to this identity (no-op when it is ourselves).
    pub(crate) fn give(&self, path: &Path) -> Result<(), Error> {
        match self {
            Identity::Current => Ok(()),
            Identity::Switched { uid, gid, .. } => {
                std::os::unix::fs::chown(path, Some(*uid), Some(*gid)).map_err(io_error("change the owner of", path))
            }
        }
    }

    /// Whether this identity can reach `dir` (search permission on it and every ancestor).
    /// Asked of the system itself, by running `test -x` as that user, so ACLs, group
    /// membership and mount options all count.
    pub(crate) fn can_enter(&self, dir: &Path) -> Result<bool, Error> {
        match self {
            Identity::Current => Ok(true),
            Identity::Switched { .. } => {
                let output = process::run(self.command("test").arg("-x").arg(dir))?;
                Ok(output.status.success())
            }
        }
    }

    /// The user name, for messages.
    pub(crate) fn describe(&self) -> String {
        match self {
            Identity::Current => "the current user".to_owned(),
            Identity::Switched { user, .. } => format!("`{user}`"),
        }
    }
}

/// This process's effective user id, without `unsafe`: from `/proc/self/status` where there
/// is one (Linux), else from `id -u`.
pub(crate) fn effective_uid() -> Result<u32, Error> {
    static EUID: OnceLock<u32> = OnceLock::new();
    if let Some(uid) = EUID.get() {
        return Ok(*uid);
    }
    let uid = match std::fs::read_to_string("/proc/self/status").ok().and_then(|s| euid_from_proc_status(&s)) {
        Some(uid) => uid,
        None => {
            let output = process::run_ok(process::command("id").arg("-u"))?;
            let text = String::from_utf8_lossy(&output.stdout).trim().to_owned();
            text.parse().map_err(|_| Error::InvalidState {
                path: PathBuf::from("id -u"),
                reason: format!("printed {text:?}, not a user id"),
            })?
        }
    };
    Ok(*EUID.get_or_init(|| uid))
}

/// `Uid:\t<real>\t<effective>\t<saved>\t<fs>` → the effective one.
fn euid_from_proc_status(status: &str) -> Option<u32> {
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

/// The uid and primary gid of `user`, through `id` so that NSS (LDAP, systemd-userdb) counts.
fn lookup_user(user: &str) -> Result<(u32, u32), Error> {
    if user.starts_with('-') || user.contains(char::is_whitespace) {
        return Err(Error::UnknownUser { user: user.to_owned() });
    }
    let output = process::run(process::command("id").arg(user))?;
    if !output.status.success() {
        return Err(Error::UnknownUser { user: user.to_owned() });
    }
    let text = String::from_utf8_lossy(&output.stdout);
    parse_id_output(&text).ok_or_else(|| Error::InvalidState {
        path: PathBuf::from(format!("id {user}")),
        reason: format!("printed {:?}, not uid=... gid=...", text.trim()),
    })
}

/// `uid=101(postgres) gid=104(postgres) groups=...` → `(101, 104)`.
fn parse_id_output(text: &str) -> Option<(u32, u32)> {
    let field = |key: &str| -> Option<u32> {
        let rest = text.split_whitespace().find_map(|w| w.strip_prefix(key))?;
        rest.split('(').next()?.parse().ok()
    };
    Some((field("uid=")?, field("gid=")?))
}

fn find_switcher() -> Option<Switcher> {
    let find = |name: &str| -> Option<PathBuf> {
        let path_dirs =
            std::env::var_os("PATH").map(|p| std::env::split_paths(&p).collect::<Vec<_>>()).unwrap_or_default();
        // root's PATH normally has the sbin directories, but not under every `env -i` or sudo.
        let fallback = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"].map(PathBuf::from);
        path_dirs.into_iter().chain(fallback).map(|d| d.join(name)).find(|p| p.is_file())
    };
    find("setpriv").map(Switcher::Setpriv).or_else(|| find("runuser").map(Switcher::Runuser))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn euid_is_the_second_uid_field() {
        let status = "Name:\tcat\nUmask:\t0022\nUid:\t1000\t0\t0\t0\nGid:\t100\t100\t100\t100\n";
        assert_eq!(euid_from_proc_status(status), Some(0));
        assert_eq!(euid_from_proc_status("Name:\tx\n"), None);
    }

    #[test]
    fn id_output_gives_uid_and_primary_gid() {
        assert_eq!(
            parse_id_output("uid=101(postgres) gid=104(postgres) groups=104(postgres),103(ssl-cert)\n"),
            Some((101, 104))
        );
        assert_eq!(parse_id_output("uid=501 gid=20\n"), Some((501, 20)));
        assert_eq!(parse_id_output("no such user"), None);
    }

    #[test]
    fn effective_uid_matches_id() {
        let output = std::process::Command::new("id").arg("-u").output().unwrap();
        let expected: u32 = String::from_utf8_lossy(&output.stdout).trim().parse().unwrap();
        assert_eq!(effective_uid().unwrap(), expected);
    }

    #[test]
    fn unknown_user_is_named() {
        match lookup_user("strata-no-such-user") {
            Err(Error::UnknownUser { user }) => assert_eq!(user, "strata-no-such-user"),
            other => panic!("expected UnknownUser, got {other:?}"),
        }
        assert!(matches!(lookup_user("--help"), Err(Error::UnknownUser { .. })));
    }
}
