//! `strata lint` (the gate `migrate up` and `seed up` pass first is
//! [`crate::project::load_linted`]).

use std::io::IsTerminal;
use std::path::Path;

use anyhow::Result;
use strata_lint::Format;

use crate::args::LintArgs;
use crate::config::Context;
use crate::exit::{Inconsistent, Usage};
use crate::output::Output;
use crate::output::color;
use crate::project::{lint_config as config, scan};

pub fn run(ctx: &Context, out: Output, args: &LintArgs) -> Result<u8> {
    let format = match args.format.as_deref() {
        Some(f) => f.parse::<Format>().map_err(Usage::new)?,
        None if out.json => Format::Json,
        None => Format::Text,
    };
    let scan = scan(ctx)?;
    let mut report = strata_lint::lint_set(&scan, &config(ctx)?);
    if !args.paths.is_empty() {
        let wanted: Vec<_> = args.paths.iter().map(|p| absolute(ctx, p)).collect();
        for (p, w) in args.paths.iter().zip(&wanted) {
            if !w.exists() {
                return Err(Usage::new(format!("{}: no such file or folder", p.display())).into());
            }
        }
        report.retain_paths(|path| wanted.iter().any(|w| absolute(ctx, path).starts_with(w)));
    }
    let text = strata_lint::render(&report, format, format == Format::Text && color(std::io::stdout().is_terminal()));
    if !out.quiet || report.errors() > 0 {
        print!("{text}");
    }
    if report.errors() > 0 {
        return Err(Inconsistent(format!("{} lint error(s)", report.errors())).into());
    }
    Ok(0)
}

fn absolute(ctx: &Context, p: &Path) -> std::path::PathBuf {
    let joined = if p.is_absolute() { p.to_owned() } else { ctx.root.join(p) };
    joined.canonicalize().unwrap_or(joined)
}
