//! The partner SDK's sandbox: a real vendor API ([`vendor`], Role 1) and an
//! example partner backend ([`backend`], Role 2) in one native server, plus
//! static files and optional test controls.
//!
//! Integration tests start it in-process with [`start`]; the binary is a thin
//! wrapper that parses flags and prints the listening line.

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
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use config::Config;
use error::ApiError;

/// A running server. Dropping it (or calling [`Server::shutdown`]) stops it.
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
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

/// Builds the whole application for a server listening on `addr`.
///
/// # Errors
/// Only if no signing key can be generated.
pub fn app(config: &Config, addr: SocketAddr) -> io::Result<Router> {
    let base_url = format!("http://{addr}");
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
        base_url.clone(),
        &creds,
        counters.clone(),
    ));
    let mut api_origins = vec![base_url];
    if addr.ip().is_loopback() {
        api_origins.push(format!("http://localhost:{}", addr.port()));
    }
    let files = Arc::new(static_files::StaticFiles::new(
        config.www.clone(),
        config.pkg.clone(),
        &api_origins,
    ));
    let static_router = Router::new()
        .fallback(static_files::serve)
        .with_state(files);

    let mut router = Router::new()
        .merge(vendor::router(vendor.clone()))
        .merge(backend::router(backend.clone()));
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
            .layer(from_fn_with_state(faults, controls::fault_layer));
    }
    let cors = Arc::new(layers::Cors::new(config.allowed_origins.clone()));
    Ok(router
        .fallback_service(static_router)
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
        .layer(from_fn(layers::request_id)))
}

/// Binds, builds and spawns the server on the current Tokio runtime.
///
/// # Errors
/// Binding failed, or no signing key could be generated.
pub async fn start(config: Config) -> io::Result<Server> {
    let listener = TcpListener::bind((config.host.as_str(), config.port)).await?;
    let addr = listener.local_addr()?;
    let app = app(&config, addr)?;
    let (tx, rx) = oneshot::channel::<()>();
    let service = app.into_make_service_with_connect_info::<SocketAddr>();
    let task = tokio::spawn(async move {
        axum::serve(listener, service)
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await
    });
    Ok(Server {
        addr,
        shutdown: Some(tx),
        task: Some(task),
    })
}
