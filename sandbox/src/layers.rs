//! Middleware applied to every route: `x-request-id` and CORS.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::config::AllowedOrigins;
use crate::error::ApiError;
use crate::util::random_hex;

/// Methods a preflight allows.
const ALLOW_METHODS: &str = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
/// Request headers a preflight allows.
const ALLOW_HEADERS: &str = "Authorization, x-api-key, Content-Type, Idempotency-Key";
/// Response headers the page's script may read.
const EXPOSE_HEADERS: &str =
    "x-request-id, www-authenticate, retry-after, date, idempotent-replayed";
/// How long a browser may cache a preflight, in seconds.
const MAX_AGE: &str = "600";
/// Routes that refuse a browser's request from a foreign origin outright (see [`cors`]).
const GUARDED: [&str; 3] = ["/__sandbox/", "/oauth/token", "/oauth2/token"];

/// A unique id per request: a per-process random prefix and a counter.
fn next_request_id() -> String {
    static PREFIX: OnceLock<String> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let prefix = PREFIX.get_or_init(random_hex::<6>);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("req_{prefix}_{n:06}")
}

/// Middleware: every response carries a fresh `x-request-id`.
pub async fn request_id(req: Request, next: Next) -> Response {
    let id = next_request_id();
    let mut res = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", v);
    }
    res
}

/// The CORS policy, and which `Host` names the server answers.
#[derive(Debug)]
pub struct Cors {
    origins: AllowedOrigins,
    loopback_hosts_only: bool,
}

impl Cors {
    /// A policy over the configured origins; any `Host` is answered.
    pub fn new(origins: AllowedOrigins) -> Self {
        Self {
            origins,
            loopback_hosts_only: false,
        }
    }

    /// With `on` (a server bound to a loopback address), a request whose `Host` is not
    /// `localhost`, `127.0.0.1` or `[::1]` (with any port) gets 403: a DNS-rebinding page
    /// (`evil.example` re-pointed at 127.0.0.1) is then no origin of this server.
    pub fn loopback_hosts_only(mut self, on: bool) -> Self {
        self.loopback_hosts_only = on;
        self
    }

    /// Whether a page at `origin` may read responses.
    pub fn allows(&self, origin: &str) -> bool {
        match &self.origins {
            AllowedOrigins::Loopback => is_loopback_origin(origin),
            AllowedOrigins::List(list) => list.iter().any(|o| o == "*" || o == origin),
        }
    }
}

/// `http(s)://localhost`, `127.0.0.1` or `[::1]`, with an optional port.
fn is_loopback_origin(origin: &str) -> bool {
    let Some(rest) = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
    else {
        return false;
    };
    ["localhost", "127.0.0.1", "[::1]"].iter().any(|host| {
        rest.strip_prefix(host).is_some_and(|tail| {
            tail.is_empty()
                || tail.strip_prefix(':').is_some_and(|port| {
                    !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit())
                })
        })
    })
}

/// Whether `origin` is `http(s)://` + the request's own `Host`.
fn same_origin(origin: &[u8], host: &str) -> bool {
    [&b"http://"[..], &b"https://"[..]]
        .iter()
        .any(|scheme| origin.strip_prefix(*scheme) == Some(host.as_bytes()))
}

fn set(headers: &mut HeaderMap, name: header::HeaderName, value: &'static str) {
    headers.insert(name, HeaderValue::from_static(value));
}

/// Middleware: answers preflights and adds CORS headers for allowed origins.
pub async fn cors(State(policy): State<Arc<Cors>>, req: Request, next: Next) -> Response {
    if policy.loopback_hosts_only {
        let host = req.headers().get(header::HOST).map(|h| h.to_str());
        // (No `Host` at all: HTTP/1.0, not a browser's request.)
        if host.is_some_and(|h| !h.is_ok_and(|h| is_loopback_origin(&format!("http://{h}")))) {
            return ApiError::forbidden(
                "host is not allowed: this server answers localhost, 127.0.0.1 and [::1] only",
            )
            .into_response();
        }
    }
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .filter(|o| o.to_str().is_ok_and(|o| policy.allows(o)))
        .cloned();
    let preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    // The test controls change state, and every failed client authentication at a token
    // endpoint counts toward a rate limit that then locks out the example backend (all
    // local callers are 127.0.0.1), with requests a page of any origin can send without
    // a preflight (a form, `fetch` with `mode: 'no-cors'`): a browser's request from an
    // origin that is neither allowed nor the sandbox's own is refused, not run.
    let guarded = GUARDED.iter().any(|p| req.uri().path().starts_with(p));
    let foreign = origin.is_none()
        && guarded
        && req.headers().get(header::ORIGIN).is_some_and(|o| {
            let host = req
                .headers()
                .get(header::HOST)
                .and_then(|h| h.to_str().ok());
            !host.is_some_and(|h| same_origin(o.as_bytes(), h))
        });
    let mut res = if preflight || foreign {
        match &origin {
            Some(_) => StatusCode::NO_CONTENT.into_response(),
            None => ApiError::forbidden("origin is not allowed").into_response(),
        }
    } else {
        next.run(req).await
    };
    let headers = res.headers_mut();
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(origin) = origin {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        if preflight {
            set(headers, header::ACCESS_CONTROL_ALLOW_METHODS, ALLOW_METHODS);
            set(headers, header::ACCESS_CONTROL_ALLOW_HEADERS, ALLOW_HEADERS);
            set(headers, header::ACCESS_CONTROL_MAX_AGE, MAX_AGE);
        } else {
            set(
                headers,
                header::ACCESS_CONTROL_EXPOSE_HEADERS,
                EXPOSE_HEADERS,
            );
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_origins() {
        for ok in [
            "http://localhost:3000",
            "http://127.0.0.1:8787",
            "http://[::1]:1",
            "http://localhost",
        ] {
            assert!(is_loopback_origin(ok), "{ok}");
        }
        for bad in [
            "http://localhost.evil.test",
            "http://127.0.0.1.evil.test:80",
            "http://evil.test",
            "null",
            "http://localhost:",
            "http://localhost:80/",
            "http://localhost:123456",
        ] {
            assert!(!is_loopback_origin(bad), "{bad}");
        }
    }

    #[test]
    fn listed_origins() {
        let c = Cors::new(AllowedOrigins::List(vec!["https://shop.test".into()]));
        assert!(c.allows("https://shop.test"));
        assert!(!c.allows("http://localhost:3000"));
        assert!(Cors::new(AllowedOrigins::List(vec!["*".into()])).allows("https://x.test"));
    }

    #[test]
    fn request_ids_are_unique() {
        assert_ne!(next_request_id(), next_request_id());
    }
}
