//! `GET /console` shows the form; `POST /console` runs the statement (SQL only ever
//! arrives in a POST, behind the CSRF check).

use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::db::console::{self, Mode};
use crate::db::transaction::{self, Access, Writable};
use crate::error::StudioError;
use crate::html::console_page::{self, ConsoleView};
use crate::html::layout::Section;
use crate::routes::context::ReadContext;
use crate::routes::form::Fields;
use crate::security::session::Session;
use crate::state::Studio;

pub async fn form(
    State(studio): State<Studio>,
    Extension(session): Extension<Session>,
) -> Result<Html<String>, StudioError> {
    let ctx = ReadContext::open(&studio).await?;
    let disabled = ctx.login.console_refusal(studio.config.unsafe_console).is_some();
    let view = view(&studio, &session, "", None, false, disabled);
    ctx.page(&studio, "SQL console", None, Section::Console, console_page::render(&view)).await
}

pub async fn run(
    State(studio): State<Studio>,
    Extension(session): Extension<Session>,
    body: Bytes,
) -> Result<Response, StudioError> {
    let fields = Fields::parse(&body);
    let sql = fields.get("sql").unwrap_or("").to_owned();
    let mode = match fields.get("action").unwrap_or("run") {
        "run" => Mode::Run,
        "explain" => Mode::Explain,
        "analyze" => Mode::ExplainAnalyze,
        other => return Err(StudioError::BadRequest(format!("unknown console action {other:?}"))),
    };
    let commit = fields.has("commit");
    let access = match commit {
        true => Access::ReadWrite(Writable::check(&studio.config, transaction::COMMIT_CHANGES)?),
        false => Access::ReadOnly,
    };
    let answer = console::run(&studio.console_pool, &sql, mode, access, limits(&studio), rights(&studio)).await?;
    let status = if answer.is_ok() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    let ctx = ReadContext::open(&studio).await?;
    let view = view(&studio, &session, &sql, Some(&answer), commit, false);
    let Html(page) = ctx.page(&studio, "SQL console", None, Section::Console, console_page::render(&view)).await?;
    Ok((status, Html(page)).into_response())
}

/// The console's caps, from the configuration.
pub fn limits(studio: &Studio) -> console::Limits {
    let c = &studio.config;
    console::Limits {
        timeout: c.statement_timeout,
        rows: c.row_cap,
        value_chars: c.value_cap,
        page_bytes: c.page_bytes,
    }
}

/// The studio's mode and its loud flag, which decide what the console may run.
pub fn rights(studio: &Studio) -> console::Rights {
    console::Rights { write: studio.config.write, unsafe_console: studio.config.unsafe_console }
}

fn view<'a>(
    studio: &'a Studio,
    session: &'a Session,
    sql: &'a str,
    answer: Option<&'a console::Answer>,
    commit: bool,
    disabled: bool,
) -> ConsoleView<'a> {
    ConsoleView {
        sql,
        answer,
        write: studio.config.write,
        commit,
        csrf: &session.csrf,
        row_cap: studio.config.row_cap,
        value_cap: studio.config.value_cap,
        page_bytes: studio.config.page_bytes,
        timeout_ms: studio.config.statement_timeout.as_millis(),
        disabled,
    }
}
