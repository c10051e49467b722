//! A migration file parsed into units: the file itself and every body of code
//! inside it that PostgreSQL parses separately (DO blocks, function and procedure
//! bodies, constant `EXECUTE` strings), each mapped back to file positions.

use rowan::{TextRange, TextSize};
use squawk_syntax::ast::{self, AstNode};
use squawk_syntax::decoded_text::DecodedText;
use squawk_syntax::{SourceFile, SyntaxKind, SyntaxNode};

use crate::plpgsql::{RawError, parse_plpgsql, parse_sql};

/// What a unit of code is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UnitKind {
    /// The migration file.
    File,
    /// The PL/pgSQL body of a `DO` statement.
    Do,
    /// The PL/pgSQL body of a function or procedure.
    Function,
    /// The body of a `LANGUAGE sql` function or procedure.
    SqlFunction,
    /// A constant string given to PL/pgSQL's `EXECUTE`.
    Execute,
}

/// One separately parsed piece of code.
pub(crate) struct Unit {
    pub root: SyntaxNode,
    pub kind: UnitKind,
    /// Its statements run when the migration runs (the file, DO blocks), not later
    /// when a function is called.
    pub runs_at_migration: bool,
    /// It sits under an `IF` or a block with an exception handler in its parent.
    pub guarded: bool,
    parent: Option<usize>,
    /// The range, in the parent, of the node holding this body.
    holder: TextRange,
    /// Maps the unit's offsets to its parent's.
    map: Option<DecodedText>,
}

/// A parsed file.
pub(crate) struct ParsedFile {
    pub units: Vec<Unit>,
    /// Syntax errors in file offsets, sorted: the file's, its validation errors and
    /// those of the PL/pgSQL and SQL bodies PostgreSQL checks when the file runs.
    pub errors: Vec<RawError>,
}

impl ParsedFile {
    /// Parses `text` and every body inside it.
    pub(crate) fn parse(text: &str) -> ParsedFile {
        let parse = SourceFile::parse(text);
        let mut errors: Vec<RawError> = parse
            .errors()
            .into_iter()
            .map(|e| RawError { range: e.range(), message: e.message().to_owned() })
            .collect();
        let mut file = ParsedFile {
            units: vec![Unit {
                root: parse.syntax_node(),
                kind: UnitKind::File,
                runs_at_migration: true,
                guarded: false,
                parent: None,
                holder: TextRange::empty(TextSize::new(0)),
                map: None,
            }],
            errors: vec![],
        };
        let mut next = 0;
        while next < file.units.len() {
            file.discover(next, &mut errors);
            next += 1;
        }
        errors.sort_by_key(|e| e.range.start());
        file.errors = errors;
        file
    }

    /// The file range of a range in a unit.
    pub(crate) fn to_file(&self, unit: usize, mut range: TextRange) -> TextRange {
        let mut at = unit;
        loop {
            let u = &self.units[at];
            let (Some(map), Some(parent)) = (&u.map, u.parent) else {
                return range;
            };
            range = map.source_range(range);
            at = parent;
        }
    }

    fn discover(&mut self, index: usize, errors: &mut Vec<RawError>) {
        let root = self.units[index].root.clone();
        let parent_kind = self.units[index].kind;
        let parent_runs = self.units[index].runs_at_migration;
        let parent_guarded = self.units[index].guarded;
        let plpgsql_parent = matches!(parent_kind, UnitKind::Do | UnitKind::Function);
        for node in root.descendants() {
            let found = match node.kind() {
                SyntaxKind::DO => do_body(&node).map(|body| (UnitKind::Do, body)),
                SyntaxKind::CREATE_FUNCTION | SyntaxKind::CREATE_PROCEDURE => function_body(&node),
                k if plpgsql_parent && is_dynamic_statement(k) => {
                    constant_execute(&node).map(|body| (UnitKind::Execute, body))
                }
                _ => None,
            };
            let Some((kind, decoded)) = found else { continue };
            let (root, body_errors) = match kind {
                UnitKind::Do | UnitKind::Function => parse_plpgsql(decoded.text()),
                _ => parse_sql(decoded.text()),
            };
            let guarded = parent_guarded || is_guarded(&node);
            let unit = Unit {
                root,
                kind,
                runs_at_migration: match kind {
                    UnitKind::Function | UnitKind::SqlFunction => false,
                    _ => parent_runs,
                },
                guarded,
                parent: Some(index),
                holder: node.text_range(),
                map: Some(decoded),
            };
            // PostgreSQL checks PL/pgSQL bodies when it creates the function or runs
            // the DO block, so their errors are the file's. A SQL function body's
            // errors already came with the file's own parse (squawk checks them),
            // and an EXECUTE string is only parsed when it runs.
            let report = matches!(kind, UnitKind::Do | UnitKind::Function)
                && matches!(parent_kind, UnitKind::File | UnitKind::Do | UnitKind::Function);
            let unit_index = self.units.len();
            self.units.push(unit);
            if report {
                for e in body_errors {
                    let range = self.to_file(unit_index, e.range);
                    errors.push(RawError { range, message: e.message });
                }
            } else if kind == UnitKind::Execute && !body_errors.is_empty() {
                // An EXECUTE string that does not parse is left unchecked; the
                // dynamic-sql rule reports it.
                self.units.pop();
            }
        }
    }

    /// Whether a constant `EXECUTE` string at `range` (in unit `index`) was parsed.
    pub(crate) fn has_execute_unit(&self, index: usize, range: TextRange) -> bool {
        self.units.iter().any(|u| u.kind == UnitKind::Execute && u.parent == Some(index) && u.holder == range)
    }
}

/// PL/pgSQL statements that run a string as SQL.
pub(crate) fn is_dynamic_statement(kind: SyntaxKind) -> bool {
    matches!(
        kind,
        SyntaxKind::PLPGSQL_DYN_EXECUTE_STMT
            | SyntaxKind::PLPGSQL_RETURN_QUERY_EXECUTE_STMT
            | SyntaxKind::PLPGSQL_FOR_DYN_STMT
            | SyntaxKind::PLPGSQL_OPEN_EXECUTE
    )
}

/// The query expression of a dynamic statement, when it is one string literal.
pub(crate) fn constant_execute_literal(stmt: &SyntaxNode) -> Option<ast::Literal> {
    let expr = stmt.children().find(|c| c.kind() == SyntaxKind::PLPGSQL_EXPR)?;
    // PLPGSQL_EXPR > TARGET_LIST > TARGET > LITERAL, and nothing else
    let mut node = expr;
    for kind in [SyntaxKind::TARGET_LIST, SyntaxKind::TARGET, SyntaxKind::LITERAL] {
        let mut children = node.children();
        let only = children.next()?;
        if only.kind() != kind || children.next().is_some() {
            return None;
        }
        node = only;
    }
    let literal = ast::Literal::cast(node)?;
    let is_string =
        literal.syntax().children_with_tokens().filter_map(|e| e.into_token()).any(|t| {
            matches!(t.kind(), SyntaxKind::STRING | SyntaxKind::ESC_STRING | SyntaxKind::DOLLAR_QUOTED_STRING)
        });
    is_string.then_some(literal)
}

fn constant_execute(stmt: &SyntaxNode) -> Option<DecodedText> {
    constant_execute_literal(stmt)?.decoded_value()
}

fn do_body(node: &SyntaxNode) -> Option<DecodedText> {
    let stmt = ast::Do::cast(node.clone())?;
    if let Some(language) = stmt.do_language()
        && language.language_name()?.name != "plpgsql"
    {
        return None;
    }
    stmt.body()?.decoded_value()
}

fn function_body(node: &SyntaxNode) -> Option<(UnitKind, DecodedText)> {
    let options = node.children().find(|c| c.kind() == SyntaxKind::FUNC_OPTION_LIST)?;
    let mut language = None;
    let mut body = None;
    for option in options.children() {
        if let Some(o) = ast::LanguageFuncOption::cast(option.clone()) {
            language = o.language_name().map(|l| l.name);
        } else if option.kind() == SyntaxKind::AS_FUNC_OPTION {
            // AS 'body' (not AS 'obj_file', 'link_symbol')
            let definition = option.children().find(|c| c.kind() == SyntaxKind::AS_DEFINITION)?;
            let literals: Vec<_> = definition.children().filter_map(ast::Literal::cast).collect();
            if literals.len() == 1 {
                body = literals.into_iter().next();
            }
        }
    }
    let kind = match language?.as_str() {
        "plpgsql" => UnitKind::Function,
        "sql" => UnitKind::SqlFunction,
        _ => return None,
    };
    Some((kind, body?.decoded_value()?))
}

/// Under an `IF`, a `CASE`, or in a block with an exception handler: run only
/// when a condition holds, or allowed to fail. Such statements need no clause of
/// their own to be safe to run twice.
pub(crate) fn is_guarded(node: &SyntaxNode) -> bool {
    let mut child = node.clone();
    for ancestor in node.ancestors().skip(1) {
        match ancestor.kind() {
            SyntaxKind::PLPGSQL_IF_STMT | SyntaxKind::PLPGSQL_CASE_STMT => return true,
            SyntaxKind::PLPGSQL_BLOCK
                if child.kind() != SyntaxKind::PLPGSQL_EXCEPTION_SECTION
                    && ancestor.children().any(|c| c.kind() == SyntaxKind::PLPGSQL_EXCEPTION_SECTION) =>
            {
                return true;
            }
            _ => {}
        }
        child = ancestor;
    }
    false
}
