//! Running PostgreSQL's programs as children: output captured, failures turned into errors
//! that show the command line and what it printed.

use std::ffi::OsStr;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use crate::error::Error;

/// libpq and server variables that would redirect or alter what the children do (a `PGHOST`
/// pointing elsewhere, a `PGOPTIONS` with odd settings, a `PGDATA` for another cluster).
const INHERITED_PG_VARIABLES: &[&str] = &[
    "PGHOST",
    "PGHOSTADDR",
    "PGPORT",
    "PGDATABASE",
    "PGUSER",
    "PGPASSWORD",
    "PGPASSFILE",
    "PGSERVICE",
    "PGSERVICEFILE",
    "PGOPTIONS",
    "PGSSLMODE",
    "PGREQUIRESSL",
    "PGTARGETSESSIONATTRS",
    "PGCONNECT_TIMEOUT",
    "PGDATA",
    "PGCLIENTENCODING",
    "PGTZ",
    "PGDATESTYLE",
];

/// A command for `program`, prepared the same way for every child: no stdin, no inherited
/// libpq settings (set the ones wanted on the result), and `/` as the working directory (the
/// current one may be a directory the PostgreSQL user cannot enter, e.g. under `/root`; every
/// path passed is absolute).
pub(crate) fn command(program: impl AsRef<OsStr>) -> Command {
    let mut cmd = Command::new(program);
    for var in INHERITED_PG_VARIABLES {
        cmd.env_remove(var);
    }
    cmd.current_dir("/").stdin(Stdio::null());
    cmd
}

/// Runs `cmd` to completion and returns its output, whatever its exit status.
pub(crate) fn run(cmd: &mut Command) -> Result<Output, Error> {
    tracing::debug!(command = %describe(cmd), "running");
    cmd.output().map_err(|source| Error::Spawn { program: PathBuf::from(cmd.get_program()), source })
}

/// Runs `cmd`; a non-zero exit status is an error carrying its output.
pub(crate) fn run_ok(cmd: &mut Command) -> Result<Output, Error> {
    let output = run(cmd)?;
    check(cmd, output)
}

/// Runs `cmd` with `input` on its stdin (for scripts that must not appear on a command line).
pub(crate) fn run_ok_with_input(cmd: &mut Command, input: &str) -> Result<Output, Error> {
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    tracing::debug!(command = %describe(cmd), "running");
    let program = PathBuf::from(cmd.get_program());
    let mut child = cmd.spawn().map_err(|source| Error::Spawn { program: program.clone(), source })?;
    if let Some(mut stdin) = child.stdin.take() {
        // A child that exits early closes its stdin; its exit status says why, not this write.
        let _ = stdin.write_all(input.as_bytes());
    }
    let output = child.wait_with_output().map_err(|source| Error::Spawn { program, source })?;
    check(cmd, output)
}

fn check(cmd: &Command, output: Output) -> Result<Output, Error> {
    if output.status.success() {
        Ok(output)
    } else {
        Err(Error::CommandFailed {
            command: describe(cmd),
            status: output.status.to_string(),
            output: combined(&output),
        })
    }
}

/// stdout then stderr, as one text.
pub(crate) fn combined(output: &Output) -> String {
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    let err = String::from_utf8_lossy(&output.stderr);
    if !text.is_empty() && !err.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&err);
    text
}

/// The command line, for messages. Never contains secrets: passwords travel in files and in
/// the environment, which this does not print.
pub(crate) fn describe(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|a| {
            let a = a.to_string_lossy();
            if a.is_empty() || a.contains(char::is_whitespace) { format!("'{a}'") } else { a.into_owned() }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_carries_command_status_and_output() {
        let err = run_ok(command("sh").args(["-c", "echo out; echo err >&2; exit 3"])).unwrap_err();
        match err {
            Error::CommandFailed { command, status, output } => {
                assert_eq!(command, "sh -c 'echo out; echo err >&2; exit 3'");
                assert!(status.contains('3'), "{status}");
                assert_eq!(output, "out\nerr\n");
            }
            other => panic!("expected CommandFailed, got {other:?}"),
        }
    }

    #[test]
    fn missing_program_is_a_spawn_error() {
        assert!(matches!(run(&mut command("/nonexistent/program")), Err(Error::Spawn { .. })));
    }

    #[test]
    fn input_reaches_stdin_and_explicit_variables_survive() {
        let mut cmd = command("sh");
        cmd.args(["-c", "cat; echo \"[${PGPASSWORD-unset}]\""]).env("PGPASSWORD", "set here");
        let out = run_ok_with_input(&mut cmd, "hello\n").unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), "hello\n[set here]\n");
    }

    #[test]
    fn inherited_pg_variables_are_removed() {
        let cmd = command("true");
        let removed: Vec<_> = cmd.get_envs().filter(|(_, v)| v.is_none()).map(|(k, _)| k.to_owned()).collect();
        for var in ["PGHOST", "PGPORT", "PGOPTIONS", "PGDATA", "PGPASSWORD"] {
            assert!(removed.iter().any(|k| k == var), "{var} not removed");
        }
    }
}
