//! `strata completions SHELL` and `strata man`: generated from the same clap
//! definition that parses the command line, so they never fall behind it.

use std::io::Write as _;

use anyhow::{Context as _, Result};
use clap::CommandFactory;

use crate::args::{Cli, CompletionsArgs};

/// The completion script for one shell, on stdout.
pub fn completions(args: &CompletionsArgs) -> Result<u8> {
    let mut buf = vec![];
    clap_complete::generate(args.shell, &mut Cli::command(), "strata", &mut buf);
    write_stdout(&buf)
}

/// The manual page (roff), on stdout: every command, flag and default.
pub fn man() -> Result<u8> {
    let mut buf = vec![];
    clap_mangen::Man::new(Cli::command()).render(&mut buf).context("rendering the manual page")?;
    write_stdout(&buf)
}

fn write_stdout(bytes: &[u8]) -> Result<u8> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(0),
        // `strata man | head` closes the pipe early: not an error.
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(0),
        Err(err) => Err(err).context("writing to stdout"),
    }
}
