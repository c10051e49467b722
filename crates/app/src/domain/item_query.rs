//! The query string of `GET /api/items`: filters and the page wanted.

use std::borrow::Cow;

use uuid::Uuid;

use super::cursor::Cursor;
use super::issue::{IssueCode, Issues, Violation};
use super::text::Text;

/// The page sizes allowed (from the application's configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageLimits {
    /// The size when `limit` is not given.
    pub default: u32,
    /// The largest `limit` accepted.
    pub max: u32,
}

/// Which items, and which page of them. Newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemQuery {
    /// `active=true|false`: only listed or only unlisted items.
    pub active: Option<bool>,
    /// `category=<uuid>`: items in this category or any of its subcategories.
    pub category: Option<Uuid>,
    /// `location=<uuid>`: items at this place or any place inside it.
    pub location: Option<Uuid>,
    /// `owner=<uuid>`: items of this user.
    pub owner: Option<Uuid>,
    /// `q=text`: the text appears in the name or the description (case-insensitive).
    pub search: Option<Text>,
    /// `limit=n`: at most this many items.
    pub limit: u32,
    /// `cursor=...`: the page after this position (from a previous page's `nextCursor`).
    pub after: Option<Cursor>,
}

impl ItemQuery {
    /// The longest search text accepted.
    pub const MAX_SEARCH_CHARS: usize = 200;

    /// Parses a raw query string (without the `?`), reporting every bad parameter.
    /// Unknown parameters are rejected, as unknown body fields are.
    pub fn parse(raw: &str, limits: PageLimits) -> Result<ItemQuery, Issues> {
        let mut query = ItemQuery {
            active: None,
            category: None,
            location: None,
            owner: None,
            search: None,
            limit: limits.default,
            after: None,
        };
        let mut issues = Issues::new();
        let mut seen: u8 = 0;
        for (key, value) in form_urlencoded::parse(raw.as_bytes()) {
            let Some(bit) = PARAMETERS.iter().position(|p| *p == key) else {
                let message = format!("Unrecognized query parameter: \"{key}\"");
                issues.push(Violation::new(IssueCode::UnrecognizedKeys, message).at_key(key.into_owned()));
                continue;
            };
            let key = PARAMETERS[bit];
            if seen & (1 << bit) != 0 {
                issues.push(Violation::new(IssueCode::InvalidType, "Given more than once").at_key(key));
                continue;
            }
            seen |= 1 << bit;
            let result = match key {
                "active" => parse_bool(&value).map(|v| query.active = Some(v)),
                "category" => parse_uuid(&value).map(|v| query.category = Some(v)),
                "location" => parse_uuid(&value).map(|v| query.location = Some(v)),
                "owner" => parse_uuid(&value).map(|v| query.owner = Some(v)),
                "q" => parse_search(value).map(|v| query.search = v),
                "limit" => parse_limit(&value, limits).map(|v| query.limit = v),
                "cursor" => Cursor::decode(&value)
                    .map(|v| query.after = Some(v))
                    .ok_or_else(|| Violation::new(IssueCode::InvalidString, "Invalid cursor")),
                _ => unreachable!("every name in PARAMETERS is matched"),
            };
            if let Err(violation) = result {
                issues.push(violation.at_key(key));
            }
        }
        issues.into_result(|| query)
    }
}

const PARAMETERS: [&str; 7] = ["active", "category", "location", "owner", "q", "limit", "cursor"];

fn parse_bool(value: &str) -> Result<bool, Violation> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(Violation::new(IssueCode::InvalidType, "Expected true or false")),
    }
}

fn parse_uuid(value: &str) -> Result<Uuid, Violation> {
    Uuid::try_parse(value).map_err(|_| Violation::new(IssueCode::InvalidString, "Invalid uuid"))
}

fn parse_search(value: Cow<'_, str>) -> Result<Option<Text>, Violation> {
    let trimmed = value.trim();
    Violation::check_length("Search text", trimmed, 0, ItemQuery::MAX_SEARCH_CHARS)?;
    let search = Text::parse(trimmed.to_owned())?;
    Ok((!search.is_empty()).then_some(search))
}

fn parse_limit(value: &str, limits: PageLimits) -> Result<u32, Violation> {
    let n: i64 = value.parse().map_err(|_| Violation::new(IssueCode::InvalidType, "Expected integer"))?;
    if n < 1 {
        return Err(Violation::new(IssueCode::TooSmall, "Limit must be greater than or equal to 1"));
    }
    if n > i64::from(limits.max) {
        let message = format!("Limit must be less than or equal to {}", limits.max);
        return Err(Violation::new(IssueCode::TooBig, message));
    }
    Ok(n as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: PageLimits = PageLimits { default: 20, max: 100 };

    #[test]
    fn empty_query_is_the_first_default_page() {
        let q = ItemQuery::parse("", LIMITS).unwrap();
        assert_eq!((q.limit, q.after, q.active, q.search), (20, None, None, None));
    }

    #[test]
    fn parses_every_filter() {
        let id = Uuid::new_v4();
        let raw = format!("active=false&category={id}&location={id}&owner={id}&q=+red%20bike+&limit=5");
        let q = ItemQuery::parse(&raw, LIMITS).unwrap();
        assert_eq!(q.active, Some(false));
        assert_eq!((q.category, q.location, q.owner), (Some(id), Some(id), Some(id)));
        assert_eq!(q.search.as_deref(), Some("red bike"));
        assert_eq!(q.limit, 5);
    }

    #[test]
    fn reports_every_bad_parameter() {
        let issues =
            ItemQuery::parse("active=yes&limit=0&category=x&cursor=nope&sort=name&limit=3", LIMITS).unwrap_err();
        let paths: Vec<_> = issues.as_slice().iter().map(|i| (i.path[0].as_ref(), i.code)).collect();
        assert_eq!(
            paths,
            vec![
                ("active", IssueCode::InvalidType),
                ("limit", IssueCode::TooSmall),
                ("category", IssueCode::InvalidString),
                ("cursor", IssueCode::InvalidString),
                ("sort", IssueCode::UnrecognizedKeys),
                ("limit", IssueCode::InvalidType),
            ]
        );
    }

    #[test]
    fn a_nul_in_the_search_text_is_an_issue_on_q() {
        // PostgreSQL cannot store or compare a NUL: the statement would fail (500).
        let issues = ItemQuery::parse("q=a%00b&limit=0", LIMITS).unwrap_err();
        let paths: Vec<_> = issues.as_slice().iter().map(|i| (i.path[0].as_ref(), i.code)).collect();
        assert_eq!(paths, vec![("q", IssueCode::InvalidString), ("limit", IssueCode::TooSmall)]);
    }

    #[test]
    fn limit_above_the_maximum_is_too_big() {
        let issues = ItemQuery::parse("limit=101", LIMITS).unwrap_err();
        assert_eq!(issues.as_slice()[0].code, IssueCode::TooBig);
        assert_eq!(ItemQuery::parse("limit=100", LIMITS).unwrap().limit, 100);
    }
}
