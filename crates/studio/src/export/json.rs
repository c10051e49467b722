//! JSON export: one object per row, keys in column order, with numbers, booleans
//! and `json` values kept as JSON rather than strings (as PostgreSQL's own
//! `row_to_json` does).

use crate::db::text_rows::JsonKind;

/// One row as a JSON object.
pub fn object(names: &[String], kinds: &[JsonKind], values: &[Option<String>]) -> String {
    let mut out = String::from("{");
    for (i, ((name, kind), value)) in names.iter().zip(kinds).zip(values).enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&string(name));
        out.push(':');
        out.push_str(&value_json(*kind, value.as_deref()));
    }
    out.push('}');
    out
}

fn string(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

fn value_json(kind: JsonKind, text: Option<&str>) -> String {
    let Some(text) = text else { return "null".into() };
    match kind {
        JsonKind::Bool => if text == "t" || text == "true" { "true" } else { "false" }.into(),
        // Written as PostgreSQL printed it, so no digit is lost; NaN and Infinity
        // have no JSON number and stay strings.
        JsonKind::Number if is_json_number(text) => text.to_owned(),
        JsonKind::Json => match serde_json::from_str::<serde_json::Value>(text) {
            Ok(v) => v.to_string(),
            Err(_) => string(text),
        },
        _ => string(text),
    }
}

/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
fn is_json_number(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    let int_start = i;
    let n = digits(&mut i);
    if n == 0 || (n > 1 && b[int_start] == b'0') {
        return false;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_their_json_types_and_columns_their_order() {
        let names = ["n", "b", "j", "s", "big", "nan", "null"].map(String::from);
        let kinds = [
            JsonKind::Number,
            JsonKind::Bool,
            JsonKind::Json,
            JsonKind::String,
            JsonKind::Number,
            JsonKind::Number,
            JsonKind::String,
        ];
        let values = [
            Some("42"),
            Some("t"),
            Some("{\"a\": 1}"),
            Some("x\"y"),
            Some("12345678901234567890.50"),
            Some("NaN"),
            None,
        ]
        .map(|v| v.map(String::from));
        assert_eq!(
            object(&names, &kinds, &values),
            r#"{"n":42,"b":true,"j":{"a":1},"s":"x\"y","big":12345678901234567890.50,"nan":"NaN","null":null}"#
        );
    }

    #[test]
    fn json_numbers_are_recognised() {
        for ok in ["0", "-1", "12.5", "1e+100", "-0.5E-3"] {
            assert!(is_json_number(ok), "{ok}");
        }
        for bad in ["", "-", "01", "1.", ".5", "Infinity", "NaN", "1e", "+1"] {
            assert!(!is_json_number(bad), "{bad}");
        }
    }
}
