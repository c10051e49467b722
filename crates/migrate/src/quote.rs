//! Writing names and values into SQL text, and reading names back as PostgreSQL
//! stores them. Every crate of strata that writes SQL text quotes here, so a name
//! such as `user`, `Order` or `a"b` is handled the same way everywhere.
//!
//! Values that are run are bound, not quoted; [`literal`] is for SQL that is
//! shown, stored as text or sent where no parameter can go (a `DO` block).

/// `name` as a quoted identifier, `"name"`, with inner quotes doubled. NUL, which
/// no PostgreSQL name can hold, is dropped so the result stays one identifier.
pub fn ident(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    out.push('"');
    for c in name.chars() {
        if c == '"' {
            out.push('"');
        }
        if c != '\0' {
            out.push(c);
        }
    }
    out.push('"');
    out
}

/// `name` unquoted when PostgreSQL would read it back unchanged (lower case
/// letters, digits, `_` and `$`, not starting with a digit or `$`), else
/// [`ident`]. For messages people read; keywords such as `user` are not
/// recognised, so SQL that is run uses [`ident`].
pub fn ident_if_needed(name: &str) -> String {
    let plain = name.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$');
    if plain { name.to_owned() } else { ident(name) }
}

/// `value` as a string literal: `'it''s'`, or `E'a\\b'` when it holds
/// backslashes, so it reads back the same whatever `standard_conforming_strings` is.
pub fn literal(value: &str) -> String {
    let escaped = value.replace('\'', "''");
    if value.contains('\\') { format!("E'{}'", escaped.replace('\\', "\\\\")) } else { format!("'{escaped}'") }
}

/// An identifier as written (`"Auth"`, `Auth`, `"a""b"`) as PostgreSQL stores it:
/// a quoted one without its quotes and with doubled quotes made single, an
/// unquoted one folded to lower case (ASCII only, as PostgreSQL does in UTF-8).
pub fn fold(written: &str) -> String {
    let t = written.trim();
    match t.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => t.to_ascii_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each case: what `f` gives for an input.
    fn check(f: fn(&str) -> String, cases: &[(&str, &str)]) {
        for (input, expected) in cases {
            assert_eq!(f(input), *expected, "for {input:?}");
        }
    }

    #[test]
    fn identifiers_are_always_quoted_with_inner_quotes_doubled() {
        let cases = [
            ("user", r#""user""#),
            (r#"a"b"#, r#""a""b""#),
            (r#""""#, r#""""""""#),
            ("x\0y", r#""xy""#),
            ("Mixed Case", r#""Mixed Case""#),
        ];
        check(ident, &cases);
    }

    #[test]
    fn only_names_that_would_fold_or_break_are_quoted_for_people() {
        let cases = [
            ("items", "items"),
            ("_x$1", "_x$1"),
            ("Items", r#""Items""#),
            ("1st", r#""1st""#),
            ("a b", r#""a b""#),
            (r#"a"b"#, r#""a""b""#),
            ("", r#""""#),
        ];
        check(ident_if_needed, &cases);
    }

    #[test]
    fn literals_double_quotes_and_escape_backslashes() {
        let cases =
            [("it's", "'it''s'"), ("''", "''''''"), (r"a\b", r"E'a\\b'"), (r"it's a\b", r"E'it''s a\\b'"), ("", "''")];
        check(literal, &cases);
    }

    #[test]
    fn folding_reads_names_back_as_stored() {
        // PostgreSQL folds only ASCII letters in UTF-8 databases.
        let cases =
            [("Auth", "auth"), (r#""Auth""#, "Auth"), (r#""a""b""#, r#"a"b"#), (" APP ", "app"), ("ÄRGER", "Ärger")];
        check(fold, &cases);
        for name in ["auth", "Mixed Case", r#"a"b"#, "user"] {
            assert_eq!(fold(&ident(name)), name);
        }
    }
}
