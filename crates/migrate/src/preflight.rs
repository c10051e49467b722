//! What the runner refuses before it runs anything, and what it learns about
//! each file on the way (the same pass of the one shared splitter,
//! [`crate::split`], that the no-transaction path and the linter use).
//!
//! Refused, naming file, line and column: a file that ends inside a comment,
//! quote or dollar quote (in a batch it would swallow the next file); psql
//! meta-commands (`\set`, `\i`: not SQL); and, in a transactional file,
//! transaction control (`COMMIT`, `ROLLBACK`, `SAVEPOINT`...), which would end
//! or split the transaction that keeps the file and its history row together.

use crate::error::{Error, ErrorKind};
use crate::locate::line_col;
use crate::source::SqlFile;
use crate::split::{self, Piece};

/// What the runner needs to know about a file to choose how to send it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Shape {
    /// How many SQL statements it holds.
    pub statements: usize,
    /// It has `COPY ... FROM STDIN` data, which only the COPY protocol can send.
    pub copy: bool,
}

/// psql meta-commands that only restrict psql itself (pg_dump writes them):
/// nothing to do for a runner that never runs meta-commands.
const HARMLESS_META: [&str; 2] = ["restrict", "unrestrict"];

/// Checks one file; its shape, or why it cannot run.
pub(crate) fn check(file: &SqlFile) -> Result<Shape, Error> {
    let mut shape = Shape::default();
    for piece in split::pieces(&file.sql) {
        let refuse = |offset: usize, reason: String| -> Error {
            let (line, column) = line_col(&file.sql, Some(offset), 0).unwrap_or((1, 1));
            ErrorKind::Unrunnable { path: file.path.clone(), line, column, reason }.into()
        };
        match piece {
            Err(e) => {
                return Err(ErrorKind::Unrunnable {
                    path: file.path.clone(),
                    line: e.line,
                    column: e.column,
                    reason: format!(
                        "{e}; each file must be complete on its own (strata sends several files in one message, \
                         so an unclosed comment or quote would run into the next file)"
                    ),
                }
                .into());
            }
            Ok(Piece::MetaCommand(m)) if HARMLESS_META.contains(&m.name) => {}
            Ok(Piece::MetaCommand(m)) => {
                return Err(refuse(
                    m.offset,
                    format!(
                        "`\\{}` is a psql meta-command, not SQL; strata sends SQL only \
                         (write out what \\set variables or \\i includes would produce)",
                        m.name
                    ),
                ));
            }
            Ok(Piece::Statement(s)) => {
                shape.statements += 1;
                shape.copy |= s.copy_from_stdin;
                if !file.no_transaction
                    && let Some(control) = s.transaction_control()
                {
                    return Err(refuse(
                        s.offset,
                        format!(
                            "{control} in a file that runs in a transaction: strata runs each file in its own \
                             transaction, together with its history row, so the file must not end or split it; \
                             remove it, or put `-- strata:no-transaction` on the first line to run the file \
                             statement by statement"
                        ),
                    ));
                }
            }
            Ok(Piece::CopyData(_)) => {}
        }
    }
    Ok(shape)
}
