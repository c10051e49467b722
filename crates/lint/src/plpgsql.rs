//! Parsing PL/pgSQL bodies (DO blocks, functions, procedures).
//!
//! squawk's PL/pgSQL grammar (2.68) does not accept a SQL statement with an `INTO`
//! target — `SELECT count(*) INTO n FROM t;`, `INSERT ... RETURNING id INTO v;` —
//! although PL/pgSQL does: it cuts the `INTO target` out before handing the rest to
//! the SQL parser. We do the same: where squawk reports "expected a statement" on
//! such a statement, the `INTO [STRICT] target[, ...]` clause is replaced by spaces
//! (so every offset stays put) and the body is parsed again.

use rowan::{GreenNode, GreenNodeBuilder, TextRange, TextSize};
use squawk_parser::{EntryPoint, LexedStr, StrStep};
use squawk_syntax::{SyntaxKind, SyntaxNode};

/// A syntax error at a range of the parsed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawError {
    pub range: TextRange,
    pub message: String,
}

/// Parses a PL/pgSQL body. The tree's offsets are those of `text`.
pub(crate) fn parse_plpgsql(text: &str) -> (SyntaxNode, Vec<RawError>) {
    let mut current = std::borrow::Cow::Borrowed(text);
    // Each round removes every INTO clause that squawk stumbled on; a statement
    // has at most one, so two rounds settle any body and the third is a guard.
    for _ in 0..3 {
        let (root, errors) = build(&current, EntryPoint::Plpgsql);
        let blanks = into_clauses(&root, &errors);
        if blanks.is_empty() {
            return (root, errors);
        }
        let mut bytes = current.into_owned().into_bytes();
        for range in blanks {
            for b in &mut bytes[usize::from(range.start())..usize::from(range.end())] {
                // keep newlines so line numbers of later errors are unchanged
                if *b != b'\n' {
                    *b = b' ';
                }
            }
        }
        // only ASCII token bytes were replaced, so this is still UTF-8
        current = std::borrow::Cow::Owned(String::from_utf8(bytes).unwrap_or_default());
    }
    build(&current, EntryPoint::Plpgsql)
}

/// Parses SQL text on its own (a function body in `LANGUAGE sql`, an `EXECUTE` string).
pub(crate) fn parse_sql(text: &str) -> (SyntaxNode, Vec<RawError>) {
    build(text, EntryPoint::SourceFile)
}

fn build(text: &str, entry: EntryPoint) -> (SyntaxNode, Vec<RawError>) {
    let lexed = LexedStr::new(text);
    let output = entry.parse(&lexed.to_input());
    let mut builder = GreenNodeBuilder::new();
    let mut errors = vec![];
    lexed.intersperse_trivia(&output, &mut |step| match step {
        StrStep::Token { kind, text } => builder.token(rowan::SyntaxKind(kind.into()), text),
        StrStep::Enter { kind } => builder.start_node(rowan::SyntaxKind(kind.into())),
        StrStep::Exit => builder.finish_node(),
        StrStep::Error { msg, pos } => {
            errors.push(RawError { range: TextRange::empty(TextSize::new(pos as u32)), message: msg.to_owned() })
        }
    });
    for (range, msg) in lexed.errors() {
        errors.push(RawError { range: TextRange::new(range.start.into(), range.end.into()), message: msg.to_owned() });
    }
    errors.sort_by_key(|e| e.range.start());
    let green: GreenNode = builder.finish();
    (SyntaxNode::new_root(green), errors)
}

/// The `INTO target` clauses of the statements squawk could not parse.
fn into_clauses(root: &SyntaxNode, errors: &[RawError]) -> Vec<TextRange> {
    let mut out = vec![];
    for error in errors {
        if !error.message.starts_with("expected a statement") {
            continue;
        }
        let Some(stmt) =
            root.descendants().find(|n| n.kind() == SyntaxKind::ERROR && n.text_range().start() == error.range.start())
        else {
            continue;
        };
        if let Some(range) = into_clause(&stmt) {
            out.push(range);
        }
    }
    out
}

/// Finds PL/pgSQL's `INTO [STRICT] target[, target]` in a statement's tokens: the
/// first `INTO` at parenthesis depth 0 that does not follow `INSERT` or `MERGE`.
fn into_clause(stmt: &SyntaxNode) -> Option<TextRange> {
    let tokens: Vec<_> =
        stmt.descendants_with_tokens().filter_map(|e| e.into_token()).filter(|t| !t.kind().is_trivia()).collect();
    let mut depth = 0i32;
    let mut prev = SyntaxKind::EOF;
    for (i, token) in tokens.iter().enumerate() {
        match token.kind() {
            SyntaxKind::L_PAREN => depth += 1,
            SyntaxKind::R_PAREN => depth -= 1,
            SyntaxKind::SEMICOLON if depth == 0 => return None,
            SyntaxKind::INTO_KW if depth == 0 && prev != SyntaxKind::INSERT_KW && prev != SyntaxKind::MERGE_KW => {
                let mut j = i + 1;
                if tokens.get(j).is_some_and(|t| t.kind() == SyntaxKind::STRICT_KW) {
                    j += 1;
                }
                // target (. field)* (, target (. field)*)*
                let mut end = token.text_range().end();
                loop {
                    let t = tokens.get(j)?;
                    if !is_name(t.kind()) {
                        break;
                    }
                    end = t.text_range().end();
                    j += 1;
                    match tokens.get(j).map(|t| t.kind()) {
                        Some(SyntaxKind::DOT | SyntaxKind::COMMA) => j += 1,
                        _ => break,
                    }
                }
                return Some(TextRange::new(token.text_range().start(), end));
            }
            _ => {}
        }
        prev = token.kind();
    }
    None
}

fn is_name(kind: SyntaxKind) -> bool {
    kind == SyntaxKind::IDENT || kind == SyntaxKind::POSITIONAL_PARAM || kind.is_keyword()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(body: &str) -> Vec<String> {
        parse_plpgsql(body).1.into_iter().map(|e| e.message).collect()
    }

    #[test]
    fn select_into_is_accepted() {
        assert_eq!(errors(" begin select count(*) into strict n from app.t where x = 1; end "), Vec::<String>::new());
    }

    #[test]
    fn returning_into_is_accepted() {
        let body = " begin insert into app.t (a) values (1) returning id, a into v_id, v_rec.a; end ";
        assert_eq!(errors(body), Vec::<String>::new());
    }

    #[test]
    fn into_keeps_the_statement_in_the_tree() {
        let (root, _) = parse_plpgsql(" begin select a into b from app.t; end ");
        assert!(root.descendants().any(|n| n.kind() == SyntaxKind::RELATION_NAME_REF));
    }

    #[test]
    fn real_errors_remain() {
        assert_eq!(errors(" begin perfom 1; end ").len(), 2);
    }
}
