//! `-- strata:` directives: comments that change how strata runs or lints a file.
//!
//! ```sql
//! -- strata:no-transaction          -- line 1 only: run the file statement by statement
//! -- strata:schema app              -- the schemas the file changes (written by `strata generate`)
//! -- strata:lock-timeout 5s         -- PostgreSQL's lock_timeout for this file's statements
//! -- strata:statement-timeout 2min  -- and its statement_timeout
//! -- strata:ignore rule-id          -- the linter: skip a rule on the next statement line
//! -- strata:ignore-file rule-id     -- the linter: skip a rule in the whole file
//! -- strata:squashes A..V           -- written by `strata squash`: the file replaced versions A to V
//! ```
//!
//! The runner's directives (`schema`, `lock-timeout`, `statement-timeout`) count in
//! the file's header: the comment and blank lines before its first SQL line. The
//! linter reads every `-- strata:` comment and says when one is misplaced or its
//! value is invalid; both read them with [`scan`] so they agree.

use std::ops::Range;
use std::time::Duration;

/// What follows `--` (and optional spaces) in every directive.
pub const PREFIX: &str = "strata:";

/// The directives strata knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Name {
    NoTransaction,
    Schema,
    LockTimeout,
    StatementTimeout,
    Ignore,
    IgnoreFile,
    /// `-- strata:squashes FIRST..LAST`: the header of a file `strata squash` made.
    Squashes,
}

impl Name {
    /// Every directive, in the order the documentation lists them.
    pub const ALL: [Name; 7] = [
        Name::NoTransaction,
        Name::Schema,
        Name::LockTimeout,
        Name::StatementTimeout,
        Name::Ignore,
        Name::IgnoreFile,
        Name::Squashes,
    ];

    /// The name as written after `strata:`.
    pub fn as_str(self) -> &'static str {
        match self {
            Name::NoTransaction => "no-transaction",
            Name::Schema => "schema",
            Name::LockTimeout => "lock-timeout",
            Name::StatementTimeout => "statement-timeout",
            Name::Ignore => "ignore",
            Name::IgnoreFile => "ignore-file",
            Name::Squashes => "squashes",
        }
    }

    pub fn parse(name: &str) -> Option<Name> {
        Name::ALL.into_iter().find(|n| n.as_str() == name)
    }

    /// Read by the runner from the file's header (the linter reads the others).
    pub fn is_header(self) -> bool {
        matches!(self, Name::Schema | Name::LockTimeout | Name::StatementTimeout)
    }
}

/// One `-- strata:NAME ARGUMENT` comment, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment<'a> {
    /// 1-based line.
    pub line: usize,
    /// Byte range of the comment, from `--` to the end of the line (trailing
    /// whitespace excluded).
    pub range: Range<usize>,
    /// The word after `strata:` (letters, digits and `-`), possibly unknown.
    pub name: &'a str,
    /// The text after the name, trimmed.
    pub argument: &'a str,
    /// Byte range of `argument` (empty, at the name's end, when there is none).
    pub argument_range: Range<usize>,
    /// After SQL on the same line (`SELECT 1; -- strata:ignore x`).
    pub trailing: bool,
    /// In the header: no SQL on any line before it.
    pub in_header: bool,
}

/// Every `-- strata:` comment of `sql`, in order. Line-based: a `--` inside a
/// string that happens to spell a directive is read as one.
pub fn scan(sql: &str) -> Vec<Comment<'_>> {
    let mut out = vec![];
    let mut header = true;
    let mut line_start = 0;
    for (index, line) in sql.split('\n').enumerate() {
        let start = line_start;
        line_start += line.len() + 1;
        let code_before = |dash: usize| !line[..dash].trim().is_empty();
        let dash = line.find("--");
        if let Some(dash) = dash {
            let after = line[dash + 2..].trim_start();
            if let Some(rest) = after.strip_prefix(PREFIX) {
                let rest_at = start + line.len() - rest.len();
                let name_len = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-')).unwrap_or(rest.len());
                let tail = &rest[name_len..];
                let argument = tail.trim();
                let argument_at = if argument.is_empty() {
                    rest_at + name_len
                } else {
                    rest_at + name_len + (tail.len() - tail.trim_start().len())
                };
                let trailing = code_before(dash);
                out.push(Comment {
                    line: index + 1,
                    range: start + dash..start + line.trim_end().len(),
                    name: &rest[..name_len],
                    argument,
                    argument_range: argument_at..argument_at + argument.len(),
                    trailing,
                    in_header: header && !trailing,
                });
            }
        }
        let blank_or_comment = match dash {
            Some(d) => !code_before(d),
            None => line.trim().is_empty(),
        };
        header &= blank_or_comment;
    }
    out
}

/// What the header of a file asks of the runner.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Header {
    /// `-- strata:schema NAME[, NAME]` (may repeat).
    pub schemas: Vec<String>,
    /// `-- strata:lock-timeout DURATION`; `Duration::ZERO` turns it off.
    pub lock_timeout: Option<Duration>,
    /// `-- strata:statement-timeout DURATION`; `Duration::ZERO` turns it off.
    pub statement_timeout: Option<Duration>,
}

/// A directive with a value that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: `-- strata:{name}`: {error}")]
#[non_exhaustive]
pub struct HeaderError {
    /// 1-based line of the directive.
    pub line: usize,
    /// Its name (`lock-timeout`).
    pub name: &'static str,
    pub error: DurationError,
}

/// Reads the runner's directives from the header of `sql` (the no-transaction
/// directive is [`crate::source::SqlFile`]'s). When a directive repeats, the
/// last one counts.
pub fn header(sql: &str) -> Result<Header, HeaderError> {
    let mut header = Header::default();
    for c in scan(sql).into_iter().filter(|c| c.in_header) {
        let name = Name::parse(c.name);
        let timeout =
            |n: Name| parse_duration(c.argument).map_err(|error| HeaderError { line: c.line, name: n.as_str(), error });
        match name {
            Some(Name::Schema) => header.schemas.extend(schema_names(c.argument).map(str::to_owned)),
            Some(n @ Name::LockTimeout) => header.lock_timeout = Some(timeout(n)?),
            Some(n @ Name::StatementTimeout) => header.statement_timeout = Some(timeout(n)?),
            _ => {}
        }
    }
    Ok(header)
}

/// The schema names of a `-- strata:schema` argument: separated by commas or spaces.
pub fn schema_names(argument: &str) -> impl Iterator<Item = &str> {
    argument.split([',', ' ', '\t']).map(str::trim).filter(|s| !s.is_empty())
}

/// Why a duration does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DurationError {
    #[error("a duration is missing: write e.g. `500ms`, `5s` or `2min` (`0` for no limit)")]
    Missing,
    #[error("`{0}` is not a duration: write a number and a unit (us, ms, s, min, h, d), e.g. `500ms`, `5s`, `2min`")]
    Invalid(String),
    #[error("`{0}` has no unit: write e.g. `{0}ms` or `{0}s` (only `0` goes without one)")]
    NoUnit(String),
    #[error("`{0}` is longer than PostgreSQL allows for a timeout (2147483647ms, about 24 days)")]
    TooLong(String),
}

/// The largest timeout PostgreSQL accepts, in milliseconds (`INT_MAX`).
const MAX_MS: f64 = 2_147_483_647.0;

/// Parses a timeout as PostgreSQL writes durations: a number (a fraction is
/// allowed), optional spaces, a unit among `us`, `ms`, `s`, `min`, `h`, `d`.
/// `0` needs no unit and means no limit. Used for the file directives and for
/// `[migrate] lock_timeout` / `statement_timeout` in strata.toml.
///
/// ```
/// use std::time::Duration;
/// use strata_migrate::directive::parse_duration;
/// assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
/// assert_eq!(parse_duration("2min"), Ok(Duration::from_secs(120)));
/// assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
/// assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
/// assert!(parse_duration("5").is_err());
/// ```
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(DurationError::Missing);
    }
    let number_len = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
    let (number, unit) = (&text[..number_len], text[number_len..].trim_start());
    let invalid = || DurationError::Invalid(text.to_owned());
    if number.is_empty() || number.starts_with('.') || number.ends_with('.') || number.matches('.').count() > 1 {
        return Err(invalid());
    }
    let value: f64 = number.parse().map_err(|_| invalid())?;
    let ms_per_unit = match unit {
        "" if value == 0.0 => return Ok(Duration::ZERO),
        "" => return Err(DurationError::NoUnit(text.to_owned())),
        "us" => 0.001,
        "ms" => 1.0,
        "s" => 1_000.0,
        "min" => 60_000.0,
        "h" => 3_600_000.0,
        "d" => 86_400_000.0,
        _ => return Err(invalid()),
    };
    let ms = value * ms_per_unit;
    if ms > MAX_MS {
        return Err(DurationError::TooLong(text.to_owned()));
    }
    Ok(Duration::from_secs_f64(ms / 1_000.0))
}

/// A duration as a value for `SET lock_timeout` / `statement_timeout`: whole
/// milliseconds, rounded up so that a short non-zero timeout never becomes `0`
/// (which PostgreSQL reads as no limit).
///
/// ```
/// use std::time::Duration;
/// use strata_migrate::directive::postgres_value;
/// assert_eq!(postgres_value(Duration::from_millis(1500)), "1500ms");
/// assert_eq!(postgres_value(Duration::from_micros(10)), "1ms");
/// assert_eq!(postgres_value(Duration::ZERO), "0");
/// ```
pub fn postgres_value(duration: Duration) -> String {
    if duration.is_zero() {
        return "0".to_owned();
    }
    let ms = duration.as_nanos().div_ceil(1_000_000);
    format!("{ms}ms")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_follow_postgres_units() {
        for (text, ms) in
            [("500ms", 500), ("5s", 5_000), ("5 s", 5_000), ("2min", 120_000), ("1h", 3_600_000), ("0", 0)]
        {
            assert_eq!(parse_duration(text), Ok(Duration::from_millis(ms)), "{text}");
        }
        assert_eq!(parse_duration("250us"), Ok(Duration::from_micros(250)));
        assert_eq!(parse_duration("5"), Err(DurationError::NoUnit("5".into())));
        assert_eq!(parse_duration(""), Err(DurationError::Missing));
        for bad in ["5sec", "-1s", "1.2.3s", ".5s", "s", "5 m", "1e3ms"] {
            assert!(matches!(parse_duration(bad), Err(DurationError::Invalid(_))), "{bad}");
        }
        assert!(matches!(parse_duration("25d"), Err(DurationError::TooLong(_))));
        assert!(parse_duration("24d").is_ok());
    }

    #[test]
    fn scan_reads_names_arguments_and_the_header() {
        let sql = "-- strata:no-transaction\n\n--strata:lock-timeout   5s  \nSELECT 1; -- strata:ignore x\n-- strata:schema app\n";
        let found = scan(sql);
        let names: Vec<_> = found.iter().map(|c| (c.line, c.name, c.argument, c.trailing, c.in_header)).collect();
        assert_eq!(
            names,
            [
                (1, "no-transaction", "", false, true),
                (3, "lock-timeout", "5s", false, true),
                (4, "ignore", "x", true, false),
                (5, "schema", "app", false, false)
            ]
        );
        assert_eq!(&sql[found[1].argument_range.clone()], "5s");
        assert_eq!(&sql[found[1].range.clone()], "--strata:lock-timeout   5s");
    }

    #[test]
    fn header_reads_the_runner_directives_before_the_first_sql() {
        let sql = "-- migrate up: x\n-- strata:schema app, auth\n-- strata:lock-timeout 5s\n-- strata:statement-timeout 0\nSELECT 1;\n-- strata:lock-timeout 9s\n";
        let h = header(sql).unwrap();
        assert_eq!(h.schemas, ["app", "auth"]);
        assert_eq!(h.lock_timeout, Some(Duration::from_secs(5)));
        assert_eq!(h.statement_timeout, Some(Duration::ZERO));
        let e = header("-- strata:lock-timeout soon\nSELECT 1;").unwrap_err();
        assert_eq!((e.line, e.name), (1, "lock-timeout"));
        assert_eq!(
            e.to_string(),
            "line 1: `-- strata:lock-timeout`: `soon` is not a duration: write a number and a unit (us, ms, s, min, h, d), e.g. `500ms`, `5s`, `2min`"
        );
    }
}
