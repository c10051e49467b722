//! Reads a request body into a domain type, collecting every issue.
//!
//! Each body is declared once, as a `#[derive(Deserialize, ToSchema)]` struct in
//! [`crate::http::dto`] with `#[serde(rename_all = "camelCase")]`: that struct gives the
//! OpenAPI schema, the parsing and the key each issue is reported at. serde stops at the
//! first field of the wrong type, and a form wants to mark all of them, so each key of
//! such a struct is a [`Field`] (any JSON value, not yet checked); the keys the struct
//! does not name are collected beside it. [`FromBody::check`] then checks each field,
//! taken with [`field!`] (`field!(body.price_cents)`: the value and its key
//! `priceCents`, by serde's rule), through an [`Input`], which records what is missing,
//! mistyped or invalid, and every unrecognized key is reported after them.

use std::borrow::Cow;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::issue::{IssueCode, Issues, Violation};
use super::text::Text;

/// A domain type read from a JSON request body.
pub trait FromBody: Sized {
    /// The body as declared: its keys, each a `#[serde(default)]` [`Field`] with its
    /// documented type in `#[schema(value_type = ..)]`.
    type Body: DeserializeOwned;

    /// Checks the body's fields into `Self`, recording every problem in `input`;
    /// `None` when one failed.
    fn check(body: Self::Body, input: &mut Input) -> Option<Self>;
}

/// One key of a request body as sent: absent, or any JSON value (`null` included), to be
/// checked by an [`Input`].
#[derive(Debug, Clone, Default)]
pub struct Field(Option<Value>);

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Field, D::Error> {
        Value::deserialize(deserializer).map(|value| Field(Some(value)))
    }
}

/// A field of a body with its JSON key; made by [`field!`].
#[derive(Debug)]
pub struct Keyed {
    key: String,
    field: Field,
}

impl Keyed {
    /// The field `rust_name` of a body declared with `#[serde(rename_all = "camelCase")]`.
    pub fn new(rust_name: &str, field: Field) -> Keyed {
        Keyed { key: camel_case(rust_name), field }
    }
}

/// `field!(body.price_cents)`: the body's field with its JSON key (`priceCents`), both
/// from the field's one declaration.
macro_rules! field {
    ($body:ident . $name:ident) => {
        $crate::domain::input::Keyed::new(stringify!($name), $body.$name)
    };
}
pub(crate) use field;

/// serde's `rename_all = "camelCase"` for a field name: `price_cents` → `priceCents`.
pub fn camel_case(rust_name: &str) -> String {
    let mut out = String::with_capacity(rust_name.len());
    let mut capitalize = false;
    for ch in rust_name.chars() {
        if ch == '_' {
            capitalize = !out.is_empty();
        } else if capitalize {
            out.push(ch.to_ascii_uppercase());
            capitalize = false;
        } else {
            out.push(ch);
        }
    }
    out
}

/// A body split by serde: the keys `B` names, and the others.
#[derive(Deserialize)]
struct Parts<B> {
    #[serde(flatten)]
    body: B,
    #[serde(flatten)]
    unrecognized: Map<String, Value>,
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

/// The issues found so far while checking a body's fields.
#[derive(Debug, Default)]
pub struct Input {
    issues: Issues,
}

impl Input {
    /// Reads `value` as a `T`: every issue at once (the unrecognized keys last), or the
    /// value. A body that is not an object is one issue at the root.
    pub fn parse<T: FromBody>(value: Value) -> Result<T, Issues> {
        if !value.is_object() {
            let message = format!("Expected object, received {}", json_type(&value));
            return Err(Issues::one(Violation::new(IssueCode::InvalidType, message).at(Vec::new())));
        }
        // Every key of a body is a `Field` or unrecognized, so an object always deserializes.
        let Parts { body, unrecognized } = Parts::<T::Body>::deserialize(value)
            .map_err(|err| Issues::one(Violation::new(IssueCode::InvalidType, err.to_string()).at(Vec::new())))?;
        let mut input = Input::default();
        let parsed = T::check(body, &mut input);
        let Input { mut issues } = input;
        for (key, _) in unrecognized {
            let message = format!("Unrecognized key: \"{key}\"");
            issues.push(Violation::new(IssueCode::UnrecognizedKeys, message).at_key(key));
        }
        match parsed {
            Some(value) if issues.is_empty() => Ok(value),
            _ => Err(issues),
        }
    }

    /// A field that must be present and not `null`.
    pub fn required<T>(&mut self, field: Keyed, parse: impl FnOnce(Value) -> Result<T, Violation>) -> Option<T> {
        self.take(field, parse, Err(Violation::required()), Err(Violation::required()), |value| value)
    }

    /// A field that may be absent or `null` (both read as `None`).
    pub fn optional<T>(
        &mut self,
        field: Keyed,
        parse: impl FnOnce(Value) -> Result<T, Violation>,
    ) -> Option<Option<T>> {
        self.take(field, parse, Ok(None), Ok(None), Some)
    }

    /// A field of a partial update whose column is nullable: absent keeps, `null` clears.
    pub fn patch<T>(&mut self, field: Keyed, parse: impl FnOnce(Value) -> Result<T, Violation>) -> Option<Patch<T>> {
        self.take(field, parse, Ok(Patch::Keep), Ok(Patch::Clear), Patch::Set)
    }

    /// A field of a partial update whose column is not nullable: absent keeps, `null`
    /// is an error.
    pub fn patch_required<T>(
        &mut self,
        field: Keyed,
        parse: impl FnOnce(Value) -> Result<T, Violation>,
    ) -> Option<Option<T>> {
        let null = Violation::new(IssueCode::InvalidType, "Expected a value, received null");
        self.take(field, parse, Ok(None), Err(null), Some)
    }

    /// The field read one of the ways above: `absent` or `null` when it is, else the
    /// value parsed and passed to `set`. A violation is recorded at the field's key.
    fn take<T, R>(
        &mut self,
        Keyed { key, field }: Keyed,
        parse: impl FnOnce(Value) -> Result<T, Violation>,
        absent: Result<R, Violation>,
        null: Result<R, Violation>,
        set: impl FnOnce(T) -> R,
    ) -> Option<R> {
        let read = match field.0 {
            None => absent,
            Some(Value::Null) => null,
            Some(value) => parse(value).map(set),
        };
        match read {
            Ok(value) => Some(value),
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

    #[derive(serde::Deserialize)]
    struct PairBody {
        #[serde(default)]
        a: Field,
        #[serde(default)]
        b: Field,
    }

    impl FromBody for Pair {
        type Body = PairBody;
        fn check(body: PairBody, input: &mut Input) -> Option<Pair> {
            let (a, b) = (input.required(field!(body.a), text), input.optional(field!(body.b), integer));
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
    fn keys_are_serdes_camel_case_of_the_field_names() {
        for (rust, json) in
            [("name", "name"), ("price_cents", "priceCents"), ("is_active", "isActive"), ("a_b_c", "aBC")]
        {
            assert_eq!(camel_case(rust), json);
        }
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Body {
            #[serde(default)]
            price_cents: Field,
        }
        // The key serde reads is the key an issue is reported at.
        let body: Body = serde_json::from_value(json!({"priceCents": "x"})).unwrap();
        let mut input = Input::default();
        assert!(input.required(field!(body.price_cents), integer).is_none());
        assert_eq!(input.issues.as_slice()[0].path, ["priceCents"]);
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
