//! The studio's URLs, built in one place: path segments and query values are
//! percent-encoded, so any schema, table or column name makes a working link.

use crate::db::ident::QualifiedName;
use crate::db::row::RowKey;

/// Percent-encodes a path segment (everything but unreserved characters).
pub fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `?a=1&b=2` (or nothing) from pairs.
pub fn query<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    let mut any = false;
    for (k, v) in pairs {
        s.append_pair(k, v);
        any = true;
    }
    if any { format!("?{}", s.finish()) } else { String::new() }
}

/// The rows page of a relation.
pub fn table(name: &QualifiedName) -> String {
    format!("/s/{}/{}", segment(&name.schema), segment(&name.name))
}

/// A sub-page of a relation (`structure`, `row`, `export`...).
pub fn table_page(name: &QualifiedName, page: &str) -> String {
    format!("{}/{page}", table(name))
}

/// Key pairs as `c=<column>&v=<value>` query pairs.
pub fn key_pairs(key: &RowKey) -> Vec<(&str, &str)> {
    key.0.iter().flat_map(|(c, v)| [("c", c.as_str()), ("v", v.as_str())]).collect()
}

/// The page of one row.
pub fn row(name: &QualifiedName, key: &RowKey) -> String {
    format!("{}{}", table_page(name, "row"), query(key_pairs(key)))
}

/// The rows page filtered to rows whose `columns` equal `values`.
pub fn rows_where(name: &QualifiedName, columns: &[String], values: &[String]) -> String {
    let pairs: Vec<(&str, &str)> =
        columns.iter().zip(values).flat_map(|(c, v)| [("fc", c.as_str()), ("fo", "eq"), ("fv", v.as_str())]).collect();
    format!("{}{}", table(name), query(pairs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_encoded() {
        assert_eq!(table(&QualifiedName::new("Mixed Case", "we\"ird/x")), "/s/Mixed%20Case/we%22ird%2Fx");
        let key = RowKey(vec![("id".into(), "a&b".into())]);
        assert_eq!(row(&QualifiedName::new("app", "items"), &key), "/s/app/items/row?c=id&v=a%26b");
    }
}
