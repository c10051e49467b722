//! Passwords in connection strings: the one place that finds them, so that no
//! message, event or child process's command line shows one.
//!
//! A connection string is a URL (`postgres://user:password@host/db?password=...`)
//! or libpq's `key=value` form (`host=h password='p w'`). For display, the search
//! is deliberately more generous than libpq's or sqlx's parsers: a password that
//! holds an unescaped `/`, `?`, `#` or `@` (which those parsers then misread, and
//! whose connection therefore fails and gets reported) is still hidden, at the
//! cost of sometimes hiding a little more than the password.

use std::ops::Range;

/// What stands in for a password.
const MASK: &str = "***";

/// One password found in a connection string.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Found {
    /// The password as written (percent-encoded or quoted).
    value: Range<usize>,
    /// What to cut to leave a connection string without the password: the
    /// `:password` of a URL's user part, a whole `password=...` parameter.
    whole: Range<usize>,
    form: Form,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// In a URL: percent-encoded.
    Url,
    /// A libpq keyword value: maybe single-quoted, with backslash escapes.
    Keyword,
}

/// Parameters whose value is a secret (libpq's names; sqlx reads `password` too).
fn is_secret_key(key: &str) -> bool {
    key.eq_ignore_ascii_case("password") || key.eq_ignore_ascii_case("sslpassword")
}

/// The connection string with every password replaced by `***`, for messages.
pub fn redact(conn: &str) -> String {
    replace(conn, &find(conn, true), |_| MASK.into())
}

/// Any text (an error message) with the passwords of the connection strings in it
/// replaced: each `scheme://...` word, and every `password=value`.
pub fn redact_text(text: &str) -> String {
    let plain = |t: &str| replace(t, &keywords(t), |_| MASK.into());
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let start = rest[..i].rfind(|c: char| !(c.is_ascii_alphanumeric() || "+-.".contains(c))).map_or(0, |s| s + 1);
        let end = rest[i..].find(char::is_whitespace).map_or(rest.len(), |e| i + e);
        out.push_str(&plain(&rest[..start]));
        // Punctuation after the URL (a closing quote, `: ` before a cause) is not part of it.
        let word = rest[start..end].trim_end_matches(['"', '\'', ')', ']', ',', ';', ':']);
        out.push_str(&redact(word));
        out.push_str(&rest[start + word.len()..end]);
        rest = &rest[end..];
    }
    out.push_str(&plain(rest));
    out
}

/// The connection string without its password (for a client program's command
/// line, where other users may read it), and the password (for `PGPASSWORD`).
/// Only where the connection string's own parser would look: this string has
/// already connected once.
pub fn without_password(conn: &str) -> (String, Option<String>) {
    let found = find(conn, false);
    let password = found.last().map(|f| match f.form {
        Form::Url => percent_decode(&conn[f.value.clone()]),
        Form::Keyword => unquote(&conn[f.value.clone()]),
    });
    let mut out = String::with_capacity(conn.len());
    let mut at = 0;
    for f in &found {
        out.push_str(&conn[at..f.whole.start]);
        at = f.whole.end;
    }
    out.push_str(&conn[at..]);
    // A query left as `?` or `&` at the end, after cutting its last parameter.
    let trimmed = out.trim_end_matches(['&', '?']).len();
    out.truncate(trimmed);
    (out.trim().to_owned(), password)
}

fn replace(text: &str, found: &[Found], with: impl Fn(&Found) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for f in found {
        if f.value.start < at {
            continue;
        }
        out.push_str(&text[at..f.value.start]);
        out.push_str(&with(f));
        at = f.value.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Every password in `conn`, in order. `generous`: also where a password with
/// unescaped delimiters would end (for display).
fn find(conn: &str, generous: bool) -> Vec<Found> {
    let Some(scheme_end) = conn.find("://").map(|i| i + 3) else {
        return keywords(conn);
    };
    let mut found = vec![];
    let rest = &conn[scheme_end..];
    // RFC 3986: the authority ends at the first `/`, `?` or `#`; its user part at its last `@`.
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let user_end = match rest[..authority_end].rfind('@') {
        Some(at) => Some(at),
        // No `@` in the authority, but one later: a password holding `/`, `?` or `#`
        // (the string cannot have connected), or an `@` in the path or query.
        None if generous && rest[..authority_end].contains(':') => rest.rfind('@'),
        None => None,
    };
    let mut query_from = scheme_end;
    if let Some(at) = user_end {
        if let Some(colon) = rest[..at].find(':') {
            found.push(Found {
                value: scheme_end + colon + 1..scheme_end + at,
                whole: scheme_end + colon..scheme_end + at,
                form: Form::Url,
            });
        }
        query_from = scheme_end + at + 1;
    }
    if let Some(q) = conn[query_from..].find('?').map(|q| query_from + q + 1) {
        found.extend(query_passwords(conn, q));
    }
    found
}

/// `password=...` parameters of the query starting at `start`.
fn query_passwords(conn: &str, start: usize) -> Vec<Found> {
    let mut found = vec![];
    let mut at = start;
    while at < conn.len() {
        let end = param_end(conn, at);
        let param = &conn[at..end];
        if let Some((key, _)) = param.split_once('=')
            && is_secret_key(key)
        {
            // Cut the separator too: the one before, else the one after.
            let whole = if conn[..at].ends_with('&') {
                at - 1..end
            } else if end < conn.len() {
                at..end + 1
            } else {
                at..end
            };
            found.push(Found { value: at + key.len() + 1..end, whole, form: Form::Url });
        }
        at = end + 1;
    }
    found
}

/// Where the query parameter starting at `start` ends: at the next `&` that starts
/// another `key=` (an unescaped `&` inside a password stays in it).
fn param_end(conn: &str, start: usize) -> usize {
    let mut at = start;
    while let Some(amp) = conn[at..].find('&').map(|i| at + i) {
        let next = &conn[amp + 1..];
        let key_len = next.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(next.len());
        if key_len > 0 && next[key_len..].starts_with('=') {
            return amp;
        }
        at = amp + 1;
    }
    conn.len()
}

/// libpq `key = value` pairs whose key is a password, anywhere in `text`: the value
/// is single-quoted (with `\'` and `\\`) or runs to the next whitespace.
fn keywords(text: &str) -> Vec<Found> {
    let lower = text.to_ascii_lowercase();
    let mut found = vec![];
    let mut from = 0;
    while let Some(i) = lower[from..].find("password").map(|i| from + i) {
        from = i + "password".len();
        let key_start = if lower[..i].ends_with("ssl") { i - 3 } else { i };
        let before = text[..key_start].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let after_key = &text[from..];
        let Some(after_eq) = after_key.trim_start().strip_prefix('=') else { continue };
        let value_start = text.len() - after_eq.trim_start().len();
        let value_end = value_end(text, value_start);
        if value_end > value_start {
            found.push(Found { value: value_start..value_end, whole: key_start..value_end, form: Form::Keyword });
        }
        from = value_end.max(from);
    }
    found
}

fn value_end(text: &str, start: usize) -> usize {
    let b = text.as_bytes();
    let mut i = start;
    if b.get(i) == Some(&b'\'') {
        i += 1;
        while i < b.len() {
            match b[i] {
                b'\\' => i += 2,
                b'\'' => return i + 1,
                _ => i += 1,
            }
        }
        return b.len();
    }
    while i < b.len() && !b[i].is_ascii_whitespace() {
        i += if b[i] == b'\\' { 2 } else { 1 };
    }
    i.min(b.len())
}

fn unquote(value: &str) -> String {
    let inner = value.strip_prefix('\'').map(|v| v.strip_suffix('\'').unwrap_or(v)).unwrap_or(value);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            c => out.push(c),
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(v) = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::{redact, redact_text, without_password};

    #[test]
    fn url_passwords_are_masked() {
        assert_eq!(redact("postgres://u:secret@h:5432/db"), "postgres://u:***@h:5432/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("postgres://h/db?x=@y"), "postgres://h/db?x=@y");
        assert_eq!(redact("postgres://u:p%40ss@h/db"), "postgres://u:***@h/db");
    }

    #[test]
    fn unescaped_slash_at_and_question_mark_in_a_password_are_masked() {
        assert_eq!(redact("postgres://u:pa/ss@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u:p@ss@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u:p?a#s/s@h:5/db"), "postgres://u:***@h:5/db");
    }

    #[test]
    fn query_passwords_are_masked() {
        assert_eq!(redact("postgres://u@h/db?password=secret"), "postgres://u@h/db?password=***");
        assert_eq!(
            redact("postgres://h/db?sslmode=disable&PASSWORD=s&cr&t&application_name=x"),
            "postgres://h/db?sslmode=disable&PASSWORD=***&application_name=x"
        );
        assert_eq!(redact("postgres://u:a@h/db?sslpassword=k"), "postgres://u:***@h/db?sslpassword=***");
    }

    #[test]
    fn keyword_passwords_are_masked() {
        assert_eq!(redact("host=h password=secret dbname=d"), "host=h password=*** dbname=d");
        assert_eq!(redact("host=h password = 'se cr\\'et' user=u"), "host=h password = *** user=u");
        assert_eq!(redact("host=h mypassword=x"), "host=h mypassword=x");
    }

    #[test]
    fn free_text_is_masked_word_by_word() {
        assert_eq!(
            redact_text("connecting to \"postgres://u:pw@h/db\": refused; also password=x"),
            "connecting to \"postgres://u:***@h/db\": refused; also password=***"
        );
        assert_eq!(
            redact_text("connecting to postgres://h/db?password=pw: refused"),
            "connecting to postgres://h/db?password=***: refused"
        );
        assert_eq!(redact_text("no secrets here: a://b"), "no secrets here: a://b");
    }

    #[test]
    fn passwords_leave_the_connection_string() {
        assert_eq!(
            without_password("postgres://u:p%40ss@h:1/db"),
            ("postgres://u@h:1/db".to_owned(), Some("p@ss".to_owned()))
        );
        assert_eq!(without_password("postgres://u@h/db"), ("postgres://u@h/db".to_owned(), None));
        assert_eq!(
            without_password("postgres://u@h/db?password=p%2Fw&sslmode=disable"),
            ("postgres://u@h/db?sslmode=disable".to_owned(), Some("p/w".to_owned()))
        );
        assert_eq!(
            without_password("postgres://u@h/db?sslmode=disable&password=pw"),
            ("postgres://u@h/db?sslmode=disable".to_owned(), Some("pw".to_owned()))
        );
        assert_eq!(
            without_password("postgres://u@h/db?password=pw"),
            ("postgres://u@h/db".to_owned(), Some("pw".to_owned()))
        );
        assert_eq!(
            without_password("host=h password='a b\\'c' dbname=d"),
            ("host=h  dbname=d".to_owned(), Some("a b'c".to_owned()))
        );
        // An `@` in the query is not a user part.
        assert_eq!(
            without_password("postgres://h:5/db?application_name=a@b"),
            ("postgres://h:5/db?application_name=a@b".to_owned(), None)
        );
    }
}
