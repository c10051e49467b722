//! The state of a rows page in its URL: filters (`fc`, `fo`, `fv`, repeated),
//! sort (`sort`, `dir`), position (`after` / `before` cursors as JSON arrays, or
//! `offset`) and `limit`. Parsed for the handlers and written back for links, so
//! every view can be bookmarked and works without script.

use crate::db::browse::{Position, Request};
use crate::db::error::DbError;
use crate::db::filter::{Filter, Op};
use crate::db::keyset::SortOrder;

/// The most rows one page may ask for.
pub const MAX_LIMIT: usize = 1000;

/// Parses a rows page's query string.
pub fn parse(query: Option<&str>, default_limit: usize) -> Result<Request, DbError> {
    let pairs: Vec<(String, String)> =
        form_urlencoded::parse(query.unwrap_or("").as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    let all = |key: &'static str| pairs.iter().filter(move |(k, _)| k == key).map(|(_, v)| v.as_str());
    let one = |key: &'static str| all(key).next();
    let mut filters = Vec::new();
    for ((column, op), value) in all("fc").zip(all("fo")).zip(all("fv").chain(std::iter::repeat(""))) {
        if column.is_empty() {
            continue;
        }
        let op = Op::parse(op).ok_or_else(|| DbError::UnknownFilterOperator { op: op.to_owned() })?;
        filters.push(Filter { column: column.to_owned(), op, value: value.to_owned() });
    }
    let sort = match one("sort").filter(|s| !s.is_empty()) {
        Some(column) => {
            let dir = one("dir")
                .map(|d| SortOrder::parse(d).ok_or_else(|| DbError::UnknownSortDirection { dir: d.to_owned() }));
            Some((column.to_owned(), dir.transpose()?.unwrap_or(SortOrder::Asc)))
        }
        None => None,
    };
    let cursor = |s: &str| serde_json::from_str::<Vec<Option<String>>>(s).map_err(|_| DbError::MalformedCursor);
    let position = match (one("after"), one("before"), one("offset")) {
        (Some(a), _, _) => Position::After(cursor(a)?),
        (_, Some(b), _) => Position::Before(cursor(b)?),
        (_, _, Some(o)) => Position::Offset(o.parse().map_err(|_| DbError::NotANumber { parameter: "offset" })?),
        _ => Position::First,
    };
    let limit = match one("limit") {
        Some(l) => l.parse::<usize>().map_err(|_| DbError::NotANumber { parameter: "limit" })?.clamp(1, MAX_LIMIT),
        None => default_limit.clamp(1, MAX_LIMIT),
    };
    Ok(Request { filters, sort, position, limit })
}

/// The query pairs of `req`, with `position` instead of the request's own.
pub fn pairs(req: &Request, position: &Position, default_limit: usize) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for f in &req.filters {
        out.push(("fc".into(), f.column.clone()));
        out.push(("fo".into(), f.op.code().into()));
        out.push(("fv".into(), f.value.clone()));
    }
    if let Some((column, dir)) = &req.sort {
        out.push(("sort".into(), column.clone()));
        out.push(("dir".into(), dir.code().into()));
    }
    match position {
        Position::First => {}
        Position::After(c) => out.push(("after".into(), serde_json::to_string(c).unwrap_or_default())),
        Position::Before(c) => out.push(("before".into(), serde_json::to_string(c).unwrap_or_default())),
        Position::Offset(n) => out.push(("offset".into(), n.to_string())),
    }
    if req.limit != default_limit {
        out.push(("limit".into(), req.limit.to_string()));
    }
    out
}

/// `base?pairs`.
pub fn href(base: &str, pairs: &[(String, String)]) -> String {
    format!("{base}{}", crate::html::links::query(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_state_survives_a_round_trip() {
        let q = "fc=name&fo=contains&fv=a%26b&fc=price&fo=null&fv=&sort=price&dir=desc&after=%5B%2210%22%2C%22x%22%5D&limit=20";
        let req = parse(Some(q), 50).unwrap();
        assert_eq!(req.filters.len(), 2);
        assert_eq!(req.filters[0].value, "a&b");
        assert_eq!(req.sort, Some(("price".into(), SortOrder::Desc)));
        assert_eq!(req.position, Position::After(vec![Some("10".into()), Some("x".into())]));
        let again = parse(Some(&href("", &pairs(&req, &req.position, 50))[1..]), 50).unwrap();
        assert_eq!(again.filters, req.filters);
        assert_eq!(again.position, req.position);
        assert_eq!(again.limit, 20);
    }

    #[test]
    fn bad_parameters_are_refused() {
        assert!(parse(Some("fc=a&fo=like&fv=x"), 50).is_err());
        assert!(parse(Some("after=nope"), 50).is_err());
        assert!(parse(Some("sort=a&dir=sideways"), 50).is_err());
    }
}
