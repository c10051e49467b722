//! Reads a JSON object field by field into domain types, collecting every issue.
//!
//! serde stops at the first field of the wrong type; a form wants to mark all of them.
//! So a body is first parsed as a [`serde_json::Value`] (malformed JSON is the only
//! failure there), then each request type takes its fields from an [`Input`], which
//! records what is missing, mistyped or invalid, and finally reports every key that no
//! field took as unrecognized.

use std::borrow::Cow;

use serde_json::{Map, Value};
use uuid::Uuid;

use super::issue::{IssueCode, Issues, Violation};
use super::text::Text;

/// A request type that is read from a JSON object.
pub trait FromInput: Sized {
    /// Takes this type's fields from `input`. Returns `None` when a field failed (the
    /// issue is already recorded in `input`).
    fn from_input(input: &mut Input) -> Option<Self>;
}

/// A field of a partial update: left alone, cleared (`null`), or set.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Patch<T> {
    /// The key was absent: keep the stored value.
    #[default]
    Keep,
    /// The key was `null`: clear the stored value.
    Clear,
    /// The key had a valid value.
    Set(T),
}

impl<T> Patch<T> {
    /// Whether the field changes the stored value.
    pub fn is_keep(&self) -> bool {
        matches!(self, Patch::Keep)
    }
}

/// The fields of a JSON object not yet taken, and the issues found so far.
#[derive(Debug)]
pub struct Input {
    fields: Map<String, Value>,
    issues: Issues,
}

impl Input {
    /// Reads `value` as a `T`: every issue at once, or the value.
    pub fn parse<T: FromInput>(value: Value) -> Result<T, Issues> {
        let Value::Object(fields) = value else {
            let message = format!("Expected object, received {}", json_type(&value));
            return Err(Issues::one(Violation::new(IssueCode::InvalidType, message).at(Vec::new())));
        };
        let mut input = Input { fields, issues: Issues::new() };
        let parsed = T::from_input(&mut input);
        let Input { fields, mut issues } = input;
        for (key, _) in fields {
            let message = format!("Unrecognized key: \"{key}\"");
            issues.push(Violation::new(IssueCode::UnrecognizedKeys, message).at_key(key));
        }
        match parsed {
            Some(value) if issues.is_empty() => Ok(value),
            _ => Err(issues),
        }
    }

    /// A field that must be present and not `null`.
    pub fn required<T>(&mut self, key: &'static str, parse: impl FnOnce(Value) -> Result<T, Violation>) -> Option<T> {
        match self.fields.remove(key) {
            None | Some(Value::Null) => {
                self.issues.push(Violation::required().at_key(key));
                None
            }
            Some(value) => self.run(key, value, parse),
        }
    }

    /// A field that may be absent or `null` (both read as `None`).
    pub fn optional<T>(
        &mut self,
        key: &'static str,
        parse: impl FnOnce(Value) -> Result<T, Violation>,
    ) -> Option<Option<T>> {
        match self.fields.remove(key) {
            None | Some(Value::Null) => Some(None),
            Some(value) => self.run(key, value, parse).map(Some),
        }
    }

    /// A field of a partial update whose column is nullable: absent keeps, `null` clears.
    pub fn patch<T>(
        &mut self,
        key: &'static str,
        parse: impl FnOnce(Value) -> Result<T, Violation>,
    ) -> Option<Patch<T>> {
        match self.fields.remove(key) {
            None => Some(Patch::Keep),
            Some(Value::Null) => Some(Patch::Clear),
            Some(value) => self.run(key, value, parse).map(Patch::Set),
        }
    }

    /// A field of a partial update whose column is not nullable: absent keeps, `null`
    /// is an error.
    pub fn patch_required<T>(
        &mut self,
        key: &'static str,
        parse: impl FnOnce(Value) -> Result<T, Violation>,
    ) -> Option<Option<T>> {
        match self.fields.remove(key) {
            None => Some(None),
            Some(Value::Null) => {
                let message = "Expected a value, received null";
                self.issues.push(Violation::new(IssueCode::InvalidType, message).at_key(key));
                None
            }
            Some(value) => self.run(key, value, parse).map(Some),
        }
    }

    fn run<T>(
        &mut self,
        key: &'static str,
        value: Value,
        parse: impl FnOnce(Value) -> Result<T, Violation>,
    ) -> Option<T> {
        match parse(value) {
            Ok(parsed) => Some(parsed),
            Err(violation) => {
                self.issues.push(violation.at_key(key));
                None
            }
        }
    }
}

/// The value as [`Text`]: a string, without the NUL that PostgreSQL cannot store.
pub fn text(value: Value) -> Result<Text, Violation> {
    match value {
        Value::String(s) => Text::parse(s),
        other => Err(wrong_type("string", &other)),
    }
}

/// The value as a whole number that fits an `i64`.
pub fn integer(value: Value) -> Result<i64, Violation> {
    match &value {
        Value::Number(n) => n.as_i64().ok_or_else(|| {
            let message = if n.is_f64() { "Expected integer, received float" } else { "Number must fit in 64 bits" };
            Violation::new(if n.is_f64() { IssueCode::InvalidType } else { IssueCode::TooBig }, message)
        }),
        other => Err(wrong_type("integer", other)),
    }
}

/// The value as a boolean.
pub fn boolean(value: Value) -> Result<bool, Violation> {
    match value {
        Value::Bool(b) => Ok(b),
        other => Err(wrong_type("boolean", &other)),
    }
}

/// The value as a UUID string.
pub fn uuid(value: Value) -> Result<Uuid, Violation> {
    match &value {
        Value::String(s) => Uuid::try_parse(s).map_err(|_| Violation::new(IssueCode::InvalidString, "Invalid uuid")),
        other => Err(wrong_type("string", other)),
    }
}

fn wrong_type(expected: &str, received: &Value) -> Violation {
    let message = format!("Expected {expected}, received {}", json_type(received));
    Violation::new(IssueCode::InvalidType, Cow::Owned(message))
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[derive(Debug)]
    struct Pair {
        a: Text,
        b: Option<i64>,
    }

    impl FromInput for Pair {
        fn from_input(input: &mut Input) -> Option<Pair> {
            let a = input.required("a", text);
            let b = input.optional("b", integer);
            Some(Pair { a: a?, b: b? })
        }
    }

    fn codes(issues: &Issues) -> Vec<(String, IssueCode)> {
        issues.as_slice().iter().map(|i| (i.path.join("."), i.code)).collect()
    }

    #[test]
    fn reports_every_issue_not_the_first() {
        let issues = Input::parse::<Pair>(json!({"a": 1, "b": "x", "c": true, "d": null})).unwrap_err();
        assert_eq!(
            codes(&issues),
            vec![
                ("a".into(), IssueCode::InvalidType),
                ("b".into(), IssueCode::InvalidType),
                ("c".into(), IssueCode::UnrecognizedKeys),
                ("d".into(), IssueCode::UnrecognizedKeys),
            ]
        );
    }

    #[test]
    fn missing_and_null_required_fields_are_required() {
        let issues = Input::parse::<Pair>(json!({"a": null})).unwrap_err();
        assert_eq!(issues.as_slice()[0].message, "Required");
        let issues = Input::parse::<Pair>(json!({})).unwrap_err();
        assert_eq!(codes(&issues), vec![("a".into(), IssueCode::InvalidType)]);
    }

    #[test]
    fn a_body_that_is_not_an_object_is_one_issue_at_the_root() {
        let issues = Input::parse::<Pair>(json!([1])).unwrap_err();
        assert_eq!(codes(&issues), vec![(String::new(), IssueCode::InvalidType)]);
        assert_eq!(issues.as_slice()[0].message, "Expected object, received array");
    }

    #[test]
    fn a_nul_in_a_string_is_an_issue_beside_the_others() {
        // PostgreSQL cannot store a NUL: it must not get past parsing.
        let issues = Input::parse::<Pair>(json!({"a": "x\u{0}", "b": "x"})).unwrap_err();
        assert_eq!(codes(&issues), vec![("a".into(), IssueCode::InvalidString), ("b".into(), IssueCode::InvalidType)]);
        assert_eq!(uuid(json!("\u{0}")).unwrap_err().message, "Invalid uuid");
    }

    #[test]
    fn floats_are_not_integers() {
        assert_eq!(integer(json!(1.5)).unwrap_err().code, IssueCode::InvalidType);
        assert_eq!(integer(json!(u64::MAX)).unwrap_err().code, IssueCode::TooBig);
        assert_eq!(integer(json!(-3)).unwrap(), -3);
    }

    #[test]
    fn valid_input_parses() {
        let pair = Input::parse::<Pair>(json!({"a": "x"})).unwrap();
        assert_eq!((pair.a.as_str(), pair.b), ("x", None));
    }
}
