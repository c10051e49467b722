//! `strata serve` and `strata dev`: the application's HTTP API, alone or with
//! everything a developer needs around it.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use crate::event::Event;
use anyhow::{Context as _, Result};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use strata_app::AppConfig;
use strata_migrate::Track;
use tokio::net::TcpListener;

use crate::args::{DevArgs, ServeArgs, StudioArgs, UpArgs};
use crate::config::{ConnectAs, Context, redact};
use crate::exit::Usage;
use crate::http_server::{self, Limits};
use crate::logins::{self, Purpose};
use crate::output::{BOLD, GREEN, Output, YELLOW};

const DEFAULT_API_PORT: u16 = 3000;
const DEFAULT_STUDIO_PORT: u16 = 4983;

fn studio_config(ctx: &Context, write: bool) -> strata_studio::StudioConfig {
    let mut config = strata_studio::StudioConfig::new(write);
    config.migrations_dir = ctx.dir.is_dir().then(|| ctx.dir.clone());
    config.history_table = ctx.history.clone();
    config.lint = strata_lint::Config { disable: ctx.lint.disable.clone(), schemas: ctx.schemas.clone() };
    config
}

pub async fn studio(ctx: &Context, out: Output, args: &StudioArgs) -> Result<u8> {
    let mut config = studio_config(ctx, args.write);
    config.allowed_hosts = args.allow_hosts.clone();
    config.unsafe_console = args.unsafe_superuser_console;
    if let Some(token) = &args.token {
        config.token = token.clone();
    }
    let addr = SocketAddr::new(args.host, args.port);
    strata_studio::check_bind(addr, &config).map_err(|e| crate::exit::Usage::new(e.to_string()))?;
    let url = studio_url(ctx, args.write).await?;
    let pool = pool_on(&url, "strata studio", args.role.clone().or_else(|| ctx.studio.role.clone()), None).await?;
    let login = console_login(&pool, &config, out).await?;
    let listener = bind(args.host, args.port, false).await?;
    let launch = strata_studio::launch_url(listener.local_addr()?, &config);
    out.emit(Event::Listening { service: "studio", url: &launch, write: Some(args.write), login: Some(&login) });
    out.result(format!(
        "{GREEN}studio{GREEN:#} ({}, {login}): {launch}\nOpen that URL (it carries a one-time token, valid for {} minutes); Ctrl-C stops.",
        if args.write { "read-write" } else { "read-only" },
        config.launch_ttl.as_secs() / 60,
    ));
    let router = strata_studio::router(pool, config);
    let limits = Limits::from_env(Limits::STUDIO)?;
    http_server::serve(listener, router, limits, shutdown_signal()).await.context("serving the studio")?;
    Ok(0)
}

/// The studio's URL: on the embedded database (no URL configured), a login strata
/// makes for it (read-only, or `--write`); else `[studio] url_env`, else the
/// project's URL.
async fn studio_url(ctx: &Context, write: bool) -> Result<String> {
    if ctx.is_embedded() && ctx.studio.url_env.is_none() {
        let purpose = if write { Purpose::StudioWriter } else { Purpose::StudioReader };
        let url = logins::embedded_url(ctx, purpose).await?.expect("studio logins need no group role");
        logins::check_safe(&url, write).await?;
        return Ok(url);
    }
    configured_url(ctx, "strata studio", &ctx.studio)
}

/// Which login the studio runs as, and a warning when its console is disabled
/// there (the pages say the same).
async fn console_login(pool: &PgPool, config: &strata_studio::StudioConfig, out: Output) -> Result<String> {
    let mut conn = pool.acquire().await.context("connecting the studio")?;
    let login =
        strata_studio::db::login::inspect(&mut conn, config.write).await.context("reading the studio's login")?;
    if let Some(why) = login.console_refusal(config.unsafe_console) {
        out.warn(why);
    } else if !login.risks.is_empty() {
        out.warn(format!(
            "--unsafe-superuser-console: the SQL console runs on login {}, which is {}; whoever opens the studio can \
             run programs and read files on the database server",
            login.login,
            login.risks.join(", ")
        ));
    }
    Ok(login.label())
}

/// The URL a server connects with when strata makes no login for it: its own
/// login URL when `connect.url_env` names a set variable, else the project's.
fn configured_url(ctx: &Context, application: &str, connect: &ConnectAs) -> Result<String> {
    match connect.url_env.as_deref().map(|var| (var, ctx.var(var))) {
        Some((_, Some(url))) => Ok(url),
        Some((var, _)) => {
            Err(Usage::new(format!("strata.toml names {var} for {application}, but it is not set")).into())
        }
        None => ctx.url(),
    }
}

/// A pool for a server on `url`; with `role`, each connection runs `SET ROLE`
/// first, so every query has that role's privileges.
async fn pool_on(url: &str, application: &str, role: Option<String>, api: Option<&AppConfig>) -> Result<PgPool> {
    let mut options: PgConnectOptions = url.parse().context("parsing the database URL")?;
    if let Some(config) = api {
        // The API's statement timeout, on every connection from its start.
        options = strata_app::db::connect_options(options, config);
    }
    // A request waits at most 2 s for a connection: while PostgreSQL is down the API
    // answers 503 promptly instead of holding requests for sqlx's default 30 s.
    let mut pool = PgPoolOptions::new().max_connections(16).acquire_timeout(std::time::Duration::from_secs(2));
    if api.is_some() {
        // The API's pool: the same limits, no health check of connections in steady use.
        pool = strata_app::db::pool_options();
    }
    if let Some(role) = &role {
        pool = strata_app::roles::pool_options_as(pool, role);
    }
    let pool = pool.connect_with(options.application_name(application)).await.with_context(|| {
        format!("connecting to {}{}", redact(url), role.map(|r| format!(" as role {r}")).unwrap_or_default())
    })?;
    Ok(pool)
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
    let url = configured_url(ctx, "strata serve", &ctx.serve)?;
    let config = AppConfig { secure_cookies: args.secure_cookies, ..AppConfig::default() };
    let config = crate::replicas::app_config(ctx, config);
    let role = args.role.clone().or_else(|| ctx.serve.role.clone());
    let pool = pool_on(&url, "strata serve", role.clone(), Some(&config)).await?;
    let replicas = crate::replicas::for_serve(ctx, out, &args.replicas, &pool, &config, role.as_deref())?;
    let limits = Limits::from_env(Limits::API)?;
    let listener = bind(args.host, args.port, false).await?;
    let addr = listener.local_addr()?;
    out.emit(Event::Listening { service: "api", url: &format!("http://{addr}"), write: None, login: None });
    out.note(format!(
        "{GREEN}API{GREEN:#} listening on http://{addr}/api (OpenAPI: http://{addr}/api/openapi.json); Ctrl-C stops"
    ));
    let router = strata_app::http::router_with_replicas(config, std::sync::Arc::new(strata_app::LogSender), replicas);
    http_server::serve(listener, router, limits, shutdown_signal()).await.context("serving the API")?;
    Ok(0)
}

/// The API's URL in `strata dev`: on the embedded database, a login strata makes
/// as a member of `strata_app` (or, for a project without that role, the
/// superuser's URL, with a warning); else as `strata serve` connects.
async fn dev_api_url(ctx: &Context, out: Output) -> Result<String> {
    if ctx.is_embedded() && ctx.serve.url_env.is_none() {
        if let Some(url) = logins::embedded_url(ctx, Purpose::DevApi).await? {
            logins::check_safe(&url, true).await?;
            return Ok(url);
        }
        out.warn(format!(
            "the project has no {} role: the API runs on the embedded database's superuser login, with every right",
            strata_app::APP_ROLE
        ));
    }
    configured_url(ctx, "strata dev", &ctx.serve)
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
    // Taken before the first run, so a file saved meanwhile is still seen as a change.
    let since = crate::watch::Snapshot::take(&ctx.dir);
    let up = UpArgs { to: None, dry_run: false, allow_out_of_order: false, single_transaction: false };
    let one = strata_migrate::apply::Transactions::SingleWhenPossible;
    crate::commands::track::up_with(ctx, out, Track::Migrate, &up, one).await?;
    crate::commands::track::up_with(ctx, out, Track::Seed, &up, one).await?;

    let api_config = AppConfig::default();
    let api_pool =
        pool_on(&dev_api_url(ctx, out).await?, "strata dev", ctx.serve.role.clone(), Some(&api_config)).await?;
    let studio_config = studio_config(ctx, false);
    let studio_pool =
        pool_on(&studio_url(ctx, false).await?, "strata dev studio", ctx.studio.role.clone(), None).await?;
    let studio_login = console_login(&studio_pool, &studio_config, out).await?;
    let localhost = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let api = bind(localhost, args.port.unwrap_or(DEFAULT_API_PORT), args.port.is_none()).await?;
    let api_addr = api.local_addr()?;
    let studio = bind(localhost, DEFAULT_STUDIO_PORT, true).await?;
    if let Some(note) = moved_port("API", DEFAULT_API_PORT, api_addr.port()).filter(|_| args.port.is_none()) {
        out.note(note);
    }
    if let Some(note) = moved_port("studio", DEFAULT_STUDIO_PORT, studio.local_addr()?.port()) {
        out.note(note);
    }
    let studio_url = strata_studio::launch_url(studio.local_addr()?, &studio_config);
    let url = ctx.url()?;
    out.emit(Event::Listening { service: "api", url: &format!("http://{api_addr}"), write: None, login: None });
    out.emit(Event::Listening { service: "studio", url: &studio_url, write: None, login: Some(&studio_login) });
    out.result(format!(
        "\n{BOLD}strata dev is running{BOLD:#}\n  API:        http://{api_addr}/api/items\n  OpenAPI:    http://{api_addr}/api/openapi.json\n  studio:     {studio_url} ({studio_login}; one-time address)\n  database:   {}\n  demo login: {} / {}\n{}Ctrl-C stops the servers; the embedded database keeps running (`strata db stop` stops it).",
        redact(&url),
        strata_app::DEMO_USERS.first().copied().unwrap_or_default(),
        strata_app::DEMO_PASSWORD,
        if args.no_watch { "" } else { "Saving a file under migrations/ applies it (lint first; an applied file is never run again).\n" },
    ));
    // One Ctrl-C stops both servers; each finishes the requests it is serving.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = move |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|stop| *stop).await;
    };
    let watch_rx = stop_rx.clone();
    let watch = async move {
        if !args.no_watch {
            crate::watch::run(ctx, out, since, watch_rx).await;
        }
    };
    let api_router = strata_app::router(api_pool, api_config);
    let api_server = http_server::serve(api, api_router, Limits::from_env(Limits::API)?, stopped(stop_rx.clone()));
    let studio_router = strata_studio::router(studio_pool, studio_config);
    let studio_server = http_server::serve(studio, studio_router, Limits::from_env(Limits::STUDIO)?, stopped(stop_rx));
    let signal = async move {
        shutdown_signal().await;
        let _ = stop_tx.send(true);
    };
    let (api_result, studio_result, (), ()) = tokio::join!(api_server, studio_server, signal, watch);
    api_result.context("serving the API")?;
    studio_result.context("serving the studio")?;
    out.note(stopped_note(ctx.is_embedded()));
    Ok(0)
}

/// Said when a server of `strata dev` listens on another port than its usual one
/// because that one was taken.
fn moved_port(service: &str, wanted: u16, got: u16) -> Option<String> {
    (wanted != got)
        .then(|| format!("{YELLOW}note{YELLOW:#}: port {wanted} is taken, so the {service} listens on {got}"))
}

/// Said once Ctrl-C has stopped `strata dev`'s servers.
fn stopped_note(embedded: bool) -> String {
    if embedded {
        "strata dev stopped; the embedded database keeps running (`strata db stop` stops it).".to_owned()
    } else {
        "strata dev stopped.".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moved_port_is_said_and_the_usual_one_is_not() {
        assert_eq!(moved_port("API", 3000, 3000), None);
        let note = moved_port("API", 3000, 3001).expect("a note");
        let plain: String = anstream::adapter::strip_str(&note).collect();
        assert_eq!(plain, "note: port 3000 is taken, so the API listens on 3001");
    }

    #[test]
    fn stopping_says_what_keeps_running() {
        assert!(stopped_note(true).contains("strata db stop"));
        assert_eq!(stopped_note(false), "strata dev stopped.");
    }
}
