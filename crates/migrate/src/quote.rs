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

    #[test]
    fn identifiers_are_always_quoted_with_inner_quotes_doubled() {
        assert_eq!(ident("user"), "\"user\"");
        assert_eq!(ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(ident("\"\""), "\"\"\"\"\"\"");
        assert_eq!(ident("x\0y"), "\"xy\"");
        assert_eq!(ident("Mixed Case"), "\"Mixed Case\"");
    }

    #[test]
    fn only_names_that_would_fold_or_break_are_quoted_for_people() {
        assert_eq!(ident_if_needed("items"), "items");
        assert_eq!(ident_if_needed("_x$1"), "_x$1");
        assert_eq!(ident_if_needed("Items"), "\"Items\"");
        assert_eq!(ident_if_needed("1st"), "\"1st\"");
        assert_eq!(ident_if_needed("a\"b"), "\"a\"\"b\"");
        assert_eq!(ident_if_needed(""), "\"\"");
    }

    #[test]
    fn literals_double_quotes_and_escape_backslashes() {
        assert_eq!(literal("it's"), "'it''s'");
        assert_eq!(literal("''"), "''''''");
        assert_eq!(literal("a\\b"), "E'a\\\\b'");
        assert_eq!(literal("it's a\\b"), "E'it''s a\\\\b'");
        assert_eq!(literal(""), "''");
    }

    #[test]
    fn folding_reads_names_back_as_stored() {
        assert_eq!(fold("Auth"), "auth");
        assert_eq!(fold("\"Auth\""), "Auth");
        assert_eq!(fold("\"a\"\"b\""), "a\"b");
        assert_eq!(fold(" APP "), "app");
        // PostgreSQL folds only ASCII letters in UTF-8 databases.
        assert_eq!(fold("ÄRGER"), "Ärger");
        for name in ["auth", "Mixed Case", "a\"b", "user"] {
            assert_eq!(fold(&ident(name)), name);
        }
    }
}
