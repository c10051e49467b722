//! How one value is shown: NULL set apart from the empty string, long values cut
//! with a mark, foreign-key values as links to the referenced row.

use maud::{Markup, html};

use crate::db::foreign_keys::ForeignKey;
use crate::db::row::RowKey;
use crate::html::links;

/// A value, cut or whole.
pub fn value(text: Option<&str>, truncated: bool) -> Markup {
    html! {
        @match text {
            None => span.null { "NULL" },
            Some("") => span.empty { "(empty)" },
            Some(t) => { (t) @if truncated { span.more title="cut; open the row for the whole value" { "…" } } },
        }
    }
}

/// The link a foreign key makes from one row's values (all of `values` are the
/// row's values by column position), or `None` when a key column is NULL.
pub fn key_link(fk: &ForeignKey, column_positions: &[usize], values: &[Option<String>]) -> Option<String> {
    let pairs = fk
        .to_columns
        .iter()
        .zip(column_positions)
        .map(|(to, &i)| Some((to.clone(), values.get(i)?.clone()?)))
        .collect::<Option<Vec<_>>>()?;
    Some(links::row(&fk.to, &RowKey(pairs)))
}
