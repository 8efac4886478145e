//! Role 2: "your backend", the seeds' complete backend example in Rust.
//!
//! It holds the client secrets, gets OAuth tokens from the vendor over HTTP
//! (cached, single flight), and hands the browser only short-lived JWTs. The
//! signed-in user is always the demo customer `cus_demo`.

mod token_cache;
mod upstream;

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::body::json_body;
use crate::config::{ClientCredentials, Credentials, ENROLLMENT_SCOPE, GATEKEEPER_SCOPE};
use crate::error::{ApiError, ApiResult};
use crate::metrics::{Counters, Issued};
use crate::util::{form_encode, no_store};
use token_cache::TokenCache;
use upstream::{Reply, Upstream};

/// The demo's signed-in user.
pub const DEMO_USER: &str = "cus_demo";
/// The invoices the backend's own database says the demo user owns.
const DEMO_USER_INVOICES: [&str; 2] = ["inv_1001", "inv_1002"];
/// Refresh cached OAuth tokens this long before they expire.
const REFRESH_MARGIN_SECS: u64 = 60;
/// The demo's card-enrollment subaccount (any id works with the sandbox API).
pub const DEMO_SUBACCOUNT: &str = "sub_demo";
/// The company name the demo's card form shows.
pub const DEMO_COMPANY: &str = "Demo Shop";

/// The backend's state.
#[derive(Debug)]
pub struct Backend {
    upstream: Upstream,
    api: ClientCredentials,
    sdk: ClientCredentials,
    enrollment: ClientCredentials,
    api_token: TokenCache,
    gatekeeper_token: TokenCache,
    enrollment_token: TokenCache,
    vendor_public_url: String,
    counters: Arc<Counters>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CheckoutTokenRequest {
    customer_id: Option<String>,
    invoice_id: Option<String>,
}

#[derive(Deserialize)]
struct TokenReply {
    access_token: String,
    expires_in: u64,
}

#[derive(Deserialize)]
struct InitReply {
    token: String,
    expires_at: i64,
}

impl Backend {
    /// A backend calling the vendor at `vendor_base_url`; the browser is told
    /// that the vendor (card form and API) is at `vendor_public_url`.
    pub fn new(
        vendor_base_url: String,
        vendor_public_url: String,
        credentials: &Credentials,
        counters: Arc<Counters>,
    ) -> Self {
        Self {
            upstream: Upstream::new(vendor_base_url),
            api: credentials.api.clone(),
            sdk: credentials.sdk.clone(),
            enrollment: credentials.enrollment.clone(),
            api_token: TokenCache::new(REFRESH_MARGIN_SECS),
            gatekeeper_token: TokenCache::new(REFRESH_MARGIN_SECS),
            enrollment_token: TokenCache::new(REFRESH_MARGIN_SECS),
            vendor_public_url,
            counters,
        }
    }

    /// Forgets cached tokens (test controls call this after revoking or
    /// changing lifetimes, which a real backend would learn from a 401).
    pub async fn clear_caches(&self) {
        self.api_token.clear().await;
        self.gatekeeper_token.clear().await;
        self.enrollment_token.clear().await;
    }

    /// Client credentials grant against the vendor: `(access_token, expires_in)`.
    async fn fetch_token(
        &self,
        path: &str,
        creds: &ClientCredentials,
        scope: Option<&str>,
    ) -> ApiResult<(String, u64)> {
        // Form-urlencoded first, as RFC 6749 §2.3.1 has every client do.
        let basic = STANDARD.encode(format!(
            "{}:{}",
            form_encode(&creds.id),
            form_encode(creds.secret.expose())
        ));
        let mut form = vec![("grant_type", "client_credentials")];
        form.extend(scope.map(|s| ("scope", s)));
        let body = serde_urlencoded::to_string(form)
            .map_err(|_| ApiError::server_error("token request could not be encoded"))?;
        let reply = self
            .upstream
            .post(
                path,
                &format!("Basic {basic}"),
                "application/x-www-form-urlencoded",
                body.into_bytes(),
            )
            .await?;
        if !reply.status.is_success() {
            return Err(ApiError::bad_gateway("").with_description(format!(
                "the vendor's token endpoint refused the backend (HTTP {})",
                reply.status.as_u16()
            )));
        }
        let parsed: TokenReply = serde_json::from_slice(&reply.body)
            .map_err(|_| ApiError::bad_gateway("the vendor's token response was not understood"))?;
        Ok((parsed.access_token, parsed.expires_in))
    }

    async fn api_token(&self) -> ApiResult<String> {
        self.api_token
            .get(|| self.fetch_token("/oauth/token", &self.api, None))
            .await
    }

    async fn init(&self, token: &str, customer_id: &str, invoice_id: &str) -> ApiResult<Reply> {
        let body = json!({ "customer_id": customer_id, "invoice_id": invoice_id });
        self.upstream
            .post(
                "/v1/checkout-auth/init",
                &format!("Bearer {token}"),
                "application/json",
                body.to_string().into_bytes(),
            )
            .await
    }

    /// Init with the cached token; if the vendor refuses that token (401,
    /// e.g. revoked), drop it and try once more with a fresh one.
    async fn init_with_retry(&self, customer_id: &str, invoice_id: &str) -> ApiResult<Reply> {
        let token = self.api_token().await?;
        let reply = self.init(&token, customer_id, invoice_id).await?;
        if reply.status != StatusCode::UNAUTHORIZED {
            return Ok(reply);
        }
        self.api_token.invalidate(&token).await;
        let token = self.api_token().await?;
        self.init(&token, customer_id, invoice_id).await
    }
}

/// The routes.
pub fn router(backend: Arc<Backend>) -> Router {
    Router::new()
        .route("/api/checkout-token", post(checkout_token))
        .route("/api/gatekeeper-token", get(gatekeeper_token))
        .route("/api/enrollment-token", get(enrollment_token))
        .route("/api/enrollment-config", get(enrollment_config))
        .with_state(backend)
}

/// Relays a vendor refusal: same status (a 401 becomes 502: it means the
/// backend's own credentials failed), only the `error`/`error_description` strings.
fn relay(reply: &Reply) -> Response {
    let parsed: Value = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
    let text = |k: &str, d: &str| -> String {
        parsed
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or(d)
            .chars()
            .take(200)
            .collect()
    };
    let status = match reply.status {
        StatusCode::UNAUTHORIZED => StatusCode::BAD_GATEWAY,
        s if s.is_client_error() || s.is_server_error() => s,
        _ => StatusCode::BAD_GATEWAY,
    };
    let body = json!({
        "error": text("error", "upstream_error"),
        "error_description": text("error_description", "the vendor API refused the request"),
    });
    no_store((status, Json(body)).into_response())
}

/// `POST /api/checkout-token` `{customerId, invoiceId}` → `{token, expiresAt}`.
async fn checkout_token(
    State(backend): State<Arc<Backend>>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let req: CheckoutTokenRequest = json_body(&headers, body).await?;
    let (Some(customer), Some(invoice)) = (
        req.customer_id.filter(|s| !s.is_empty()),
        req.invoice_id.filter(|s| !s.is_empty()),
    ) else {
        return Err(ApiError::invalid_request(
            "customerId and invoiceId are required",
        ));
    };
    if customer != DEMO_USER {
        return Err(ApiError::forbidden("customer is not the signed-in user"));
    }
    if !DEMO_USER_INVOICES.contains(&invoice.as_str()) {
        return Err(ApiError::forbidden(
            "invoice does not belong to the signed-in user",
        ));
    }
    let reply = backend.init_with_retry(&customer, &invoice).await?;
    if !reply.status.is_success() {
        return Ok(relay(&reply));
    }
    let init: InitReply = serde_json::from_slice(&reply.body)
        .map_err(|_| ApiError::bad_gateway("the vendor's init response was not understood"))?;
    backend.counters.issued(Issued::BackendCheckout);
    let body = json!({ "token": init.token, "expiresAt": init.expires_at });
    Ok(no_store(Json(body).into_response()))
}

/// A JWT as `text/plain`, newline-terminated, not cacheable.
fn plain_token(token: &str) -> Response {
    let mut res = format!("{token}\n").into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    no_store(res)
}

/// `GET /api/gatekeeper-token` → the JWT as `text/plain`, newline-terminated.
async fn gatekeeper_token(State(backend): State<Arc<Backend>>) -> ApiResult<Response> {
    let b = &backend;
    let token = b
        .gatekeeper_token
        .get(|| b.fetch_token("/oauth2/token", &b.sdk, Some(GATEKEEPER_SCOPE)))
        .await?;
    b.counters.issued(Issued::Gatekeeper);
    Ok(plain_token(&token))
}

/// `GET /api/enrollment-token` → a card-enrollment JWT (scope `cards/enroll`
/// only) as `text/plain`, newline-terminated: what `getAccessToken` fetches.
async fn enrollment_token(State(backend): State<Arc<Backend>>) -> ApiResult<Response> {
    let b = &backend;
    let token = b
        .enrollment_token
        .get(|| b.fetch_token("/oauth/token", &b.enrollment, Some(ENROLLMENT_SCOPE)))
        .await?;
    b.counters.issued(Issued::Enrollment);
    Ok(plain_token(&token))
}

/// `GET /api/enrollment-config` → `{baseUrl, subaccountId, companyName}`: where
/// the demo page finds the vendor's origin (the second listener, if any).
async fn enrollment_config(State(backend): State<Arc<Backend>>) -> Response {
    let body = json!({
        "baseUrl": backend.vendor_public_url,
        "subaccountId": DEMO_SUBACCOUNT,
        "companyName": DEMO_COMPANY,
    });
    no_store(Json(body).into_response())
}
