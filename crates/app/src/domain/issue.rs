//! Validation issues in the shape Zod's `safeParse` reports them: a path to the value,
//! a machine-readable code and a message for people.

use std::borrow::Cow;

use serde::Serialize;
use utoipa::ToSchema;

/// What kind of problem an [`Issue`] is. The names follow Zod's issue codes where Zod has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IssueCode {
    /// The value is missing or of the wrong JSON type.
    InvalidType,
    /// The value is shorter or smaller than allowed.
    TooSmall,
    /// The value is longer or larger than allowed.
    TooBig,
    /// The string is not of the required format (email, phone number, UUID, ...).
    InvalidString,
    /// The body is not JSON at all.
    InvalidJson,
    /// A key that the endpoint does not accept.
    UnrecognizedKeys,
    /// The value names a row that does not exist (a category, a location).
    InvalidReference,
    /// The value is already taken (an email, a phone number).
    AlreadyExists,
    /// A one-time code that does not match.
    InvalidCode,
}

/// A problem with one value, not yet placed at a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// What kind of problem.
    pub code: IssueCode,
    /// A sentence for people.
    pub message: Cow<'static, str>,
}

impl Violation {
    /// A violation with the given code and message.
    pub fn new(code: IssueCode, message: impl Into<Cow<'static, str>>) -> Violation {
        Violation { code, message: message.into() }
    }

    /// A required value that is missing (or `null`).
    pub fn required() -> Violation {
        Violation::new(IssueCode::InvalidType, "Required")
    }

    /// `value` has `min` to `max` characters, else a `too_small`/`too_big` violation
    /// naming `what` ("Name must contain at least 1 character(s)").
    pub fn check_length(what: &str, value: &str, min: usize, max: usize) -> Result<(), Violation> {
        let chars = value.chars().count();
        if chars < min {
            return Err(Violation::new(
                IssueCode::TooSmall,
                format!("{what} must contain at least {min} character(s)"),
            ));
        }
        if chars > max {
            return Err(Violation::new(IssueCode::TooBig, format!("{what} must contain at most {max} character(s)")));
        }
        Ok(())
    }

    /// Places the violation at a path.
    pub fn at(self, path: Vec<Cow<'static, str>>) -> Issue {
        Issue { path, code: self.code, message: self.message }
    }

    /// Places the violation at a top-level key.
    pub fn at_key(self, key: impl Into<Cow<'static, str>>) -> Issue {
        self.at(vec![key.into()])
    }
}

/// One invalid value: where it is, what is wrong, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Issue {
    /// The keys leading to the value from the root of the body (or the query string);
    /// empty for the body as a whole.
    #[schema(value_type = Vec<String>)]
    pub path: Vec<Cow<'static, str>>,
    /// What kind of problem.
    pub code: IssueCode,
    /// A sentence for people.
    #[schema(value_type = String)]
    pub message: Cow<'static, str>,
}

/// Every issue found in one request, in the order the fields were read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Issues(Vec<Issue>);

impl Issues {
    /// No issues yet.
    pub fn new() -> Issues {
        Issues(Vec::new())
    }

    /// Exactly one issue.
    pub fn one(issue: Issue) -> Issues {
        Issues(vec![issue])
    }

    /// Records an issue.
    pub fn push(&mut self, issue: Issue) {
        self.0.push(issue);
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The issues found.
    pub fn as_slice(&self) -> &[Issue] {
        &self.0
    }

    /// `Ok(value)` when nothing was found, else every issue.
    pub fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, Issues> {
        if self.is_empty() { Ok(value()) } else { Err(self) }
    }
}

impl From<Issue> for Issues {
    fn from(issue: Issue) -> Issues {
        Issues::one(issue)
    }
}

impl IntoIterator for Issues {
    type Item = Issue;
    type IntoIter = std::vec::IntoIter<Issue>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}
