//! The partner SDK's sandbox: a real vendor API ([`vendor`], Role 1) and an
//! example partner backend ([`backend`], Role 2) in one native server, plus
//! static files and optional test controls.
//!
//! Integration tests start it in-process with [`start`]; the binary is a thin
//! wrapper that parses flags and prints the listening line(s). With
//! `--vendor-port` the vendor role (API and the hosted card form) is also
//! served alone on a second listener, a second origin as in production.

#![deny(missing_docs)]

pub mod backend;
pub mod body;
pub mod clock;
pub mod config;
pub mod controls;
pub mod error;
pub mod fault_body;
pub mod layers;
pub mod metrics;
pub mod static_files;
pub mod util;
pub mod vendor;

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::http::StatusCode;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::IntoResponse;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use config::Config;
use error::ApiError;

/// A running server. Dropping it (or calling [`Server::shutdown`]) stops it.
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    vendor_addr: Option<SocketAddr>,
    shutdown: Option<watch::Sender<()>>,
    task: Option<JoinHandle<io::Result<()>>>,
}

impl Server {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://IP:PORT`, no trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The vendor-only listener's address, when `--vendor-port` was given.
    pub fn vendor_addr(&self) -> Option<SocketAddr> {
        self.vendor_addr
    }

    /// The vendor origin (`http://IP:PORT`): the second listener's, else the
    /// main one's (single-origin mode).
    pub fn vendor_url(&self) -> String {
        format!("http://{}", self.vendor_addr.unwrap_or(self.addr))
    }

    /// Stops accepting, lets in-flight requests finish, and waits.
    ///
    /// # Errors
    /// The server's own I/O error, if it failed.
    pub async fn shutdown(mut self) -> io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.stopped().await
    }

    /// Waits until the server stops by itself (returns at once if it already did).
    ///
    /// # Errors
    /// The server's own I/O error, if it failed.
    pub async fn stopped(&mut self) -> io::Result<()> {
        let Some(task) = self.task.as_mut() else {
            return Ok(());
        };
        let result = task.await.unwrap_or_else(|e| Err(io::Error::other(e)));
        self.task = None;
        result
    }
}

/// A fresh random HS256 key, or the configured one.
fn signing_key(config: &Config) -> io::Result<Vec<u8>> {
    if let Some(k) = &config.signing_key {
        return Ok(k.expose().as_bytes().to_vec());
    }
    util::random_bytes::<32>()
        .map(|k| k.to_vec())
        .map_err(|e| io::Error::other(format!("no OS randomness for the signing key: {e}")))
}

/// `http://IP:PORT`, plus `http://localhost:PORT` for a loopback address.
fn origins_of(addr: SocketAddr) -> Vec<String> {
    let mut origins = vec![format!("http://{addr}")];
    if addr.ip().is_loopback() {
        origins.push(format!("http://localhost:{}", addr.port()));
    }
    origins
}

/// The layers every listener shares: 405 as JSON, counters, CORS, `Date`
/// from the server clock, `x-request-id`.
fn outer_layers(
    router: Router,
    counters: Arc<metrics::Counters>,
    cors: Arc<layers::Cors>,
    clock: Arc<clock::Clock>,
) -> Router {
    router
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "invalid_request",
                "method not allowed",
            )
            .into_response()
        })
        .layer(from_fn_with_state(counters, metrics::count))
        .layer(from_fn_with_state(cors, layers::cors))
        .layer(from_fn_with_state(clock, clock::date_header))
        .layer(from_fn(layers::request_id))
}

/// Builds the whole application for a server listening on `addr`
/// (single-origin mode: every role on one listener).
///
/// # Errors
/// Only if no signing key can be generated.
pub fn app(config: &Config, addr: SocketAddr) -> io::Result<Router> {
    build(config, addr, None).map(|(main, _)| main)
}

/// The main router (every role) and, with `vendor_addr`, the vendor-only
/// router for the second listener. Both share one state (tokens, counters,
/// clock, faults, cards).
fn build(
    config: &Config,
    addr: SocketAddr,
    vendor_addr: Option<SocketAddr>,
) -> io::Result<(Router, Option<Router>)> {
    let base_url = format!("http://{addr}");
    let vendor_url = vendor_addr.map_or_else(|| base_url.clone(), |a| format!("http://{a}"));
    let counters = Arc::new(metrics::Counters::default());
    let clock = Arc::new(clock::Clock::default());
    let creds = config.credentials.clone();
    let vendor = Arc::new(vendor::Vendor::new(
        &signing_key(config)?,
        creds.clone(),
        config.lifetimes,
        counters.clone(),
        clock.clone(),
    ));
    let backend = Arc::new(backend::Backend::new(
        base_url,
        vendor_url,
        &creds,
        counters.clone(),
    ));
    let vendor_origins = vendor_addr.map(origins_of).unwrap_or_default();
    let files = Arc::new(static_files::StaticFiles::new(
        config.www.clone(),
        config.pkg.clone(),
        &origins_of(addr),
        &vendor_origins,
    ));
    let static_router = Router::new()
        .fallback(static_files::serve)
        .with_state(files);
    let loopback = config
        .host
        .parse::<std::net::IpAddr>()
        .map_or(config.host == "localhost", |ip| ip.is_loopback());
    let cors =
        Arc::new(layers::Cors::new(config.allowed_origins.clone()).loopback_hosts_only(loopback));
    let form = vendor::form::router(cors.clone());

    let mut router = Router::new()
        .merge(vendor::router(vendor.clone()))
        .merge(form.clone())
        .merge(backend::router(backend.clone()));
    let mut vendor_router = Router::new()
        .merge(vendor::router(vendor.clone()))
        .merge(form);
    if config.test_controls {
        let faults = Arc::new(controls::Faults::new(clock.clone()));
        let c = controls::Controls {
            vendor,
            backend,
            counters: counters.clone(),
            faults: faults.clone(),
        };
        router = router
            .merge(controls::router(Arc::new(c)))
            .layer(from_fn_with_state(faults.clone(), controls::fault_layer));
        vendor_router = vendor_router.layer(from_fn_with_state(faults, controls::fault_layer));
    }
    let main = outer_layers(
        router.fallback_service(static_router),
        counters.clone(),
        cors.clone(),
        clock.clone(),
    );
    let vendor_only = vendor_addr.map(|_| {
        let r = vendor_router.fallback(|| async {
            ApiError::not_found("no such route on the vendor origin").into_response()
        });
        outer_layers(r, counters, cors, clock)
    });
    Ok((main, vendor_only))
}

/// Serves `app` on `listener` until `stop` changes or its sender is dropped.
async fn serve(
    listener: TcpListener,
    app: Router,
    mut stop: watch::Receiver<()>,
) -> io::Result<()> {
    let service = app.into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(async move {
            let _ = stop.changed().await;
        })
        .await
}

/// Binds, builds and spawns the server on the current Tokio runtime: the
/// main listener and, with `config.vendor_port`, the vendor-only one.
///
/// # Errors
/// Binding failed, or no signing key could be generated.
pub async fn start(config: Config) -> io::Result<Server> {
    let listener = TcpListener::bind((config.host.as_str(), config.port)).await?;
    let addr = listener.local_addr()?;
    let vendor_listener = match config.vendor_port {
        Some(port) => Some(TcpListener::bind((config.host.as_str(), port)).await?),
        None => None,
    };
    let vendor_addr = match &vendor_listener {
        Some(l) => Some(l.local_addr()?),
        None => None,
    };
    let (app, vendor_app) = build(&config, addr, vendor_addr)?;
    let (tx, rx) = watch::channel(());
    let main = serve(listener, app, rx.clone());
    let task = tokio::spawn(async move {
        match (vendor_listener, vendor_app) {
            (Some(l), Some(v)) => tokio::try_join!(main, serve(l, v, rx)).map(|_| ()),
            _ => main.await,
        }
    });
    Ok(Server {
        addr,
        vendor_addr,
        shutdown: Some(tx),
        task: Some(task),
    })
}
