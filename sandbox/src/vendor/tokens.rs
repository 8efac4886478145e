//! `POST /oauth/token` and `POST /oauth2/token`: the client credentials grant.
//!
//! Client authentication by HTTP Basic (`client_secret_basic`) or by
//! `client_id` + `client_secret` in a form or JSON body. API credentials get
//! the `api` scope; SDK credentials get `gatekeeper/public`; card-enrollment
//! credentials get `cards/enroll` only. Asking for another set's scope is
//! `invalid_scope`.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Deserialize;
use serde_json::json;

use super::Vendor;
use crate::body::{is_json_type, media_type, parse_json, read_body};
use crate::config::{API_SCOPE, ENROLLMENT_SCOPE, GATEKEEPER_SCOPE};
use crate::error::{ApiError, ApiResult};
use crate::metrics::Issued;
use crate::util::{form_decode, secret_eq};

/// The token request fields, from a form or a JSON body.
#[derive(Default, Deserialize)]
struct TokenRequest {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    scope: Option<String>,
}

/// Which credential set authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ClientSet {
    Api,
    Sdk,
    Enrollment,
}

/// `POST /oauth/token`.
pub async fn oauth_token(State(vendor): State<Arc<Vendor>>, req: Request) -> Response {
    issue(&vendor, Issued::OAuth, req).await.into_response()
}

/// `POST /oauth2/token`.
pub async fn oauth2_token(State(vendor): State<Arc<Vendor>>, req: Request) -> Response {
    issue(&vendor, Issued::OAuth2, req).await.into_response()
}

fn invalid_client(description: &'static str, basic: bool) -> ApiError {
    let e = ApiError::new(StatusCode::UNAUTHORIZED, "invalid_client", description);
    if basic {
        e.with_challenge("Basic realm=\"partner-sandbox\"")
    } else {
        e
    }
}

/// `Some((id, secret))` from `Authorization: Basic …`; `None` without one.
fn basic_credentials(headers: &HeaderMap) -> ApiResult<Option<(String, String)>> {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(ApiError::invalid_request(
            "send one Authorization header, not several",
        ));
    }
    let bad = || invalid_client("malformed Basic credentials", true);
    let value = value.to_str().map_err(|_| bad())?.trim();
    let Some((scheme, encoded)) = value.split_once(' ') else {
        return Err(bad());
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(invalid_client(
            "use HTTP Basic or client_secret in the body",
            false,
        ));
    }
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| bad())?;
    let decoded = String::from_utf8(decoded).map_err(|_| bad())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(bad)?;
    Ok(Some((id.to_owned(), secret.to_owned())))
}

async fn read_request(headers: &HeaderMap, body: Body) -> ApiResult<TokenRequest> {
    let bytes = read_body(headers, body).await?;
    match media_type(headers).as_deref() {
        None if bytes.is_empty() => Ok(TokenRequest::default()),
        Some("application/x-www-form-urlencoded") => serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| ApiError::invalid_request("form body is malformed")),
        Some(m) if is_json_type(m) => parse_json(&bytes),
        _ => Err(ApiError::unsupported_media(
            "use application/x-www-form-urlencoded or application/json",
        )),
    }
}

/// Picks the one client authentication method the request used.
fn client_of(basic: Option<(String, String)>, form: &TokenRequest) -> ApiResult<(String, String)> {
    match (basic, &form.client_id, &form.client_secret) {
        (Some(_), _, Some(_)) => Err(ApiError::invalid_request(
            "use exactly one client authentication method",
        )),
        (Some((id, _)), Some(body_id), None) if *body_id != id => Err(ApiError::invalid_request(
            "client_id does not match the Basic credentials",
        )),
        (Some(pair), _, None) => Ok(pair),
        (None, Some(id), Some(secret)) => Ok((id.clone(), secret.clone())),
        (None, _, _) => Err(invalid_client("client authentication is required", false)),
    }
}

impl Vendor {
    /// Constant-time lookup of a client by id and secret.
    fn client_set(&self, id: &str, secret: &str) -> Option<ClientSet> {
        let c = &self.credentials;
        let api = secret_eq(id, &c.api.id) & secret_eq(secret, c.api.secret.expose());
        let sdk = secret_eq(id, &c.sdk.id) & secret_eq(secret, c.sdk.secret.expose());
        let enroll =
            secret_eq(id, &c.enrollment.id) & secret_eq(secret, c.enrollment.secret.expose());
        match (api, sdk, enroll) {
            (true, _, _) => Some(ClientSet::Api),
            (false, true, _) => Some(ClientSet::Sdk),
            (false, false, true) => Some(ClientSet::Enrollment),
            (false, false, false) => None,
        }
    }
}

async fn issue(vendor: &Vendor, endpoint: Issued, req: Request) -> ApiResult<Response> {
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let (parts, body) = req.into_parts();
    let basic = basic_credentials(&parts.headers)?;
    let used_basic = basic.is_some();
    let form = read_request(&parts.headers, body).await?;
    match form.grant_type.as_deref() {
        None | Some("") => return Err(ApiError::invalid_request("grant_type is required")),
        Some("client_credentials") => {}
        Some(_) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "only client_credentials is supported",
            ))
        }
    }
    let (id, secret) = client_of(basic, &form)?;
    let mut keys = vec![format!(
        "client:{}",
        id.chars().take(64).collect::<String>()
    )];
    keys.extend(ip.map(|ip| format!("ip:{ip}")));
    vendor
        .limiter
        .check(&keys)
        .map_err(ApiError::rate_limited)?;
    // HTTP Basic carries the id and secret form-urlencoded (RFC 6749 §2.3.1); clients
    // that send them as they are (most, for ids and secrets without special characters)
    // are taken too.
    let decoded = || Some((form_decode(&id)?, form_decode(&secret)?));
    let set = vendor.client_set(&id, &secret).or_else(|| {
        let (id, secret) = decoded().filter(|_| used_basic)?;
        vendor.client_set(&id, &secret)
    });
    let Some(set) = set else {
        vendor.limiter.record_failure(&keys);
        return Err(invalid_client("client authentication failed", used_basic));
    };
    let lifetimes = vendor.lifetimes();
    // The token names the client by its registered id, however the request spelled it
    // (`api%5Fclient%5Fdev` in HTTP Basic is `api_client_dev`).
    let c = &vendor.credentials;
    let (scope, ttl, id) = match set {
        ClientSet::Api => (API_SCOPE, lifetimes.oauth, &c.api.id),
        ClientSet::Sdk => (GATEKEEPER_SCOPE, lifetimes.gatekeeper, &c.sdk.id),
        ClientSet::Enrollment => (ENROLLMENT_SCOPE, lifetimes.enrollment, &c.enrollment.id),
    };
    let requested = form.scope.as_deref().unwrap_or("");
    if !requested.split_whitespace().all(|s| s == scope) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            "the requested scope is not granted to this client",
        ));
    }
    let (token, _exp) = vendor.mint_access(id, scope, ttl, super::IAT_NOW)?;
    vendor.counters.issued(endpoint);
    let body = json!({
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": ttl,
        "scope": scope,
    });
    let mut res = Json(body).into_response();
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    Ok(res)
}
