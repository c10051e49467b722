//! Splitting a SQL script into what psql would send: statements, the inline data
//! of `COPY ... FROM STDIN`, and psql's own backslash commands.
//!
//! The runner (no-transaction files, COPY), the linter and `db restore` all cut
//! files here, so they never disagree on where a statement ends. The rules are
//! psql's lexer (`src/fe_utils/psqlscan.l`, PostgreSQL 15) with
//! `standard_conforming_strings` on:
//!
//! - a `;` ends a statement unless it is inside a quoted string (`'...'`,
//!   `E'...'` with backslash escapes, `U&'...'`, `B'...'`, `X'...'`), a quoted
//!   identifier (`"..."`, `U&"..."`), a dollar quote (`$$...$$`, `$tag$...$tag$`),
//!   a `--` comment or a nested `/* */` comment; or inside parentheses
//!   (`CREATE RULE ... DO ALSO (INSERT ...; INSERT ...)` is one statement); or
//!   inside `BEGIN ... END` of a statement that starts `CREATE [OR REPLACE]
//!   FUNCTION|PROCEDURE` (psql's `begin_depth` heuristic, where `CASE` also opens
//!   a level once inside a `BEGIN`);
//! - psql lexes a script one line at a time, so a string is never continued
//!   across a line break (`E'a'` then `'\'...` on the next line is a new, plain
//!   string), unlike in the server's lexer;
//! - a statement's text runs from its first token to its last: leading and
//!   trailing comments are not part of it (comments inside it are), nor is the
//!   `;`. Pieces with nothing but whitespace and comments are dropped; a last
//!   statement without `;` is still a statement (psql sends it at the end of the
//!   file, unbalanced parentheses and all);
//! - after a `COPY ... FROM STDIN` statement, the lines that follow the line where
//!   it ends, up to a line that is exactly `\.`, are its data (not SQL); data that
//!   runs to the end of the file without `\.` is accepted, as psql does. Text
//!   after the COPY's `;` on its own line runs after the data, as in psql;
//! - a backslash outside quotes and comments starts a psql meta-command (`\set`,
//!   `\i`, `\connect`, `\restrict`, ...), which runs to the end of its line (or to
//!   a `\\` separator or the next backslash command, as in psql); `\;` and `\:`
//!   are meta-commands of their own.
//!
//! Where psql and this module differ, on input strata refuses anyway: psql keeps a
//! statement open across a meta-command (`SELECT 1 \set x 2 ;`), here the
//! meta-command ends it; psql expands `:variables`, here they stay as written; a
//! statement written after `COPY ... FROM STDIN;` on the same line that does not
//! end on that line (psql would continue it after the data) is a [`LexError`], and
//! so is a file that ends inside a quote or comment (psql would send it anyway).
//!
//! The lexer makes one pass over the bytes with no allocation per statement: 50 MB
//! of `INSERT`s split in about 0.15 s (release build).

use std::fmt;

use crate::text_position::LineIndex;

/// One SQL statement, as psql would send it (without the `;`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Statement<'a> {
    /// From the statement's first token to its last, comments inside included.
    pub text: &'a str,
    /// Byte offset of `text` in the script.
    pub offset: usize,
    /// 1-based line of `offset`.
    pub line: usize,
    /// A `COPY ... FROM STDIN`: a [`CopyData`] piece follows it.
    pub copy_from_stdin: bool,
}

/// The inline data of a `COPY ... FROM STDIN` statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct CopyData<'a> {
    /// Which statement it feeds: the index among the script's statements (0-based).
    pub statement_index: usize,
    /// The raw rows, each with its line ending, without the closing `\.` line.
    pub data: &'a str,
    /// Byte offset of `data` in the script.
    pub offset: usize,
    /// 1-based line of `offset`.
    pub line: usize,
    /// A `\.` line closed the data (else it ran to the end of the script).
    pub terminated: bool,
}

/// A psql backslash command, such as `\set x 1` or `\i other.sql`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct MetaCommand<'a> {
    /// The command without its backslash: `set`, `i`, `!`, `;`.
    pub name: &'a str,
    /// Its arguments as written, trimmed.
    pub args: &'a str,
    /// The whole command as written, from the backslash.
    pub text: &'a str,
    /// Byte offset of the backslash in the script.
    pub offset: usize,
    /// 1-based line of `offset`.
    pub line: usize,
}

/// One piece of a script, in the order psql would act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    Statement(Statement<'a>),
    CopyData(CopyData<'a>),
    MetaCommand(MetaCommand<'a>),
}

impl<'a> Piece<'a> {
    /// The piece's text: `text`, `data` or the meta-command as written.
    pub fn text(&self) -> &'a str {
        match self {
            Piece::Statement(s) => s.text,
            Piece::CopyData(d) => d.data,
            Piece::MetaCommand(m) => m.text,
        }
    }

    /// Byte offset of [`Piece::text`] in the script.
    pub fn offset(&self) -> usize {
        match self {
            Piece::Statement(s) => s.offset,
            Piece::CopyData(d) => d.offset,
            Piece::MetaCommand(m) => m.offset,
        }
    }

    /// 1-based line of [`Piece::offset`].
    pub fn line(&self) -> usize {
        match self {
            Piece::Statement(s) => s.line,
            Piece::CopyData(d) => d.line,
            Piece::MetaCommand(m) => m.line,
        }
    }
}

/// A whole script cut into pieces. Pieces come in the order psql acts on them,
/// which is source order except for text after `COPY ... FROM STDIN;` on the
/// same line: psql runs it after the data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Script<'a> {
    pieces: Vec<Piece<'a>>,
}

impl<'a> Script<'a> {
    /// Every piece, in order.
    pub fn pieces(&self) -> &[Piece<'a>] {
        &self.pieces
    }

    /// The statements, in order (their position here is a [`CopyData::statement_index`]).
    pub fn statements(&self) -> impl Iterator<Item = &Statement<'a>> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Statement(s) => Some(s),
            _ => None,
        })
    }

    /// The statements, in order, each with the data that a `COPY ... FROM STDIN`
    /// reads (the piece after it): what is sent, a statement at a time.
    pub fn statements_with_data(&self) -> impl Iterator<Item = (&Statement<'a>, Option<&'a str>)> {
        self.pieces.iter().enumerate().filter_map(|(i, p)| match p {
            Piece::Statement(s) => Some((
                s,
                match self.pieces.get(i + 1) {
                    Some(Piece::CopyData(d)) if s.copy_from_stdin => Some(d.data),
                    _ => None,
                },
            )),
            _ => None,
        })
    }

    /// The meta-commands, in order.
    pub fn meta_commands(&self) -> impl Iterator<Item = &MetaCommand<'a>> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::MetaCommand(m) => Some(m),
            _ => None,
        })
    }

    /// The COPY data blocks, in order.
    pub fn copy_data(&self) -> impl Iterator<Item = &CopyData<'a>> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::CopyData(d) => Some(d),
            _ => None,
        })
    }

    pub fn into_pieces(self) -> Vec<Piece<'a>> {
        self.pieces
    }
}

/// What was left open when the script ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LexErrorKind {
    /// A `/* comment`.
    BlockComment,
    /// A `'string'` (also `E'...'`, `U&'...'`, `B'...'`, `X'...'`).
    QuotedString,
    /// A `"quoted identifier"`.
    QuotedIdentifier,
    /// A dollar-quoted string; `tag` is its opening delimiter (`$$`, `$body$`).
    DollarQuote { tag: String },
    /// Text after `COPY ... FROM STDIN;` on the same line goes on past that line,
    /// where the COPY data starts.
    ContinuesIntoCopyData,
}

impl fmt::Display for LexErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LexErrorKind::BlockComment => f.write_str("a /* comment"),
            LexErrorKind::QuotedString => f.write_str("a quoted string"),
            LexErrorKind::QuotedIdentifier => f.write_str("a quoted identifier"),
            LexErrorKind::DollarQuote { tag } => write!(f, "a dollar-quoted string ({tag})"),
            LexErrorKind::ContinuesIntoCopyData => f.write_str("a statement written after COPY ... FROM STDIN;"),
        }
    }
}

/// The script ends inside a comment, a quote or a dollar quote. The position is
/// where that construct starts.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LexError {
    pub kind: LexErrorKind,
    /// Byte offset where the unclosed construct starts.
    pub offset: usize,
    /// 1-based line of `offset`.
    pub line: usize,
    /// 1-based column of `offset`, in characters.
    pub column: usize,
}

impl fmt::Display for LexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let LexError { kind, line, column, .. } = self;
        match kind {
            LexErrorKind::ContinuesIntoCopyData => write!(
                f,
                "the statement at line {line}, column {column} follows COPY ... FROM STDIN on the same line and goes on past it, \
                 into the COPY data; move it below the data's closing \\. line"
            ),
            _ => write!(f, "the file ends inside {kind} opened at line {line}, column {column}"),
        }
    }
}

impl std::error::Error for LexError {}

/// Cuts `sql` into pieces, or says what it leaves unclosed.
pub fn script(sql: &str) -> Result<Script<'_>, LexError> {
    let pieces = pieces(sql).collect::<Result<Vec<_>, _>>()?;
    Ok(Script { pieces })
}

/// The pieces of `sql` one at a time, without holding them all (for large seeds).
/// Yields an error at most once, last.
pub fn pieces(sql: &str) -> Pieces<'_> {
    Pieces {
        src: sql,
        pos: 0,
        limit: sql.len(),
        resume: sql.len(),
        copy: None,
        statements: 0,
        lines: Lines { b: sql.as_bytes(), at: 0, line: 1 },
        done: false,
        unfinished: None,
    }
}

/// The statements of `sql`, for callers that only run SQL. A script that ends
/// inside a quote or comment gives its rest as a last statement (PostgreSQL then
/// reports the error); meta-commands and COPY data are left out.
pub fn split(sql: &str) -> Vec<Statement<'_>> {
    let mut out = vec![];
    let mut it = pieces(sql);
    while let Some(piece) = it.next() {
        match piece {
            Ok(Piece::Statement(s)) => out.push(s),
            Ok(_) => {}
            Err(_) => {
                if let Some(start) = it.unfinished {
                    let text = sql[start..].trim_end();
                    let line = it.lines.line_of(start);
                    out.push(Statement { text, offset: start, line, copy_from_stdin: false });
                }
            }
        }
    }
    out
}

/// The iterator behind [`script`]: see [`pieces`].
pub struct Pieces<'a> {
    src: &'a str,
    pos: usize,
    /// End of the region being lexed: the whole script, or the rest of the line
    /// of a `COPY ... FROM STDIN;`, which psql lexes after the data.
    limit: usize,
    /// Where lexing goes on once `pos` reaches a `limit` short of the end.
    resume: usize,
    /// A COPY statement just returned: (its index, where its data starts).
    copy: Option<(usize, usize)>,
    statements: usize,
    lines: Lines<'a>,
    done: bool,
    /// Start of the statement left open by a lexical error.
    unfinished: Option<usize>,
}

/// What one step of the lexer found.
enum Step<'a> {
    Piece(Piece<'a>),
    /// The end of the current region.
    End,
    Error(LexErrorKind, usize),
}

impl<'a> Iterator for Pieces<'a> {
    type Item = Result<Piece<'a>, LexError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        if let Some((statement_index, data_start)) = self.copy.take() {
            return Some(Ok(self.copy_data(statement_index, data_start)));
        }
        loop {
            match self.step() {
                Step::Piece(p) => return Some(Ok(p)),
                Step::End if self.limit < self.src.len() => {
                    self.pos = self.resume;
                    self.limit = self.src.len();
                }
                Step::End => {
                    self.done = true;
                    return None;
                }
                Step::Error(kind, offset) => {
                    self.done = true;
                    let (line, column) = LineIndex::new(self.src).line_col(offset);
                    return Some(Err(LexError { kind, offset, line, column }));
                }
            }
        }
    }
}

impl<'a> Pieces<'a> {
    /// The data after a COPY statement, and the region psql lexes next: the rest
    /// of the COPY's line, then what follows the data.
    fn copy_data(&mut self, statement_index: usize, data_start: usize) -> Piece<'a> {
        let b = self.src.as_bytes();
        let mut line_start = data_start;
        let (data_end, after, terminated) = loop {
            if line_start >= b.len() {
                break (b.len(), b.len(), false);
            }
            let line_end = memchr(b'\n', b, line_start).unwrap_or(b.len());
            let line = &b[line_start..line_end];
            if line == b"\\." || line == b"\\.\r" {
                break (line_start, (line_end + 1).min(b.len()), true);
            }
            line_start = line_end + 1;
        };
        // The rest of the COPY's line (from `pos`, after its `;`) ends at the line
        // break before the data, or at the current region's end.
        let line_end = memchr(b'\n', &b[..self.limit], self.pos).unwrap_or(self.limit);
        self.limit = line_end;
        self.resume = after;
        let data = &self.src[data_start.min(data_end)..data_end];
        let line = self.lines.line_of(data_start.min(data_end));
        Piece::CopyData(CopyData { statement_index, data, offset: data_start.min(data_end), line, terminated })
    }

    /// Lexes from `pos` to the end of the next statement or meta-command.
    fn step(&mut self) -> Step<'a> {
        let src = self.src;
        let b = src.as_bytes();
        let limit = self.limit;
        let in_tail = limit < b.len();
        let mut i = self.pos;
        let mut start: Option<usize> = None;
        let mut end = i;
        let mut paren = 0usize;
        let mut begin = 0usize;
        let mut idents = 0usize;
        let mut initials = [0u8; 4];
        let mut copy = false;
        let mut after_from = false;
        let mut copy_stdin = false;

        // An unclosed construct: past the region's end in a COPY line's tail, the
        // text goes on after the data.
        macro_rules! open {
            ($kind:expr, $at:expr) => {{
                let at = start.unwrap_or($at);
                self.unfinished = if start.is_none() && $kind == LexErrorKind::BlockComment { None } else { Some(at) };
                return if in_tail {
                    Step::Error(LexErrorKind::ContinuesIntoCopyData, at)
                } else {
                    Step::Error($kind, $at)
                };
            }};
        }

        while i < limit {
            let c = b[i];
            match c {
                b' ' | b'\t' | b'\n' | b'\r' | 0x0c => {
                    i += 1;
                    continue;
                }
                b'-' if i + 1 < limit && b[i + 1] == b'-' => {
                    i = line_end(b, i, limit);
                    continue;
                }
                b'/' if i + 1 < limit && b[i + 1] == b'*' => {
                    match block_comment(b, i, limit) {
                        Some(next) => i = next,
                        None => open!(LexErrorKind::BlockComment, i),
                    }
                    continue;
                }
                b';' if paren == 0 && begin == 0 => {
                    i += 1;
                    let Some(s) = start else {
                        continue; // an empty statement
                    };
                    self.pos = i;
                    return Step::Piece(self.statement(s, end, copy && copy_stdin));
                }
                b'\\' => {
                    if let Some(s) = start {
                        // psql would keep the statement open; strata refuses the
                        // meta-command, so ending the statement here is enough.
                        self.pos = i;
                        return Step::Piece(self.statement(s, end, copy && copy_stdin));
                    }
                    return self.meta_command(i);
                }
                _ => {}
            }
            let token = i;
            let mut word = false;
            match c {
                b'\'' => match string(b, i + 1, limit, false) {
                    Some(next) => i = next,
                    None => open!(LexErrorKind::QuotedString, token),
                },
                b'"' => match quoted_identifier(b, i + 1, limit) {
                    Some(next) => i = next,
                    None => open!(LexErrorKind::QuotedIdentifier, token),
                },
                b'$' => {
                    let after = i + 1;
                    if after < limit && b[after].is_ascii_digit() {
                        i = skip_while(b, after, limit, |c| c.is_ascii_digit()); // $1
                    } else {
                        let tag_end = if after < limit && is_ident_start(b[after]) {
                            skip_while(b, after + 1, limit, |c| is_ident_start(c) || c.is_ascii_digit())
                        } else {
                            after
                        };
                        if tag_end < limit && b[tag_end] == b'$' {
                            let tag = &src[i..=tag_end];
                            match src[tag_end + 1..limit].find(tag) {
                                Some(p) => i = tag_end + 1 + p + tag.len(),
                                None => open!(LexErrorKind::DollarQuote { tag: tag.to_owned() }, token),
                            }
                        } else {
                            i += 1; // a lone `$`; what follows lexes on its own
                        }
                    }
                }
                b'(' => {
                    paren += 1;
                    i += 1;
                }
                b')' => {
                    paren = paren.saturating_sub(1);
                    i += 1;
                }
                b'0'..=b'9' => i = number(b, i, limit),
                b'.' if i + 1 < limit && b[i + 1].is_ascii_digit() => i = number(b, i, limit),
                _ if is_ident_start(c) => {
                    let next = |k: usize| if i + k < limit { b[i + k] } else { 0 };
                    match (c | 0x20, next(1), next(2)) {
                        (b'e', b'\'', _) => match string(b, i + 2, limit, true) {
                            Some(n) => i = n,
                            None => open!(LexErrorKind::QuotedString, token),
                        },
                        (b'b' | b'x' | b'n', b'\'', _) | (b'u', b'&', b'\'') => {
                            let from = if next(1) == b'&' { i + 3 } else { i + 2 };
                            match string(b, from, limit, false) {
                                Some(n) => i = n,
                                None => open!(LexErrorKind::QuotedString, token),
                            }
                        }
                        (b'u', b'&', b'"') => match quoted_identifier(b, i + 3, limit) {
                            Some(n) => i = n,
                            None => open!(LexErrorKind::QuotedIdentifier, token),
                        },
                        _ => {
                            i = skip_while(b, i + 1, limit, is_ident_cont);
                            word = true;
                        }
                    }
                }
                _ => i += 1,
            }
            if word {
                let w = &b[token..i];
                // psql's begin_depth: only in CREATE [OR REPLACE] FUNCTION|PROCEDURE.
                if idents < 4 && ["create", "function", "procedure", "or", "replace"].iter().any(|k| eq(w, k)) {
                    initials[idents] = w[0] | 0x20;
                }
                if idents == 0 && start.is_none() && eq(w, "copy") {
                    copy = true;
                }
                idents += 1;
                let function = initials[0] == b'c'
                    && (matches!(initials[1], b'f' | b'p')
                        || (initials[1] == b'o' && initials[2] == b'r' && matches!(initials[3], b'f' | b'p')));
                if function && paren == 0 {
                    if eq(w, "begin") {
                        begin += 1;
                    } else if eq(w, "case") {
                        if begin >= 1 {
                            begin += 1;
                        }
                    } else if eq(w, "end") {
                        begin = begin.saturating_sub(1);
                    }
                }
                if paren == 0 {
                    copy_stdin |= after_from && eq(w, "stdin");
                    after_from = eq(w, "from");
                }
            } else {
                after_from = false;
            }
            start.get_or_insert(token);
            end = i;
        }
        self.pos = i;
        match start {
            Some(s) if in_tail => {
                self.unfinished = Some(s);
                Step::Error(LexErrorKind::ContinuesIntoCopyData, s)
            }
            Some(s) => Step::Piece(self.statement(s, end, copy && copy_stdin)),
            None => Step::End,
        }
    }

    fn statement(&mut self, start: usize, end: usize, copy_from_stdin: bool) -> Piece<'a> {
        let line = self.lines.line_of(start);
        let index = self.statements;
        self.statements += 1;
        if copy_from_stdin {
            // psql reads the data from the line after the one the statement ends on.
            let b = self.src.as_bytes();
            let data_start = match memchr(b'\n', &b[..self.limit], self.pos) {
                Some(nl) => nl + 1,
                None => self.resume,
            };
            self.copy = Some((index, data_start));
        }
        Piece::Statement(Statement { text: &self.src[start..end], offset: start, line, copy_from_stdin })
    }

    /// A backslash command at `at`: its name runs to whitespace or a backslash,
    /// its arguments to the end of the line or an unquoted backslash (`\\` is
    /// swallowed), except for the commands that take the whole line.
    fn meta_command(&mut self, at: usize) -> Step<'a> {
        let src = self.src;
        let b = src.as_bytes();
        let limit = self.limit;
        let name_start = at + 1;
        let (name_end, args_start, args_end, next) = if name_start < limit && matches!(b[name_start], b';' | b':') {
            (name_start + 1, name_start + 1, name_start + 1, name_start + 1)
        } else {
            let name_end =
                skip_while(b, name_start, limit, |c| !matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0c | b'\\'));
            let eol = line_end(b, name_end, limit);
            let whole_line = matches!(
                &src[name_start..name_end],
                "copy" | "!" | "h" | "help" | "sf" | "sf+" | "sv" | "sv+" | "ef" | "ev"
            );
            let args_end = if whole_line { eol } else { args_end(b, name_end, eol) };
            let next = if b[args_end..limit].starts_with(b"\\\\") { args_end + 2 } else { args_end };
            (name_end, name_end, args_end, next)
        };
        self.pos = next;
        let line = self.lines.line_of(at);
        Step::Piece(Piece::MetaCommand(MetaCommand {
            name: &src[name_start..name_end],
            args: src[args_start..args_end].trim(),
            text: src[at..args_end].trim_end(),
            offset: at,
            line,
        }))
    }
}

impl Statement<'_> {
    /// The transaction control this statement is, if any: it would end or split
    /// the transaction a file runs in.
    pub fn transaction_control(&self) -> Option<TransactionControl> {
        let w = leading_words::<4>(self.text);
        let is = |i: usize, k: &str| w[i].is_some_and(|x| x.eq_ignore_ascii_case(k));
        // ROLLBACK [WORK | TRANSACTION] TO [SAVEPOINT] name
        let skip = usize::from(is(1, "work") || is(1, "transaction"));
        Some(if is(0, "begin") || (is(0, "start") && is(1, "transaction")) {
            TransactionControl::Begin
        } else if (is(0, "commit") && !is(1, "prepared")) || is(0, "end") {
            TransactionControl::Commit
        } else if is(0, "rollback") && is(1 + skip, "to") {
            TransactionControl::RollbackToSavepoint
        } else if (is(0, "rollback") && !is(1, "prepared")) || is(0, "abort") {
            TransactionControl::Rollback
        } else if is(0, "savepoint") {
            TransactionControl::Savepoint
        } else if is(0, "release") {
            TransactionControl::Release
        } else if is(0, "prepare") && is(1, "transaction") {
            TransactionControl::PrepareTransaction
        } else {
            return None;
        })
    }

    /// The command, as PostgreSQL names it, when this statement cannot run inside a
    /// transaction block (`VACUUM`, `CREATE DATABASE`, `CREATE INDEX CONCURRENTLY`,
    /// ...), judged from its leading words.
    pub fn needs_no_transaction(&self) -> Option<&'static str> {
        let w = leading_words::<5>(self.text);
        let is = |i: usize, k: &str| w[i].is_some_and(|x| x.eq_ignore_ascii_case(k));
        let concurrently = || words(self.text).any(|x| x.eq_ignore_ascii_case("concurrently"));
        Some(if is(0, "vacuum") {
            "VACUUM"
        } else if is(0, "create") && is(1, "database") {
            "CREATE DATABASE"
        } else if is(0, "drop") && is(1, "database") {
            "DROP DATABASE"
        } else if is(0, "create") && is(1, "tablespace") {
            "CREATE TABLESPACE"
        } else if is(0, "drop") && is(1, "tablespace") {
            "DROP TABLESPACE"
        } else if is(0, "alter") && is(1, "system") {
            "ALTER SYSTEM"
        } else if is(0, "alter") && is(1, "database") && words(self.text).any(|x| x.eq_ignore_ascii_case("tablespace"))
        {
            "ALTER DATABASE SET TABLESPACE"
        } else if is(0, "discard") && is(1, "all") {
            "DISCARD ALL"
        } else if (is(0, "commit") || is(0, "rollback")) && is(1, "prepared") {
            if is(0, "commit") { "COMMIT PREPARED" } else { "ROLLBACK PREPARED" }
        } else if is(0, "create") && (is(1, "index") || (is(1, "unique") && is(2, "index"))) && concurrently() {
            "CREATE INDEX CONCURRENTLY"
        } else if is(0, "drop") && is(1, "index") && is(2, "concurrently") {
            "DROP INDEX CONCURRENTLY"
        } else if is(0, "reindex") && concurrently() {
            "REINDEX CONCURRENTLY"
        } else if is(0, "reindex") && (1..4).any(|i| is(i, "schema")) {
            "REINDEX SCHEMA"
        } else if is(0, "reindex") && (1..4).any(|i| is(i, "database")) {
            "REINDEX DATABASE"
        } else if is(0, "reindex") && (1..4).any(|i| is(i, "system")) {
            "REINDEX SYSTEM"
        } else if is(0, "alter")
            && is(1, "table")
            && words(self.text).any(|x| x.eq_ignore_ascii_case("detach"))
            && concurrently()
        {
            "ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY"
        } else {
            return None;
        })
    }
}

/// Statements that control the transaction they run in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransactionControl {
    /// `BEGIN`, `START TRANSACTION`.
    Begin,
    /// `COMMIT`, `END`.
    Commit,
    /// `ROLLBACK`, `ABORT`.
    Rollback,
    /// `ROLLBACK TO SAVEPOINT`.
    RollbackToSavepoint,
    /// `SAVEPOINT`.
    Savepoint,
    /// `RELEASE [SAVEPOINT]`.
    Release,
    /// `PREPARE TRANSACTION`.
    PrepareTransaction,
}

impl TransactionControl {
    /// The command as written in SQL: `COMMIT`, `ROLLBACK TO SAVEPOINT`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            TransactionControl::Begin => "BEGIN",
            TransactionControl::Commit => "COMMIT",
            TransactionControl::Rollback => "ROLLBACK",
            TransactionControl::RollbackToSavepoint => "ROLLBACK TO SAVEPOINT",
            TransactionControl::Savepoint => "SAVEPOINT",
            TransactionControl::Release => "RELEASE SAVEPOINT",
            TransactionControl::PrepareTransaction => "PREPARE TRANSACTION",
        }
    }
}

impl fmt::Display for TransactionControl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The first `N` words of a statement (fewer when another token comes first).
fn leading_words<const N: usize>(text: &str) -> [Option<&str>; N] {
    let mut out = [None; N];
    for (slot, w) in out.iter_mut().zip(words(text)) {
        *slot = Some(w);
    }
    out
}

/// The bare words of a statement's text, skipping whitespace, comments and
/// parenthesized lists; stops at any other token (a string, an operator).
fn words(text: &str) -> impl Iterator<Item = &str> {
    let b = text.as_bytes();
    let mut i = 0;
    let mut paren = 0usize;
    std::iter::from_fn(move || {
        while i < b.len() {
            let c = b[i];
            if c.is_ascii_whitespace() {
                i += 1;
            } else if b[i..].starts_with(b"--") {
                i = line_end(b, i, b.len());
            } else if b[i..].starts_with(b"/*") {
                i = block_comment(b, i, b.len())?;
            } else if c == b'(' {
                paren += 1;
                i += 1;
            } else if c == b')' && paren > 0 {
                paren -= 1;
                i += 1;
            } else if paren > 0 {
                // a parenthesized list: skip quoted text whole
                i = match c {
                    b'\'' => string(b, i + 1, b.len(), false)?,
                    b'"' => quoted_identifier(b, i + 1, b.len())?,
                    _ => i + 1,
                };
            } else if is_ident_start(c) {
                let s = i;
                i = skip_while(b, i + 1, b.len(), is_ident_cont);
                return Some(&text[s..i]);
            } else if c == b'"' || c == b'.' || c == b',' {
                // quoted names and qualified names are passed over
                i = if c == b'"' { quoted_identifier(b, i + 1, b.len())? } else { i + 1 };
            } else {
                return None;
            }
        }
        None
    })
}

fn eq(word: &[u8], keyword: &str) -> bool {
    word.eq_ignore_ascii_case(keyword.as_bytes())
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

fn is_ident_cont(c: u8) -> bool {
    is_ident_start(c) || c.is_ascii_digit() || c == b'$'
}

fn skip_while(b: &[u8], mut i: usize, limit: usize, f: impl Fn(u8) -> bool) -> usize {
    while i < limit && f(b[i]) {
        i += 1;
    }
    i
}

fn memchr(needle: u8, b: &[u8], from: usize) -> Option<usize> {
    b.get(from..)?.iter().position(|&c| c == needle).map(|p| from + p)
}

/// The end of a `--` comment (or of a meta-command's line): the next line break.
fn line_end(b: &[u8], from: usize, limit: usize) -> usize {
    skip_while(b, from, limit, |c| c != b'\n' && c != b'\r')
}

/// The end of the (nested) block comment at `from`, or `None` when it is not closed.
fn block_comment(b: &[u8], from: usize, limit: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = from;
    while i + 1 < limit {
        if b[i] == b'/' && b[i + 1] == b'*' {
            depth += 1;
            i += 2;
        } else if b[i] == b'*' && b[i + 1] == b'/' {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return Some(i);
            }
        } else {
            i += 1;
        }
    }
    None
}

/// The end of a string whose body starts at `from`: `''` is a quote, and a
/// backslash escapes the next byte when `escapes` (`E'...'`).
///
/// PostgreSQL's lexer also continues a string across a newline (`'a'\n'b'`), but
/// psql lexes a script one line at a time, so it never sees such a continuation:
/// a continued `E'...'` part is lexed as a plain string, and so it is here.
fn string(b: &[u8], mut i: usize, limit: usize, escapes: bool) -> Option<usize> {
    while i < limit {
        match b[i] {
            b'\'' if i + 1 < limit && b[i + 1] == b'\'' => i += 2,
            b'\'' => return Some(i + 1),
            b'\\' if escapes => i += 2,
            _ => i += 1,
        }
    }
    None
}

/// The end of a quoted identifier whose body starts at `from` (`""` is a quote).
fn quoted_identifier(b: &[u8], mut i: usize, limit: usize) -> Option<usize> {
    while i < limit {
        if b[i] == b'"' {
            if i + 1 < limit && b[i + 1] == b'"' {
                i += 2;
                continue;
            }
            return Some(i + 1);
        }
        i += 1;
    }
    None
}

/// A numeric literal: digits, a fraction, an exponent; PostgreSQL 15 takes one
/// identifier character glued to a number as part of it (trailing junk).
fn number(b: &[u8], i: usize, limit: usize) -> usize {
    let mut i = skip_while(b, i, limit, |c| c.is_ascii_digit());
    if i + 1 < limit && b[i] == b'.' && b[i + 1] != b'.' {
        i = skip_while(b, i + 1, limit, |c| c.is_ascii_digit());
    }
    if i < limit && (b[i] | 0x20) == b'e' {
        let sign = usize::from(i + 1 < limit && matches!(b[i + 1], b'+' | b'-'));
        if i + 1 + sign < limit && b[i + 1 + sign].is_ascii_digit() {
            i = skip_while(b, i + 1 + sign, limit, |c| c.is_ascii_digit());
        }
    }
    if i < limit && is_ident_start(b[i]) {
        i += 1;
    }
    i
}

/// The end of a meta-command's arguments: the end of the line or an unquoted
/// backslash (psql's argument lexer knows `'...'`, `"..."` and backquotes).
fn args_end(b: &[u8], mut i: usize, eol: usize) -> usize {
    while i < eol {
        match b[i] {
            b'\\' => return i,
            q @ (b'\'' | b'"' | b'`') => {
                i += 1;
                while i < eol && b[i] != q {
                    i += if q == b'\'' && b[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(eol);
            }
            _ => i += 1,
        }
    }
    eol
}

/// Line numbers of offsets, counted incrementally (pieces come nearly in order).
struct Lines<'a> {
    b: &'a [u8],
    at: usize,
    line: usize,
}

impl Lines<'_> {
    fn line_of(&mut self, offset: usize) -> usize {
        let count = |s: &[u8]| s.iter().filter(|&&c| c == b'\n').count();
        if offset >= self.at {
            self.line += count(&self.b[self.at..offset]);
        } else {
            self.line -= count(&self.b[offset..self.at]);
        }
        self.at = offset;
        self.line
    }
}

#[cfg(test)]
mod tests;
