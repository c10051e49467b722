//! The create_schemas migration: the first file of the `migrate` track, the only
//! one that creates schemas, and so the list of the project's schemas. The
//! linter, the CLI and the history's per-schema views all read that list here.

use crate::quote;
use crate::split;

/// The description the first migration must have (`<version>_create_schemas`).
pub const DESCRIPTION: &str = "create_schemas";

/// The schemas `sql` (a create_schemas file) creates, in order, as PostgreSQL
/// stores their names: `CREATE SCHEMA IF NOT EXISTS Auth` creates `auth`,
/// `CREATE SCHEMA "Auth"` creates `Auth`, and `CREATE SCHEMA AUTHORIZATION joe`
/// creates `joe`. Comments and string literals are not read.
pub fn created_schemas(sql: &str) -> Vec<String> {
    let mut out = vec![];
    for statement in split::split(sql) {
        let tokens = tokens(statement.text);
        if !(is_word(tokens.first(), "create") && is_word(tokens.get(1), "schema")) {
            continue;
        }
        let mut i = skip_if_exists(&tokens, 2);
        if is_word(tokens.get(i), "authorization") {
            i += 1;
        }
        if let Some(name) = tokens.get(i).and_then(Token::name) {
            out.push(name);
        }
    }
    out
}

/// Every schema `sql` names right after the keyword `SCHEMA` (`CREATE SCHEMA a`,
/// `DROP SCHEMA IF EXISTS a, b`, `GRANT USAGE ON SCHEMA a`, `ALTER DEFAULT
/// PRIVILEGES IN SCHEMA a`), folded as [`created_schemas`] folds them.
pub fn schemas_named(sql: &str) -> Vec<String> {
    let mut out = vec![];
    for statement in split::split(sql) {
        let tokens = tokens(statement.text);
        for (at, _) in tokens.iter().enumerate().filter(|(_, t)| is_word(Some(t), "schema")) {
            let mut i = skip_if_exists(&tokens, at + 1);
            if is_word(tokens.get(i), "authorization") {
                i += 1;
            }
            while let Some(name) = tokens.get(i).and_then(Token::name) {
                out.push(name);
                if tokens.get(i + 1) != Some(&Token::Comma) {
                    break;
                }
                i += 2;
            }
        }
    }
    out
}

/// What the scan sees of a statement: names (unquoted words folded, quoted ones
/// as written) and the punctuation that matters; literals and comments vanish.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Quoted(String),
    Comma,
    Other,
}

impl Token {
    /// The name this token stands for, as PostgreSQL stores it.
    fn name(&self) -> Option<String> {
        match self {
            Token::Word(w) => Some(w.clone()),
            Token::Quoted(q) => Some(q.clone()),
            Token::Comma | Token::Other => None,
        }
    }
}

fn is_word(token: Option<&Token>, keyword: &str) -> bool {
    matches!(token, Some(Token::Word(w)) if w == keyword)
}

/// The index after an optional `IF [NOT] EXISTS` starting at `i`.
fn skip_if_exists(tokens: &[Token], mut i: usize) -> usize {
    if is_word(tokens.get(i), "if") {
        i += 1;
        if is_word(tokens.get(i), "not") {
            i += 1;
        }
        if is_word(tokens.get(i), "exists") {
            i += 1;
        }
    }
    i
}

fn tokens(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = vec![];
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c.is_whitespace() {
            i += 1;
        } else if c == '-' && next == Some('-') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c == '"' || c == '\'' {
            // A doubled quote inside stays inside; `E'\''` is rare enough in DDL
            // that it is read as PostgreSQL reads it with standard strings.
            let start = i;
            i += 1;
            while i < chars.len() {
                if chars[i] == c && chars.get(i + 1) == Some(&c) {
                    i += 2;
                } else if chars[i] == c {
                    break;
                } else {
                    i += 1;
                }
            }
            i += 1;
            if c == '"' {
                let written: String = chars[start..i.min(chars.len())].iter().collect();
                out.push(Token::Quoted(quote::fold(&written)));
            } else {
                out.push(Token::Other);
            }
        } else if c.is_alphanumeric() || c == '_' || c == '$' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$') {
                i += 1;
            }
            out.push(Token::Word(quote::fold(&chars[start..i].iter().collect::<String>())));
        } else {
            out.push(if c == ',' { Token::Comma } else { Token::Other });
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unquoted_names_fold_and_quoted_names_keep_their_case() {
        assert_eq!(created_schemas("CREATE SCHEMA IF NOT EXISTS Auth;"), ["auth"]);
        assert_eq!(created_schemas("CREATE SCHEMA IF NOT EXISTS \"Auth\";"), ["Auth"]);
        assert_eq!(created_schemas("create schema \"we\"\"ird\";"), ["we\"ird"]);
        assert_eq!(created_schemas("CREATE SCHEMA AUTHORIZATION Joe;"), ["joe"]);
    }

    #[test]
    fn comments_and_strings_are_not_read() {
        let sql = "-- CREATE SCHEMA nope;\nCREATE SCHEMA IF NOT EXISTS auth;\n/* CREATE SCHEMA no /* nested */ */\
                   create schema master;\nCREATE SCHEMA \"app\" AUTHORIZATION x;\n\
                   COMMENT ON SCHEMA app IS 'CREATE SCHEMA fake';\n\
                   CREATE /* odd */ SCHEMA\n  -- a comment between\n  billing;";
        assert_eq!(created_schemas(sql), ["auth", "master", "app", "billing"]);
    }

    #[test]
    fn other_statements_create_nothing() {
        assert!(created_schemas("CREATE TABLE schema (id int); SELECT 'create schema x';").is_empty());
        assert!(created_schemas("").is_empty());
    }

    #[test]
    fn every_schema_after_the_keyword_is_named() {
        let sql = "DROP SCHEMA IF EXISTS a, \"B\" CASCADE; GRANT USAGE ON SCHEMA App TO r;\n\
                   ALTER DEFAULT PRIVILEGES IN SCHEMA c GRANT SELECT ON TABLES TO r; -- SCHEMA d\n\
                   CREATE SCHEMA IF NOT EXISTS e;";
        assert_eq!(schemas_named(sql), ["a", "B", "app", "c", "e"]);
    }
}
