//! Everything the binary prints: human text (coloured when the terminal and
//! `NO_COLOR` allow), NDJSON events with `--json`, and a progress bar on a
//! terminal. Results go to stdout; progress, warnings and errors to stderr.

use std::fmt::Display;
use std::io::{IsTerminal, Write};

use anstyle::{AnsiColor, Style};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub const GREEN: Style = AnsiColor::Green.on_default();
pub const YELLOW: Style = AnsiColor::Yellow.on_default();
pub const RED: Style = AnsiColor::Red.on_default();
pub const BOLD: Style = Style::new().bold();
pub const DIM: Style = Style::new().dimmed();

/// How to print, from the global flags.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    pub json: bool,
    pub quiet: bool,
    pub verbose: u8,
}

impl Output {
    /// One NDJSON event (only with `--json`): every event is a variant of
    /// [`crate::event::Event`].
    pub fn emit(&self, event: crate::event::Event<'_>) {
        if self.json {
            let line = serde_json::to_string(&event).expect("events serialise");
            write_or_exit(&mut std::io::stdout().lock(), format_args!("{line}\n"));
        }
    }

    /// A line of human output on stdout (not with `--json` or `-q`).
    pub fn line(&self, text: impl Display) {
        if !self.json && !self.quiet {
            write_or_exit(&mut anstream::stdout().lock(), format_args!("{text}\n"));
        }
    }

    /// Human output that is the command's result, printed even with `-q`.
    pub fn result(&self, text: impl Display) {
        if !self.json {
            write_or_exit(&mut anstream::stdout().lock(), format_args!("{text}\n"));
        }
    }

    /// A note on stderr (not with `-q`).
    pub fn note(&self, text: impl Display) {
        if !self.quiet {
            let _ = writeln!(anstream::stderr().lock(), "{text}");
        }
    }

    pub fn warn(&self, text: impl Display) {
        let _ = writeln!(anstream::stderr().lock(), "{YELLOW}warning{YELLOW:#}: {text}");
    }

    /// A progress bar for `count` steps, drawn only on an interactive stderr.
    pub fn progress(&self, count: usize, what: &str) -> Progress {
        let show = !self.json && !self.quiet && count > 1 && std::io::stderr().is_terminal();
        let bar = show.then(|| {
            let bar = ProgressBar::with_draw_target(Some(count as u64), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} {elapsed}")
                    .expect("valid template")
                    .progress_chars("=> "),
            );
            bar.set_message(what.to_owned());
            bar
        });
        Progress { bar, out: *self }
    }
}

/// Progress of a run; lines printed through it do not tear the bar.
pub struct Progress {
    bar: Option<ProgressBar>,
    out: Output,
}

impl Progress {
    pub fn line(&self, text: impl Display) {
        match &self.bar {
            Some(bar) => bar.suspend(|| self.out.line(text)),
            None => self.out.line(text),
        }
    }

    pub fn message(&self, text: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(text.to_owned());
        }
    }

    pub fn inc(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Writes, and exits quietly when the reader went away (`strata ... | head`).
fn write_or_exit(w: &mut impl Write, args: std::fmt::Arguments<'_>) {
    if let Err(err) = w.write_fmt(args).and_then(|_| w.flush())
        && err.kind() == std::io::ErrorKind::BrokenPipe
    {
        std::process::exit(0);
    }
}

/// Whether to colour a stream: a terminal, and `NO_COLOR` unset or empty.
pub fn color(stream_is_terminal: bool) -> bool {
    stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Milliseconds, briefly.
pub fn ms(ms: u64) -> String {
    if ms < 10_000 { format!("{ms} ms") } else { format!("{:.1} s", ms as f64 / 1000.0) }
}

/// The width a cell takes on screen: its characters without ANSI colour codes.
fn visible_width(cell: &str) -> usize {
    anstream::adapter::strip_str(cell).map(|piece| piece.chars().count()).sum()
}

/// A plain text table with aligned columns. Cells may carry colour codes:
/// widths count only the visible text.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| visible_width(h)).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(visible_width(cell));
        }
    }
    let fmt_row = |cells: Vec<&str>| {
        let mut line = String::new();
        for (i, cell) in cells.iter().enumerate() {
            line.push_str(cell);
            if i + 1 < cells.len() {
                let pad = widths[i].saturating_sub(visible_width(cell)) + 2;
                line.push_str(&" ".repeat(pad));
            }
        }
        line.trim_end().to_owned()
    };
    let mut out = format!("{BOLD}{}{BOLD:#}", fmt_row(header.to_vec()));
    for row in rows {
        out.push('\n');
        out.push_str(&fmt_row(row.iter().map(String::as_str).collect()));
    }
    out
}

/// Asks a yes/no question on the terminal. Without a terminal the answer is
/// no, with `no_terminal` as the reason; any answer but y/yes is `declined`.
/// Both are usage errors (exit 2): the caller's `--yes` is the way round.
pub fn confirm(question: &str, no_terminal: &str, declined: &str) -> anyhow::Result<()> {
    use std::io::BufRead;
    if !std::io::stdin().is_terminal() {
        return Err(crate::exit::Usage::new(no_terminal).into());
    }
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        Ok(())
    } else {
        Err(crate::exit::Usage::new(declined).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Columns line up on a colour terminal: the codes take no width.
    #[test]
    fn table_aligns_coloured_cells_by_visible_width() {
        let rows = vec![
            vec!["1".to_owned(), format!("{GREEN}applied{GREEN:#}"), "x".to_owned()],
            vec!["20".to_owned(), format!("{YELLOW}pending{YELLOW:#}"), "y".to_owned()],
            vec!["300".to_owned(), "checksum mismatch".to_owned(), "z".to_owned()],
        ];
        let text = table(&["VERSION", "STATE", "BY"], &rows);
        assert!(text.contains('\u{1b}'), "colour codes are kept: {text:?}");
        let plain: String = anstream::adapter::strip_str(&text).collect();
        let columns: Vec<usize> = plain.lines().map(|line| line.rfind(' ').unwrap() + 1).collect();
        assert_eq!(columns, vec![columns[0]; 4], "last column starts at one place:\n{plain}");
        assert_eq!(plain.lines().next().unwrap(), "VERSION  STATE              BY");
    }
}
