//! CSV as RFC 4180 writes it: fields with commas, quotes or line breaks quoted,
//! quotes doubled; NULL is an empty field, the empty string a quoted empty field.

/// One CSV line (with its CRLF) of `values`.
pub fn line<'a>(values: impl IntoIterator<Item = Option<&'a str>>) -> String {
    let mut out = String::new();
    for (i, v) in values.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match v {
            None => {}
            Some(v) if v.is_empty() || v.contains([',', '"', '\n', '\r']) || v.starts_with(' ') || v.ends_with(' ') => {
                out.push('"');
                out.push_str(&v.replace('"', "\"\""));
                out.push('"');
            }
            Some(v) => out.push_str(v),
        }
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_when_needed() {
        assert_eq!(line([Some("a"), None, Some("")]), "a,,\"\"\r\n");
        assert_eq!(
            line([Some("x,y"), Some("say \"hi\""), Some("two\nlines")]),
            "\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n"
        );
    }
}
