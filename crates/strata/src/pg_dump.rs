//! Running PostgreSQL's `pg_dump` (from the binaries the embedded database uses)
//! on a scratch database: `schema dump` and `squash` read the catalog that way.

use std::process::{Command, Stdio};

use anyhow::{Context as _, Result, bail};

/// `pg_dump --format=plain --encoding=UTF8 --no-tablespaces` of `url` with the
/// caller's further arguments; the password goes in PGPASSWORD, never on the
/// command line. `what` names the dump in an error.
pub fn run(url: &str, what: &str, args: impl FnOnce(&mut Command)) -> Result<String> {
    let bin = strata_embedded::find_binaries().context("finding PostgreSQL's client programs")?.tool("pg_dump");
    let (url, password) = crate::secrets::without_password(url);
    let mut cmd = Command::new(&bin);
    cmd.arg("--dbname").arg(url);
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    cmd.args(["--format=plain", "--encoding=UTF8", "--no-tablespaces"]);
    args(&mut cmd);
    let dumped = cmd
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .output()
        .with_context(|| format!("running {}", bin.display()))?;
    if !dumped.status.success() {
        bail!("pg_dump of {what} failed: {}", String::from_utf8_lossy(&dumped.stderr).trim());
    }
    String::from_utf8(dumped.stdout).context("pg_dump wrote text that is not UTF-8")
}

/// `name` as a `--schema`/`--table` argument: double quotes make it literal, not a pattern.
pub fn literal(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
