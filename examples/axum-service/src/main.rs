//! An axum service that brings its database up to date when it starts, from
//! migrations compiled into its own binary: where it runs, it needs neither the
//! migration files nor the `strata` CLI.
//!
//! `DATABASE_URL` says where the database is, `LISTEN` where to serve
//! (default `127.0.0.1:3000`). Run it from the workspace with
//! `DATABASE_URL=postgres://... cargo run -p axum-service`.

use std::process::ExitCode;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use strata_migrate::{EmbeddedMigrations, Migrator};

/// Every file under `migrations/migrate` and `migrations/seed`, read at build time.
static MIGRATIONS: EmbeddedMigrations = strata_migrate::embed!("migrations");

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("DATABASE_URL").map_err(|_| "DATABASE_URL is not set")?;
    let pool = PgPoolOptions::new().max_connections(5).connect(&url).await?;
    // Replicas starting together take turns on strata's advisory lock: each file
    // runs once. An applied file that was edited since stops the start (exit 1).
    let report = Migrator::new(MIGRATIONS).up(&pool).await?;
    println!("migrations: {} applied at startup", report.done.len());

    let listen = std::env::var("LISTEN").unwrap_or_else(|_| "127.0.0.1:3000".into());
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    println!("listening on http://{}", listener.local_addr()?);
    let app = Router::new().route("/notes", get(notes)).with_state(pool);
    axum::serve(listener, app).await?;
    Ok(())
}

/// `GET /notes`: every note, oldest first.
async fn notes(State(pool): State<PgPool>) -> Result<Json<Value>, StatusCode> {
    let rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, body FROM app.notes ORDER BY id")
        .fetch_all(&pool)
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    Ok(Json(rows.into_iter().map(|(id, body)| json!({"id": id, "body": body})).collect()))
}
