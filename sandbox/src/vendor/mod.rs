//! Role 1: the vendor API (OAuth token endpoints, checkout API, Gatekeeper,
//! card enrollment and its hosted form).
//!
//! Everything here is what the real vendor would run; it knows nothing about
//! the partner backend in [`crate::backend`].

mod auth;
pub mod cards;
mod checkout;
pub mod data;
pub mod form;
mod gatekeeper;
pub mod jwt;
mod rate_limit;
mod tokens;

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::routing::post;
use axum::Router;
use serde::{Deserialize, Serialize};

use crate::clock::Clock;
use crate::config::{Credentials, Lifetimes};
use crate::error::{ApiError, ApiResult};
use crate::metrics::Counters;
use crate::util::{lock, random_hex};
use jwt::Hs256;
use rate_limit::RateLimiter;

/// `token_use` of OAuth access tokens.
pub const USE_ACCESS: &str = "access";
/// `token_use` of checkout tokens.
pub const USE_CHECKOUT: &str = "checkout";

/// Where a minted token's `iat` sits: `Some(s)` is the server's now plus `s` seconds,
/// `None` leaves the claim out. Every token the vendor issues uses [`IAT_NOW`]; the test
/// mint (`/__sandbox/mint` `iatOffset`, `omitIat`) may use others.
pub type IatShift = Option<i64>;

/// `iat` = the server's now: every token the vendor issues itself.
pub const IAT_NOW: IatShift = Some(0);

/// The claims of every token the sandbox mints. Checkout tokens carry
/// `partner_id`, `customer_id` and `invoice_id`; access tokens carry `scope`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// Issuer.
    pub iss: String,
    /// Subject: the client id (access) or the customer id (checkout).
    pub sub: String,
    /// The OAuth client the token was issued to (or on behalf of).
    pub client_id: String,
    /// `access` or `checkout`.
    pub token_use: String,
    /// Space-separated scopes of an access token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Partner of a checkout token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_id: Option<String>,
    /// Customer of a checkout token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    /// Invoice of a checkout token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_id: Option<String>,
    /// Issued at (Unix seconds). Every token the vendor issues has one; a test mint may
    /// leave it out or move it (`/__sandbox/mint` `omitIat`, `iatOffset`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// Expires at (Unix seconds); the token is refused from this second on.
    pub exp: i64,
    /// Unique id; also carries the revocation epoch (`r{epoch}-{random}`).
    pub jti: String,
}

impl Claims {
    /// Whether an access token carries `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.token_use == USE_ACCESS
            && self
                .scope
                .as_deref()
                .is_some_and(|s| s.split(' ').any(|x| x == scope))
    }
}

/// A lifetime change from `/__sandbox/lifetimes`; absent fields stay.
#[derive(Debug, Default, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LifetimePatch {
    /// Checkout tokens.
    pub checkout: Option<i64>,
    /// API access tokens.
    pub oauth: Option<i64>,
    /// Gatekeeper tokens.
    pub gatekeeper: Option<i64>,
    /// Card-enrollment tokens.
    pub enrollment: Option<i64>,
}

/// The vendor's state.
#[derive(Debug)]
pub struct Vendor {
    signer: Hs256,
    credentials: Credentials,
    default_lifetimes: Lifetimes,
    lifetimes: Mutex<Lifetimes>,
    epoch: AtomicU64,
    issued_since_revoke: AtomicU64,
    devices: Mutex<HashSet<String>>,
    payments: Mutex<checkout::IdempotencyStore>,
    cards: Mutex<Vec<cards::StoredCard>>,
    limiter: RateLimiter,
    counters: Arc<Counters>,
    clock: Arc<Clock>,
}

impl Vendor {
    /// A vendor signing with `key`.
    pub fn new(
        key: &[u8],
        credentials: Credentials,
        lifetimes: Lifetimes,
        counters: Arc<Counters>,
        clock: Arc<Clock>,
    ) -> Self {
        Self {
            signer: Hs256::new(key),
            credentials,
            default_lifetimes: lifetimes,
            lifetimes: Mutex::new(lifetimes),
            epoch: AtomicU64::new(0),
            issued_since_revoke: AtomicU64::new(0),
            devices: Mutex::new(HashSet::new()),
            payments: Mutex::new(checkout::IdempotencyStore::new()),
            cards: Mutex::new(Vec::new()),
            limiter: RateLimiter::new(10, 60),
            counters,
            clock,
        }
    }

    /// The server's clock.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Current lifetimes.
    pub fn lifetimes(&self) -> Lifetimes {
        *lock(&self.lifetimes)
    }

    /// Applies a lifetime change; negative values are refused.
    ///
    /// # Errors
    /// 400 if a value is negative or over ten years.
    pub fn set_lifetimes(&self, patch: LifetimePatch) -> ApiResult<Lifetimes> {
        let ok = |v: Option<i64>| v.is_none_or(|n| (0..=315_360_000).contains(&n));
        if !(ok(patch.checkout) && ok(patch.oauth) && ok(patch.gatekeeper) && ok(patch.enrollment))
        {
            return Err(ApiError::invalid_request(
                "lifetimes are seconds in 0..=315360000",
            ));
        }
        let mut l = lock(&self.lifetimes);
        l.checkout = patch.checkout.unwrap_or(l.checkout);
        l.oauth = patch.oauth.unwrap_or(l.oauth);
        l.gatekeeper = patch.gatekeeper.unwrap_or(l.gatekeeper);
        l.enrollment = patch.enrollment.unwrap_or(l.enrollment);
        Ok(*l)
    }

    /// Restores the start-up lifetimes and the clock, forgets failed-login
    /// counts, idempotency keys and enrolled cards.
    pub fn reset(&self) {
        lock(&self.cards).clear();
        *lock(&self.lifetimes) = self.default_lifetimes;
        self.limiter.clear();
        self.clock.set_offset(0);
        lock(&self.payments).clear();
    }

    /// Revokes every token issued so far; returns how many that was.
    pub fn revoke_all(&self) -> u64 {
        self.epoch.fetch_add(1, Ordering::SeqCst);
        self.issued_since_revoke.swap(0, Ordering::SeqCst)
    }

    fn sign(&self, mut claims: Claims, ttl: i64, iat: IatShift) -> ApiResult<(String, i64)> {
        let now = self.clock.now();
        claims.iat = iat.map(|s| now.saturating_add(s));
        claims.exp = now.saturating_add(ttl);
        claims.jti = format!(
            "r{}-{}",
            self.epoch.load(Ordering::SeqCst),
            random_hex::<12>()
        );
        let token = self
            .signer
            .sign(&claims)
            .map_err(|_| ApiError::server_error("token could not be signed"))?;
        self.issued_since_revoke.fetch_add(1, Ordering::SeqCst);
        Ok((token, claims.exp))
    }

    /// Mints an OAuth access token for `client_id` with `scope`.
    fn mint_access(
        &self,
        client_id: &str,
        scope: &str,
        ttl: i64,
        iat: IatShift,
    ) -> ApiResult<(String, i64)> {
        let claims = Claims {
            iss: data::ISSUER.to_owned(),
            sub: client_id.to_owned(),
            client_id: client_id.to_owned(),
            token_use: USE_ACCESS.to_owned(),
            scope: Some(scope.to_owned()),
            partner_id: None,
            customer_id: None,
            invoice_id: None,
            iat: None,
            exp: 0,
            jti: String::new(),
        };
        self.sign(claims, ttl, iat)
    }

    /// Mints a checkout token; returns it and its `exp`.
    ///
    /// # Errors
    /// Only if signing fails.
    pub fn mint_checkout(
        &self,
        client_id: &str,
        customer_id: &str,
        invoice_id: &str,
        ttl: i64,
        iat: IatShift,
    ) -> ApiResult<(String, i64)> {
        let claims = Claims {
            iss: data::ISSUER.to_owned(),
            sub: customer_id.to_owned(),
            client_id: client_id.to_owned(),
            token_use: USE_CHECKOUT.to_owned(),
            scope: None,
            partner_id: Some(data::PARTNER_ID.to_owned()),
            customer_id: Some(customer_id.to_owned()),
            invoice_id: Some(invoice_id.to_owned()),
            iat: None,
            exp: 0,
            jti: String::new(),
        };
        self.counters.issued(crate::metrics::Issued::Checkout);
        self.sign(claims, ttl, iat)
    }

    /// Mints a Gatekeeper token for the SDK client (test controls).
    ///
    /// # Errors
    /// Only if signing fails.
    pub fn mint_gatekeeper(&self, ttl: i64, iat: IatShift) -> ApiResult<(String, i64)> {
        self.counters.issued(crate::metrics::Issued::Gatekeeper);
        let id = self.credentials.sdk.id.clone();
        self.mint_access(&id, crate::config::GATEKEEPER_SCOPE, ttl, iat)
    }

    /// Mints a card-enrollment token for the enrollment client (test controls).
    ///
    /// # Errors
    /// Only if signing fails.
    pub fn mint_enrollment(&self, ttl: i64, iat: IatShift) -> ApiResult<(String, i64)> {
        self.counters.issued(crate::metrics::Issued::Enrollment);
        let id = self.credentials.enrollment.id.clone();
        self.mint_access(&id, crate::config::ENROLLMENT_SCOPE, ttl, iat)
    }

    /// Verifies signature, issuer, expiry and revocation.
    fn verify(&self, token: &str) -> Result<Claims, &'static str> {
        let claims: Claims = self
            .signer
            .verify(token)
            .map_err(jwt::JwtError::description)?;
        if claims.iss != data::ISSUER {
            return Err("token issuer is not accepted");
        }
        if self.clock.now() >= claims.exp {
            return Err("token has expired");
        }
        let epoch = claims
            .jti
            .strip_prefix('r')
            .and_then(|r| r.split_once('-'))
            .and_then(|(e, _)| e.parse::<u64>().ok());
        if epoch != Some(self.epoch.load(Ordering::SeqCst)) {
            return Err("token has been revoked");
        }
        Ok(claims)
    }
}

/// The vendor's routes.
pub fn router(vendor: Arc<Vendor>) -> Router {
    Router::new()
        .route("/oauth/token", post(tokens::oauth_token))
        .route("/oauth2/token", post(tokens::oauth2_token))
        .route("/v1/checkout-auth/init", post(checkout::init))
        .route(
            "/v1/invoices/{invoice_id}",
            axum::routing::get(checkout::get_invoice),
        )
        .route("/v1/invoices/{invoice_id}/payments", post(checkout::pay))
        .route("/v1/subaccounts/{subaccount_id}/cards", post(cards::enroll))
        .route(
            "/v1/applications/{application_id}/versions/{version}/devices",
            post(gatekeeper::register),
        )
        .route(
            "/v1/applications/{application_id}/versions/{version}/devices/{device_id}/checks",
            post(gatekeeper::check),
        )
        .with_state(vendor)
}

impl Vendor {
    /// The cards enrolled so far (test controls).
    pub fn cards(&self) -> Vec<cards::StoredCard> {
        lock(&self.cards).clone()
    }

    /// The API-set client id (checkout tokens minted by test controls name it).
    pub fn api_client_id(&self) -> &str {
        &self.credentials.api.id
    }
}
