//! `syntax-error`: the file is not valid PostgreSQL.
//!
//! Exactly one finding per file, the first error, placed where PostgreSQL would
//! place it: on the token "at or near" which parsing failed (the parser notes
//! errors at the end of the previous token; we move to the next token).

use crate::check::Check;
use crate::finding::Severity;
use crate::rules::Rule;

pub(crate) const RULE: Rule = Rule {
    id: "syntax-error",
    severity: Severity::Error,
    summary: "The file must be valid PostgreSQL, including the PL/pgSQL bodies that PostgreSQL checks when the file runs.",
};

pub(crate) fn check(cx: &mut Check<'_>) {
    let Some(error) = cx.file.errors.first() else { return };
    let text = cx.text;
    let mut detail = format!(": {}", describe(&error.message));
    if !error.range.is_empty() {
        // the lexer's errors cover the offending token already
        let start = usize::from(error.range.start());
        let end = usize::from(error.range.end()).min(start + line_len(text, start));
        let what = lexer_error(&error.message).map_or_else(|| format!("syntax error{detail}"), str::to_owned);
        cx.report_at(&RULE, start..end, what, None);
        return;
    }
    let mut at = skip_trivia(text, usize::from(error.range.start()).min(text.len()));
    if error.message.starts_with("unexpected trailing comma") && text[at..].starts_with(',') {
        at = skip_trivia(text, at + 1);
    }
    if error.message.starts_with("expected command") {
        let moved = past_command_prefix(text, at);
        if moved != at {
            // "expected command, found CREATE" no longer describes the new place
            detail.clear();
            at = moved;
        }
    }
    if at >= text.len() {
        // point just past the last token, where the statement was cut short
        let end = text.trim_end().len();
        cx.report_at(&RULE, end..end, format!("syntax error at end of input{detail}"), None);
        return;
    }
    let len = token_len(&text[at..]);
    let near = &text[at..at + len];
    cx.report_at(&RULE, at..at + len, format!("syntax error at or near \"{near}\"{detail}"), None);
}

/// PostgreSQL's words for the lexer's errors.
fn lexer_error(message: &str) -> Option<&'static str> {
    if message.contains("dollar quoted") {
        Some("unterminated dollar-quoted string")
    } else if message.contains("terminate the string literal") {
        Some("unterminated quoted string")
    } else if message.contains("block comment") {
        Some("unterminated /* comment")
    } else if message.contains("quoted identifier") {
        Some("unterminated quoted identifier")
    } else {
        None
    }
}

fn line_len(text: &str, start: usize) -> usize {
    text[start..].find('\n').unwrap_or(text.len() - start)
}

/// Skips whitespace and comments (nested block comments included).
fn skip_trivia(text: &str, mut at: usize) -> usize {
    let bytes = text.as_bytes();
    loop {
        while at < bytes.len() && bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        if text[at..].starts_with("--") {
            at += line_len(text, at);
        } else if text[at..].starts_with("/*") {
            let mut depth = 0;
            while at < bytes.len() {
                if text[at..].starts_with("/*") {
                    depth += 1;
                    at += 2;
                } else if text[at..].starts_with("*/") {
                    depth -= 1;
                    at += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    at += text[at..].chars().next().map_or(1, char::len_utf8);
                }
            }
        } else {
            return at;
        }
    }
}

/// The length of the token at the start of `text`: a word, a quoted identifier or
/// string, or one character.
fn token_len(text: &str) -> usize {
    let mut chars = text.char_indices();
    let Some((_, first)) = chars.next() else { return 0 };
    if first.is_alphanumeric() || first == '_' {
        return text.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$')).unwrap_or(text.len());
    }
    if first == '"' || first == '\'' {
        return text[1..].find(first).map_or(first.len_utf8(), |i| i + 2);
    }
    first.len_utf8()
}

/// `CREATE TABEL ...`: PostgreSQL fails on `TABEL`, after the words that can start
/// many commands. The parser reports the statement's first word instead.
fn past_command_prefix(text: &str, mut at: usize) -> usize {
    const LEADS: &[&str] = &["create", "alter", "drop"];
    const MODIFIERS: &[&str] = &[
        "or",
        "replace",
        "unique",
        "temp",
        "temporary",
        "unlogged",
        "global",
        "local",
        "materialized",
        "recursive",
        "trusted",
        "procedural",
        "foreign",
        "default",
        "constraint",
    ];
    let word = |at: usize| text[at..at + token_len(&text[at..])].to_ascii_lowercase();
    if !LEADS.contains(&word(at).as_str()) {
        return at;
    }
    at = skip_trivia(text, at + token_len(&text[at..]));
    while at < text.len() && MODIFIERS.contains(&word(at).as_str()) {
        at = skip_trivia(text, at + token_len(&text[at..]));
    }
    at
}

/// squawk's message with token kinds spelled as SQL (`R_PAREN` -> `)`).
fn describe(message: &str) -> String {
    message
        .split(' ')
        .map(|word| {
            let (core, tail) = match word.strip_suffix(',') {
                Some(core) => (core, ","),
                None => (word, ""),
            };
            let spelled = match core {
                "COMMA" => "`,`".to_owned(),
                "SEMICOLON" => "`;`".to_owned(),
                "L_PAREN" => "`(`".to_owned(),
                "R_PAREN" => "`)`".to_owned(),
                "L_BRACK" => "`[`".to_owned(),
                "R_BRACK" => "`]`".to_owned(),
                "DOT" => "`.`".to_owned(),
                "EQ" => "`=`".to_owned(),
                "IDENT" => "a name".to_owned(),
                "INT_NUMBER" | "FLOAT_NUMBER" => "a number".to_owned(),
                "STRING" => "a string".to_owned(),
                "EOF" => "the end of input".to_owned(),
                k if k.len() > 3 && k.ends_with("_KW") && k.chars().all(|c| c.is_ascii_uppercase() || c == '_') => {
                    format!("`{}`", k[..k.len() - 3].replace('_', " "))
                }
                other => other.to_owned(),
            };
            spelled + tail
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use insta::assert_snapshot;

    use crate::test_support::check;

    #[test]
    fn token_kinds_read_as_sql() {
        assert_eq!(super::describe("expected command, found CREATE_KW"), "expected command, found `CREATE`");
        assert_eq!(super::describe("expected R_PAREN"), "expected `)`");
    }

    #[test]
    fn finds_one_error_where_postgres_reports_it() {
        assert_snapshot!(check(
            super::RULE.id,
            "CREATE TABLE IF NOT EXISTS app.t (\n    id int,\n    name text\n    price int\n);\nSELECT FROM WHERE;\n"
        ));
        assert_snapshot!(check(super::RULE.id, "CREATE TABEL app.t (id int);\n"));
        // an unclosed quote is the `unterminated` rule's finding, not a second syntax error
        assert_snapshot!(check(crate::rules::unterminated::RULE.id, "SELECT 'unterminated;\n"));
        assert_snapshot!(check(super::RULE.id, "SELECT (1 + 2\n"));
    }

    #[test]
    fn finds_errors_inside_plpgsql_bodies() {
        assert_snapshot!(check(
            super::RULE.id,
            "CREATE OR REPLACE FUNCTION app.f() RETURNS int LANGUAGE plpgsql AS $$\nBEGIN\n    IF true THEN\n        RETURN 1;\n    END;\nEND\n$$;\n"
        ));
    }

    #[test]
    fn accepts_plpgsql_into_targets() {
        assert_snapshot!(check(
            super::RULE.id,
            r#"DO $$
DECLARE
    n bigint;
    v_id bigint;
BEGIN
    SELECT count(*) INTO STRICT n FROM app.items;
    INSERT INTO app.items (name) VALUES ('x') RETURNING id INTO v_id;
    UPDATE app.items SET name = 'y' WHERE id = v_id RETURNING id INTO v_id;
END
$$;
"#
        ));
    }
}
