//! Exports of a table (with the page's filters and order) or of a console query,
//! as CSV or JSON, streamed: rows are read through a cursor a batch at a time and
//! written as they come, so a large table never sits in memory. Errors found
//! before the first batch (a bad filter, bad SQL) are a normal error page.
//!
//! Memory stays bounded: the query hands every value over cut by PostgreSQL to
//! the export's value cap plus one character (`left(value::text, n + 1)`), and a
//! batch holds only as many rows as fit [`BATCH_BYTES`] at that cap. A value longer
//! than the cap is written cut, followed by [`cut_marker`], so the file itself
//! says where it is incomplete.

pub mod csv;
pub mod json;

use axum::body::{Body, Bytes};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sqlx::{Postgres, Transaction};

use crate::db::cursor;
use crate::db::error::DbError;
use crate::db::text_rows::JsonKind;

/// The most rows read per `FETCH`.
const BATCH: usize = 1000;

/// The most bytes one batch may hold, with every value at the cap (4 bytes a
/// character at most).
pub const BATCH_BYTES: usize = 32 << 20;

/// What follows a value cut at `cap` characters in an export.
pub fn cut_marker(cap: usize) -> String {
    format!("[… cut by strata studio: longer than {cap} characters]")
}

/// An export's file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Json => "application/json",
        }
    }
}

/// A column of the export.
#[derive(Debug, Clone)]
pub struct ExportColumn {
    pub name: String,
    pub kind: JsonKind,
}

/// An export whose cursor is open and whose first batch is read.
pub struct Export {
    tx: Transaction<'static, Postgres>,
    columns: Vec<ExportColumn>,
    first: Vec<Vec<Option<String>>>,
    format: Format,
    filename: String,
    value_cap: usize,
    batch: usize,
}

impl Export {
    /// Declares the cursor for `select` in `tx` and reads the first batch.
    /// `select` must cut each value to `value_cap + 1` characters.
    pub async fn start(
        mut tx: Transaction<'static, Postgres>,
        select: &str,
        params: &[Option<String>],
        columns: Vec<ExportColumn>,
        format: Format,
        name: &str,
        value_cap: usize,
    ) -> Result<Export, DbError> {
        let batch = batch_rows(columns.len(), value_cap);
        cursor::declare(&mut tx, select, params).await?;
        let mut first = cursor::fetch(&mut tx, batch).await?;
        cut_batch(&mut first, value_cap);
        Ok(Export { tx, columns, first, format, filename: format!("{name}.{}", format.extension()), value_cap, batch })
    }
}

/// Rows per `FETCH` so that a batch of values at the cap stays within [`BATCH_BYTES`].
fn batch_rows(columns: usize, value_cap: usize) -> usize {
    let worst_row = columns.max(1).saturating_mul(value_cap.saturating_add(1)).saturating_mul(4);
    (BATCH_BYTES / worst_row.max(1)).clamp(1, BATCH)
}

/// Cuts values longer than `cap` characters and marks them.
fn cut_batch(rows: &mut [Vec<Option<String>>], cap: usize) {
    for value in rows.iter_mut().flatten().flatten() {
        if crate::db::console::cut_chars(value, cap) {
            value.push_str(&cut_marker(cap));
        }
    }
}

impl IntoResponse for Export {
    fn into_response(self) -> Response {
        let Export { mut tx, columns, first, format, filename, value_cap, batch: batch_size } = self;
        let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
        tokio::spawn(async move {
            let names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
            let kinds: Vec<JsonKind> = columns.iter().map(|c| c.kind).collect();
            let mut written = 0usize;
            let head = match format {
                Format::Csv => csv::line(names.iter().map(|n| Some(n.as_str()))),
                Format::Json => "[".to_owned(),
            };
            if sender.send(Ok(Bytes::from(head))).await.is_err() {
                return;
            }
            let mut batch = first;
            loop {
                let done = batch.len() < batch_size;
                let mut chunk = String::new();
                for row in &batch {
                    match format {
                        Format::Csv => chunk.push_str(&csv::line(row.iter().map(|v| v.as_deref()))),
                        Format::Json => {
                            chunk.push_str(if written == 0 { "\n" } else { ",\n" });
                            chunk.push_str(&json::object(&names, &kinds, row));
                        }
                    }
                    written += 1;
                }
                if !chunk.is_empty() && sender.send(Ok(Bytes::from(chunk))).await.is_err() {
                    return;
                }
                if done {
                    break;
                }
                batch = match cursor::fetch(&mut tx, batch_size).await {
                    Ok(mut b) => {
                        cut_batch(&mut b, value_cap);
                        b
                    }
                    Err(err) => {
                        tracing::warn!(error = %err, "export stopped");
                        // An error ends the body early, so the client sees a broken download.
                        let _ = sender.send(Err(std::io::Error::other(err.to_string()))).await;
                        return;
                    }
                };
            }
            if format == Format::Json {
                let _ = sender.send(Ok(Bytes::from_static(b"\n]\n"))).await;
            }
            let _ = tx.rollback().await;
        });
        let stream =
            futures_util::stream::unfold(receiver, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) });
        let mut response = (StatusCode::OK, Body::from_stream(stream)).into_response();
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(format.content_type()));
        if let Ok(v) = HeaderValue::from_str(&content_disposition(&filename)) {
            headers.insert(CONTENT_DISPOSITION, v);
        }
        response
    }
}

/// `attachment` with an ASCII fallback name and the exact UTF-8 name (RFC 6266).
fn content_disposition(filename: &str) -> String {
    let ascii: String = filename
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') { c } else { '_' })
        .collect();
    let encoded: String = filename
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_shrink_with_the_worst_row() {
        assert_eq!(batch_rows(1, 10), BATCH);
        assert_eq!(batch_rows(10, 64 << 10), 12);
        assert_eq!(batch_rows(2000, 1 << 20), 1);
    }

    #[test]
    fn cut_values_are_marked_in_the_file() {
        let mut rows = vec![vec![Some("abcdef".to_owned()), Some("ab".to_owned()), None]];
        cut_batch(&mut rows, 3);
        assert_eq!(rows[0][0].as_deref(), Some("abc[… cut by strata studio: longer than 3 characters]"));
        assert_eq!(rows[0][1].as_deref(), Some("ab"));
    }

    #[test]
    fn file_names_are_safe_in_the_header() {
        assert_eq!(
            content_disposition("app.we\"ird é.csv"),
            "attachment; filename=\"app.we_ird__.csv\"; filename*=UTF-8''app.we%22ird%20%C3%A9.csv"
        );
    }
}
