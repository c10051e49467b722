//! `strata serve` and `strata dev`: the application's HTTP API, alone or with
//! everything a developer needs around it.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use anyhow::{Context as _, Result};
use serde_json::json;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use strata_app::AppConfig;
use strata_migrate::Track;
use tokio::net::TcpListener;

use crate::args::{DevArgs, ServeArgs, UpArgs};
use crate::config::{Context, redact};
use crate::output::{BOLD, GREEN, Output};

const DEFAULT_API_PORT: u16 = 3000;

async fn pool(ctx: &Context, application: &str) -> Result<PgPool> {
    let url = ctx.url()?;
    let options: PgConnectOptions = url.parse().context("parsing the database URL")?;
    PgPoolOptions::new()
        .max_connections(16)
        .connect_with(options.application_name(application))
        .await
        .with_context(|| format!("connecting to {}", redact(&url)))
}

/// Binds `port`, or with `fallback` the next free one of the following twenty.
async fn bind(host: IpAddr, port: u16, fallback: bool) -> Result<TcpListener> {
    let tries = if fallback { 20 } else { 1 };
    let mut last = None;
    for p in port..port.saturating_add(tries) {
        match TcpListener::bind(SocketAddr::new(host, p)).await {
            Ok(l) => return Ok(l),
            Err(e) => last = Some(e),
        }
    }
    Err(last.expect("at least one try")).with_context(|| format!("listening on {host}:{port}"))
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

pub async fn serve(ctx: &Context, out: Output, args: &ServeArgs) -> Result<u8> {
    let pool = pool(ctx, "strata serve").await?;
    let listener = bind(args.host, args.port, false).await?;
    let addr = listener.local_addr()?;
    out.event(json!({"event": "listening", "service": "api", "url": format!("http://{addr}")}));
    out.note(format!(
        "{GREEN}API{GREEN:#} listening on http://{addr}/api (OpenAPI: http://{addr}/api/openapi.json); Ctrl-C stops"
    ));
    let config = AppConfig { secure_cookies: args.secure_cookies, ..AppConfig::default() };
    strata_app::serve(listener, pool, config, shutdown_signal()).await.context("serving the API")?;
    Ok(0)
}

pub async fn dev(ctx: &Context, out: Output, args: &DevArgs) -> Result<u8> {
    if ctx.is_embedded() {
        let started = ctx.cluster().start().context("starting the embedded database")?;
        out.note(format!(
            "{GREEN}database{GREEN:#} embedded PostgreSQL on 127.0.0.1:{} ({})",
            started.port,
            if started.already_running { "already running" } else { "started" }
        ));
    }
    let up = UpArgs { to: None, dry_run: false, allow_out_of_order: false };
    crate::commands::track::up(ctx, out, Track::Migrate, &up).await?;
    crate::commands::track::up(ctx, out, Track::Seed, &up).await?;

    let pool = pool(ctx, "strata dev").await?;
    let localhost = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let api = bind(localhost, args.port.unwrap_or(DEFAULT_API_PORT), args.port.is_none()).await?;
    let api_addr = api.local_addr()?;
    let url = ctx.url()?;
    out.event(json!({"event": "listening", "service": "api", "url": format!("http://{api_addr}")}));
    out.result(format!(
        "\n{BOLD}strata dev is running{BOLD:#}\n  API:       http://{api_addr}/api/items\n  OpenAPI:   http://{api_addr}/api/openapi.json\n  database:  {}\n  demo login: {} / {}\nCtrl-C stops the servers; the embedded database keeps running (`strata db stop` stops it).",
        redact(&url),
        strata_app::DEMO_USERS.first().copied().unwrap_or_default(),
        strata_app::DEMO_PASSWORD,
    ));
    strata_app::serve(api, pool, AppConfig::default(), shutdown_signal()).await.context("serving the API")?;
    Ok(0)
}
