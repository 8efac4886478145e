//! Test controls under `/__sandbox/` (mounted only with `--test-controls`):
//! revoke, lifetimes, fault injection, counters, reset, echo, mint, the
//! server clock and the enrolled cards.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::backend::Backend;
use crate::body::json_body;
use crate::clock::{http_date, Clock, MAX_OFFSET_S};
use crate::error::{ApiError, ApiResult};
use crate::fault_body::{Dropped, FaultBody, Shape, MAX_BODY_BYTES, MAX_TRICKLE_MS};
use crate::metrics::Counters;
use crate::util::{is_valid_id, lock, no_store};
use crate::vendor::{data, LifetimePatch, Vendor};

/// Everything the controls can reach.
#[derive(Debug)]
pub struct Controls {
    /// Role 1.
    pub vendor: Arc<Vendor>,
    /// Role 2.
    pub backend: Arc<Backend>,
    /// Shared counters.
    pub counters: Arc<Counters>,
    /// Pending faults.
    pub faults: Arc<Faults>,
}

/// How a fault sets `Retry-After`.
#[derive(Debug, Clone, Copy)]
enum RetryAfter {
    /// `Retry-After: N` (delay-seconds).
    Seconds(u64),
    /// `Retry-After: <HTTP-date>`, N seconds after the server clock's now.
    DateIn(u64),
}

/// At most this many pending fault rules.
const MAX_PENDING_RULES: usize = 1000;
/// At most this many bytes of canned bodies over all pending rules (two of the largest).
const MAX_PENDING_BODY_BYTES: usize = 2 * MAX_BODY_BYTES;

/// One pending fault.
#[derive(Debug, Clone)]
struct Fault {
    path: String,
    remaining: u32,
    status: Option<StatusCode>,
    retry_after: Option<RetryAfter>,
    drop_connection: bool,
    delay: Duration,
    /// The canned body (cheap to clone, even at `MAX_BODY_BYTES`).
    body: Bytes,
    shape: Shape,
    headers: Vec<(HeaderName, HeaderValue)>,
}

/// The pending faults, consumed by [`fault_layer`].
#[derive(Debug)]
pub struct Faults {
    active: AtomicUsize,
    rules: Mutex<Vec<Fault>>,
    clock: Arc<Clock>,
}

impl Faults {
    /// No faults; `Retry-After` dates are read from `clock`.
    pub fn new(clock: Arc<Clock>) -> Self {
        Self {
            active: AtomicUsize::new(0),
            rules: Mutex::new(Vec::new()),
            clock,
        }
    }

    /// Adds `fault`, unless the pending ones would then hold more than
    /// [`MAX_PENDING_RULES`] rules or [`MAX_PENDING_BODY_BYTES`] of canned bodies (each
    /// `body_bytes` is allocated when the rule is added).
    fn add(&self, fault: Fault) -> ApiResult<usize> {
        let mut rules = lock(&self.rules);
        let held: usize = rules.iter().map(|f| f.body.len()).sum();
        if rules.len() >= MAX_PENDING_RULES
            || held.saturating_add(fault.body.len()) > MAX_PENDING_BODY_BYTES
        {
            return Err(ApiError::invalid_request(
                "too many pending faults (at most 1000 rules and 128 MiB of bodies): DELETE /__sandbox/faults first",
            ));
        }
        rules.push(fault);
        self.active.store(rules.len(), Ordering::SeqCst);
        Ok(rules.len())
    }

    fn clear(&self) -> usize {
        let mut rules = lock(&self.rules);
        let n = rules.len();
        rules.clear();
        self.active.store(0, Ordering::SeqCst);
        n
    }

    /// Consumes one use of the first rule whose path prefixes `path`.
    fn take(&self, path: &str) -> Option<Fault> {
        let mut rules = lock(&self.rules);
        let idx = rules.iter().position(|f| path.starts_with(&f.path))?;
        let rule = rules.get_mut(idx)?;
        rule.remaining = rule.remaining.saturating_sub(1);
        let taken = rule.clone();
        if taken.remaining == 0 {
            rules.remove(idx);
        }
        self.active.store(rules.len(), Ordering::SeqCst);
        Some(taken)
    }
}

impl Fault {
    fn respond(&self, status: StatusCode, clock: &Clock) -> Response {
        let content_type = if serde_json::from_slice::<Value>(&self.body).is_ok() {
            "application/json"
        } else {
            "text/plain; charset=utf-8"
        };
        let body = Body::new(FaultBody::new(self.body.clone(), &self.shape));
        let mut res = (status, body).into_response();
        let h = res.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        // One-shot answers: a browser must not replay one (e.g. a cached 301/308).
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        for (name, value) in &self.headers {
            h.insert(name.clone(), value.clone());
        }
        let retry_after = match self.retry_after {
            None => None,
            Some(RetryAfter::Seconds(s)) => Some(s.to_string()),
            Some(RetryAfter::DateIn(s)) => Some(http_date(
                clock.now().saturating_add(i64::try_from(s).unwrap_or(0)),
            )),
        };
        if let Some(v) = retry_after.and_then(|v| HeaderValue::from_str(&v).ok()) {
            h.insert(header::RETRY_AFTER, v);
        }
        res
    }
}

/// Middleware: applies pending faults (delay first, then maybe a canned answer).
pub async fn fault_layer(State(faults): State<Arc<Faults>>, req: Request, next: Next) -> Response {
    let skip = faults.active.load(Ordering::SeqCst) == 0
        || req.method() == Method::OPTIONS
        || req.uri().path().starts_with("/__sandbox/");
    let fault = if skip {
        None
    } else {
        faults.take(req.uri().path())
    };
    let Some(fault) = fault else {
        return next.run(req).await;
    };
    if !fault.delay.is_zero() {
        tokio::time::sleep(fault.delay).await;
    }
    if fault.drop_connection {
        return Response::new(Body::new(Dropped));
    }
    match fault.status {
        Some(status) => fault.respond(status, &faults.clock),
        None => next.run(req).await,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultRequest {
    path: String,
    count: Option<u32>,
    status: Option<u16>,
    delay_ms: Option<u64>,
    body: Option<String>,
    headers: Option<HashMap<String, String>>,
    body_bytes: Option<usize>,
    trickle_ms: Option<u64>,
    chunk_bytes: Option<usize>,
    close_after_bytes: Option<usize>,
    retry_after_s: Option<u64>,
    retry_after_as_date: Option<bool>,
    drop_connection: Option<bool>,
}

/// The canned body and how it goes out: `body` or `body_bytes` (that many
/// `x`), trickled and/or cut short. These options shape an answer, so they
/// need a `status`.
fn parse_body(req: &FaultRequest) -> ApiResult<(Bytes, Shape)> {
    let bad = ApiError::invalid_request;
    let shaped = req.body_bytes.is_some()
        || req.trickle_ms.is_some()
        || req.chunk_bytes.is_some()
        || req.close_after_bytes.is_some();
    if shaped && req.status.is_none() {
        return Err(bad(
            "body_bytes, trickle_ms, chunk_bytes and close_after_bytes need a status",
        ));
    }
    let body = match (&req.body, req.body_bytes) {
        (Some(_), Some(_)) => return Err(bad("give body or body_bytes, not both")),
        (Some(b), None) if b.len() > 16 * 1024 => return Err(bad("body must be <= 16 KiB")),
        (Some(b), None) => Bytes::from(b.clone()),
        (None, Some(n)) if n > MAX_BODY_BYTES => return Err(bad("body_bytes must be <= 64 MiB")),
        (None, Some(n)) => Bytes::from(vec![b'x'; n]),
        (None, None) => Bytes::from(
            json!({"error": "injected_fault", "error_description": "fault injected by /__sandbox/faults"})
                .to_string(),
        ),
    };
    let trickle_ms = req.trickle_ms.unwrap_or(0);
    if trickle_ms > MAX_TRICKLE_MS {
        return Err(bad("trickle_ms must be <= 10000"));
    }
    let chunk = req.chunk_bytes.unwrap_or(1);
    if !(1..=MAX_BODY_BYTES).contains(&chunk) {
        return Err(bad("chunk_bytes must be 1..=64 MiB"));
    }
    let close_after = req.close_after_bytes;
    if close_after.is_some_and(|n| n >= body.len()) {
        return Err(bad("close_after_bytes must be less than the body's length"));
    }
    let shape = Shape {
        trickle: Duration::from_millis(trickle_ms),
        chunk,
        close_after,
    };
    Ok((body, shape))
}

/// `retry_after_s` (with a `status`), as seconds or, with
/// `retry_after_as_date`, as an HTTP-date that far past the server's now.
fn parse_retry_after(req: &FaultRequest) -> ApiResult<Option<RetryAfter>> {
    let bad = ApiError::invalid_request;
    match (req.retry_after_s, req.retry_after_as_date.unwrap_or(false)) {
        (None, true) => Err(bad("retry_after_as_date needs retry_after_s")),
        (None, false) => Ok(None),
        (Some(_), _) if req.status.is_none() => Err(bad("retry_after_s needs a status")),
        (Some(s), _) if s > 86_400 => Err(bad("retry_after_s must be <= 86400")),
        (Some(s), true) => Ok(Some(RetryAfter::DateIn(s))),
        (Some(s), false) => Ok(Some(RetryAfter::Seconds(s))),
    }
}

fn parse_fault(req: FaultRequest) -> ApiResult<Fault> {
    let bad = ApiError::invalid_request;
    if !req.path.starts_with('/') || req.path.starts_with("/__sandbox/") {
        return Err(bad(
            "path must start with '/' and not be a /__sandbox/ route",
        ));
    }
    let remaining = req.count.unwrap_or(1);
    if !(1..=10_000).contains(&remaining) {
        return Err(bad("count must be 1..=10000"));
    }
    let status = match req.status {
        None => None,
        Some(s) => Some(
            StatusCode::from_u16(s)
                .ok()
                .filter(|s| (200..=599).contains(&s.as_u16()))
                .ok_or_else(|| bad("status must be 200..=599"))?,
        ),
    };
    let delay_ms = req.delay_ms.unwrap_or(0);
    if delay_ms > 60_000 {
        return Err(bad("delay_ms must be <= 60000"));
    }
    let (body, shape) = parse_body(&req)?;
    let retry_after = parse_retry_after(&req)?;
    let drop_connection = req.drop_connection.unwrap_or(false);
    if drop_connection && (req.status.is_some() || req.body.is_some() || req.headers.is_some()) {
        return Err(bad(
            "drop_connection answers nothing: no status, body or headers",
        ));
    }
    let mut headers = Vec::new();
    for (k, v) in req.headers.unwrap_or_default().into_iter().take(32) {
        let name = HeaderName::from_bytes(k.as_bytes()).map_err(|_| bad("invalid header name"))?;
        // The body decides the framing: a Content-Length that disagrees with it would make
        // the HTTP layer panic (debug) or send a broken answer (release).
        if [
            header::CONTENT_LENGTH,
            header::TRANSFER_ENCODING,
            header::CONNECTION,
        ]
        .contains(&name)
        {
            return Err(bad(
                "headers may not set content-length, transfer-encoding or connection (use body_bytes, close_after_bytes, drop_connection)",
            ));
        }
        let value = HeaderValue::from_str(&v).map_err(|_| bad("invalid header value"))?;
        headers.push((name, value));
    }
    Ok(Fault {
        path: req.path,
        remaining,
        status,
        retry_after,
        drop_connection,
        delay: Duration::from_millis(delay_ms),
        body,
        shape,
        headers,
    })
}

async fn add_fault(
    State(c): State<Arc<Controls>>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<Value>> {
    let fault = parse_fault(json_body(&headers, body).await?)?;
    let pending = c.faults.add(fault)?;
    Ok(Json(json!({ "ok": true, "pending": pending })))
}

async fn clear_faults(State(c): State<Arc<Controls>>) -> Json<Value> {
    Json(json!({ "ok": true, "cleared": c.faults.clear() }))
}

async fn revoke(State(c): State<Arc<Controls>>) -> Json<Value> {
    let revoked = c.vendor.revoke_all();
    c.backend.clear_caches().await;
    Json(json!({ "ok": true, "revoked": revoked }))
}

async fn lifetimes(
    State(c): State<Arc<Controls>>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<Value>> {
    let patch: LifetimePatch = json_body(&headers, body).await?;
    let l = c.vendor.set_lifetimes(patch)?;
    c.backend.clear_caches().await;
    Ok(Json(json!({
        "checkout": l.checkout,
        "oauth": l.oauth,
        "gatekeeper": l.gatekeeper,
        "enrollment": l.enrollment,
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockRequest {
    offset_s: i64,
}

fn clock_json(clock: &Clock) -> Value {
    let now = clock.now();
    json!({ "offset_s": clock.offset(), "now": now, "date": http_date(now) })
}

async fn get_clock(State(c): State<Arc<Controls>>) -> Json<Value> {
    Json(clock_json(c.vendor.clock()))
}

/// Shifts the server's clock; the backend forgets tokens minted before.
async fn set_clock(
    State(c): State<Arc<Controls>>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<Value>> {
    let req: ClockRequest = json_body(&headers, body).await?;
    if !(-MAX_OFFSET_S..=MAX_OFFSET_S).contains(&req.offset_s) {
        return Err(ApiError::invalid_request(
            "offset_s must be within ten years (315360000 s)",
        ));
    }
    c.vendor.clock().set_offset(req.offset_s);
    c.backend.clear_caches().await;
    Ok(Json(clock_json(c.vendor.clock())))
}

/// `{cards: [{cardId, subaccountId, last4, brand, expMonth, expYear}]}`.
async fn cards(State(c): State<Arc<Controls>>) -> Json<Value> {
    Json(json!({ "cards": c.vendor.cards() }))
}

async fn counters(State(c): State<Arc<Controls>>) -> Json<Value> {
    Json(c.counters.snapshot())
}

async fn reset(State(c): State<Arc<Controls>>) -> Json<Value> {
    c.counters.reset();
    c.faults.clear();
    c.vendor.reset();
    c.backend.clear_caches().await;
    Json(json!({ "ok": true }))
}

async fn echo(State(c): State<Arc<Controls>>, headers: HeaderMap) -> Json<Value> {
    let present = headers.contains_key(header::AUTHORIZATION);
    c.counters.authorization_seen(present);
    Json(json!({ "authorization_present": present }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct MintRequest {
    kind: String,
    invoice_id: Option<String>,
    customer_id: Option<String>,
    ttl: Option<i64>,
    /// Seconds added to the server's now for `iat` (an `iat` in the future, or past).
    iat_offset: Option<i64>,
    /// Leave `iat` out of the token.
    omit_iat: Option<bool>,
}

async fn mint(
    State(c): State<Arc<Controls>>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let req: MintRequest = json_body(&headers, body).await?;
    if req
        .ttl
        .is_some_and(|t| !(-315_360_000..=315_360_000).contains(&t))
    {
        return Err(ApiError::invalid_request(
            "ttl must be seconds within ten years",
        ));
    }
    if req
        .iat_offset
        .is_some_and(|t| !(-315_360_000..=315_360_000).contains(&t))
    {
        return Err(ApiError::invalid_request(
            "iatOffset must be seconds within ten years",
        ));
    }
    let iat = match (req.omit_iat, req.iat_offset) {
        (Some(true), Some(_)) => {
            return Err(ApiError::invalid_request(
                "omitIat and iatOffset cannot be combined",
            ))
        }
        (Some(true), None) => None,
        (_, offset) => Some(offset.unwrap_or(0)),
    };
    let lifetimes = c.vendor.lifetimes();
    let (token, exp) = match req.kind.as_str() {
        "checkout" => {
            let invoice = req.invoice_id.unwrap_or_else(|| "inv_1001".to_owned());
            let owner = data::invoice(&invoice).map_or("cus_demo", |i| i.customer_id);
            let customer = req.customer_id.unwrap_or_else(|| owner.to_owned());
            if !is_valid_id(&invoice) || !is_valid_id(&customer) {
                return Err(ApiError::invalid_request(
                    "invoiceId and customerId must be ids",
                ));
            }
            let ttl = req.ttl.unwrap_or(lifetimes.checkout);
            let client = c.vendor.api_client_id().to_owned();
            c.vendor
                .mint_checkout(&client, &customer, &invoice, ttl, iat)?
        }
        "gatekeeper" => c
            .vendor
            .mint_gatekeeper(req.ttl.unwrap_or(lifetimes.gatekeeper), iat)?,
        "enrollment" => c
            .vendor
            .mint_enrollment(req.ttl.unwrap_or(lifetimes.enrollment), iat)?,
        _ => {
            return Err(ApiError::invalid_request(
                "kind must be \"checkout\", \"gatekeeper\" or \"enrollment\"",
            ))
        }
    };
    Ok(no_store(
        Json(json!({ "token": token, "expiresAt": exp })).into_response(),
    ))
}

/// The `/__sandbox/*` routes.
pub fn router(controls: Arc<Controls>) -> Router {
    Router::new()
        .route("/__sandbox/revoke", post(revoke))
        .route("/__sandbox/lifetimes", post(lifetimes))
        .route("/__sandbox/faults", post(add_fault).delete(clear_faults))
        .route("/__sandbox/counters", get(counters))
        .route("/__sandbox/reset", post(reset))
        .route("/__sandbox/echo", get(echo).post(echo))
        .route("/__sandbox/mint", post(mint))
        .route("/__sandbox/clock", get(get_clock).post(set_clock))
        .route("/__sandbox/cards", get(cards))
        .with_state(controls)
}
