//! Tidying SQL text a user typed before it is run.

/// The statement without trailing semicolons and blanks; `None` when nothing is
/// left. Leading text is kept so PostgreSQL's error positions still point into
/// what the user typed.
pub fn single(sql: &str) -> Option<&str> {
    let trimmed = sql.trim_end_matches(|c: char| c.is_whitespace() || c == ';');
    (!trimmed.trim().is_empty()).then_some(trimmed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_semicolons_go_and_positions_stay() {
        assert_eq!(single("  SELECT 1;; \n"), Some("  SELECT 1"));
        assert_eq!(single(" ;\n"), None);
        assert_eq!(single(""), None);
    }
}
