//! Which schemas a migration file touches, for per-schema views of the history
//! and per-schema backups.
//!
//! A `-- strata:schema NAME` header (which `strata generate --schema` writes) is
//! authoritative. Without one, every `name.` / `"name".` qualifier outside
//! comments and string literals counts: the linter requires every relation to be
//! schema-qualified, so in a linted set this finds every schema a file uses.

use std::collections::BTreeSet;

use crate::create_schemas;

/// The header that declares the schemas a file touches (one per line, may repeat).
pub const SCHEMA_DIRECTIVE: &str = "-- strata:schema ";

/// The schemas `sql` touches, among `known` (case-insensitive for unquoted names).
pub fn schemas_touched(sql: &str, known: &[String]) -> BTreeSet<String> {
    let declared: BTreeSet<String> = sql
        .lines()
        .filter_map(|l| l.trim().strip_prefix(SCHEMA_DIRECTIVE))
        .flat_map(|rest| rest.split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned))
        .collect();
    if !declared.is_empty() {
        return declared;
    }
    let code = strip_comments_and_strings(sql);
    let named = create_schemas::schemas_named(sql);
    let mut out = BTreeSet::new();
    for schema in known {
        let unquoted = format!("{}.", schema.to_ascii_lowercase());
        let quoted = format!("\"{schema}\".");
        let lower = code.to_ascii_lowercase();
        let hit_unquoted = lower.match_indices(&unquoted).any(|(i, _)| {
            i == 0 || !lower.as_bytes()[i - 1].is_ascii_alphanumeric() && lower.as_bytes()[i - 1] != b'_'
        });
        // `CREATE SCHEMA app`, `DROP SCHEMA app`, `GRANT ... ON SCHEMA app`: the schema itself, unqualified.
        let named_itself = named.iter().any(|n| n.eq_ignore_ascii_case(schema));
        if hit_unquoted || code.contains(&quoted) || named_itself {
            out.insert(schema.clone());
        }
    }
    out
}

/// The text with comments and quoted strings blanked (same length, so positions hold).
fn strip_comments_and_strings(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut last = 0;
    for stmt in crate::split::split(sql) {
        // Text between statements is whitespace and comments only.
        out.push_str(&" ".repeat(stmt.offset - last));
        out.push_str(&blank_literals(stmt.text));
        last = stmt.offset + stmt.text.len();
    }
    out
}

fn blank_literals(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_quote = false;
    let mut in_line_comment = false;
    for c in text.chars() {
        match (in_quote, in_line_comment, c) {
            (false, false, '\'') => {
                in_quote = true;
                out.push(' ');
            }
            (true, _, '\'') => {
                in_quote = false;
                out.push(' ');
            }
            (false, false, '-') if out.ends_with('-') => {
                in_line_comment = true;
                out.pop();
                out.push_str("  ");
            }
            (_, true, '\n') => {
                in_line_comment = false;
                out.push('\n');
            }
            (true, _, _) | (_, true, _) => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> Vec<String> {
        vec!["auth".into(), "master".into(), "app".into()]
    }

    #[test]
    fn header_wins() {
        let sql = "-- strata:schema app\nINSERT INTO auth.x VALUES (1);";
        assert_eq!(schemas_touched(sql, &known()).into_iter().collect::<Vec<_>>(), ["app"]);
    }

    #[test]
    fn qualified_names_outside_comments_and_strings() {
        let sql = "-- touches master.categories? no, a comment\nCREATE TABLE IF NOT EXISTS app.items (user_id uuid REFERENCES \"auth\".\"user\" (id), note text DEFAULT 'master.x');\n";
        assert_eq!(schemas_touched(sql, &known()).into_iter().collect::<Vec<_>>(), ["app", "auth"]);
        assert!(schemas_touched("SELECT myapp.f();", &known()).is_empty());
        assert_eq!(
            schemas_touched("CREATE SCHEMA IF NOT EXISTS master;", &known()).into_iter().collect::<Vec<_>>(),
            ["master"]
        );
    }
}
