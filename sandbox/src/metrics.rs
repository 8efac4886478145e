//! Counters read by `GET /__sandbox/counters`, and the middleware that counts
//! API requests and the 401s/403s they were answered with.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::{json, Value};

use crate::util::lock;

/// Which kind of token was handed out, for `tokens_issued`.
#[derive(Debug, Clone, Copy)]
pub enum Issued {
    /// `POST /oauth/token`.
    OAuth,
    /// `POST /oauth2/token`.
    OAuth2,
    /// A checkout JWT minted by the vendor (`/v1/checkout-auth/init` or a test mint).
    Checkout,
    /// A checkout token handed out by the backend's `/api/checkout-token`.
    BackendCheckout,
    /// A Gatekeeper JWT handed out by `/api/gatekeeper-token` (or a test mint).
    Gatekeeper,
    /// A card-enrollment JWT handed out by `/api/enrollment-token` (or a test mint).
    Enrollment,
}

/// All counters. Cheap atomics; `last_jti` is a small mutex.
#[derive(Debug, Default)]
pub struct Counters {
    issued_oauth: AtomicU64,
    issued_oauth2: AtomicU64,
    issued_checkout: AtomicU64,
    issued_backend_checkout: AtomicU64,
    issued_gatekeeper: AtomicU64,
    issued_enrollment: AtomicU64,
    oauth_token_requests: AtomicU64,
    api_requests: AtomicU64,
    unauthorized: AtomicU64,
    forbidden: AtomicU64,
    device_registrations: AtomicU64,
    checks: AtomicU64,
    payments_created: AtomicU64,
    payments_replayed: AtomicU64,
    cards_enrolled: AtomicU64,
    last_jti: Mutex<Option<String>>,
    last_authorization_present: AtomicBool,
}

fn bump(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

fn get(c: &AtomicU64) -> u64 {
    c.load(Ordering::Relaxed)
}

impl Counters {
    fn issued_slot(&self, kind: Issued) -> &AtomicU64 {
        match kind {
            Issued::OAuth => &self.issued_oauth,
            Issued::OAuth2 => &self.issued_oauth2,
            Issued::Checkout => &self.issued_checkout,
            Issued::BackendCheckout => &self.issued_backend_checkout,
            Issued::Gatekeeper => &self.issued_gatekeeper,
            Issued::Enrollment => &self.issued_enrollment,
        }
    }

    /// Counts one token handed out.
    pub fn issued(&self, kind: Issued) {
        bump(self.issued_slot(kind));
    }

    /// Counts a successful device registration.
    pub fn device_registered(&self) {
        bump(&self.device_registrations);
    }

    /// Counts a successful device check.
    pub fn checked(&self) {
        bump(&self.checks);
    }

    /// Counts a payment actually made (not an idempotent replay).
    pub fn payment_created(&self) {
        bump(&self.payments_created);
    }

    /// Counts a payment answer replayed for a repeated `Idempotency-Key`.
    pub fn payment_replayed(&self) {
        bump(&self.payments_replayed);
    }

    /// Counts a card stored by the card-enrollment endpoint.
    pub fn card_enrolled(&self) {
        bump(&self.cards_enrolled);
    }

    /// Records the jti of a token a protected endpoint accepted.
    pub fn accepted_jti(&self, jti: &str) {
        *lock(&self.last_jti) = Some(jti.to_owned());
    }

    /// Records whether the echo route saw an Authorization header.
    pub fn authorization_seen(&self, present: bool) {
        self.last_authorization_present
            .store(present, Ordering::Relaxed);
    }

    /// Zeroes everything.
    pub fn reset(&self) {
        let all = [
            &self.issued_oauth,
            &self.issued_oauth2,
            &self.issued_checkout,
            &self.issued_backend_checkout,
            &self.issued_gatekeeper,
            &self.issued_enrollment,
            &self.oauth_token_requests,
            &self.api_requests,
            &self.unauthorized,
            &self.forbidden,
            &self.device_registrations,
            &self.checks,
            &self.payments_created,
            &self.payments_replayed,
            &self.cards_enrolled,
        ];
        for c in all {
            c.store(0, Ordering::Relaxed);
        }
        *lock(&self.last_jti) = None;
        self.last_authorization_present
            .store(false, Ordering::Relaxed);
    }

    /// The JSON answered by `GET /__sandbox/counters`.
    pub fn snapshot(&self) -> Value {
        let i = |k: Issued| get(self.issued_slot(k));
        json!({
            "tokens_issued": {
                "oauth": i(Issued::OAuth),
                "oauth2": i(Issued::OAuth2),
                "checkout": i(Issued::Checkout),
                "backend_checkout": i(Issued::BackendCheckout),
                "gatekeeper": i(Issued::Gatekeeper),
                "enrollment": i(Issued::Enrollment),
            },
            "oauth_token_requests": get(&self.oauth_token_requests),
            "api_requests": get(&self.api_requests),
            "unauthorized": get(&self.unauthorized),
            "forbidden": get(&self.forbidden),
            "device_registrations": get(&self.device_registrations),
            "checks": get(&self.checks),
            "payments_created": get(&self.payments_created),
            "payments_replayed": get(&self.payments_replayed),
            "cards_enrolled": get(&self.cards_enrolled),
            "last_jti": lock(&self.last_jti).clone(),
            "last_authorization_present": self.last_authorization_present.load(Ordering::Relaxed),
        })
    }
}

/// True for the SDK-facing API routes whose traffic and refusals are counted.
fn is_counted_api(path: &str) -> bool {
    path.starts_with("/v1/invoices/")
        || path.starts_with("/v1/applications/")
        || path.starts_with("/v1/subaccounts/")
}

/// Middleware: counts token-endpoint requests, API requests and their 401/403
/// answers (including injected faults, which sit inside this layer).
pub async fn count(State(counters): State<Arc<Counters>>, req: Request, next: Next) -> Response {
    let options = req.method() == Method::OPTIONS;
    let path = req.uri().path();
    let api = !options && is_counted_api(path);
    if !options && (path == "/oauth/token" || path == "/oauth2/token") {
        bump(&counters.oauth_token_requests);
    }
    if api {
        bump(&counters.api_requests);
    }
    let res = next.run(req).await;
    if api {
        match res.status() {
            StatusCode::UNAUTHORIZED => bump(&counters.unauthorized),
            StatusCode::FORBIDDEN => bump(&counters.forbidden),
            _ => {}
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_and_reset() {
        let c = Counters::default();
        c.issued(Issued::Gatekeeper);
        c.accepted_jti("j1");
        let s = c.snapshot();
        assert_eq!(s["tokens_issued"]["gatekeeper"], 1);
        assert_eq!(s["last_jti"], "j1");
        c.reset();
        let s = c.snapshot();
        assert_eq!(s["tokens_issued"]["gatekeeper"], 0);
        assert!(s["last_jti"].is_null());
    }
}
