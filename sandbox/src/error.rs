//! The one error type every route answers with: OAuth-style JSON
//! `{error, error_description}` with the right 4xx status.
//!
//! Descriptions are fixed strings chosen by the server: they never contain
//! request input, so a secret or a token can never be echoed back.

use std::borrow::Cow;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// An error response.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    error: &'static str,
    description: Cow<'static, str>,
    www_authenticate: Option<&'static str>,
    retry_after: Option<u64>,
}

impl ApiError {
    /// Any status, error code and fixed description.
    pub fn new(status: StatusCode, error: &'static str, description: &'static str) -> Self {
        Self {
            status,
            error,
            description: Cow::Borrowed(description),
            www_authenticate: None,
            retry_after: None,
        }
    }

    /// A description built by the server (must not contain request input).
    pub fn with_description(mut self, description: String) -> Self {
        self.description = Cow::Owned(description);
        self
    }

    /// Adds a `WWW-Authenticate` header.
    pub fn with_challenge(mut self, challenge: &'static str) -> Self {
        self.www_authenticate = Some(challenge);
        self
    }

    /// 400 `invalid_request`.
    pub fn invalid_request(description: &'static str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    /// 401 `invalid_token` with `WWW-Authenticate: Bearer error="invalid_token"`.
    pub fn invalid_token(description: &'static str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_token", description)
            .with_challenge("Bearer error=\"invalid_token\"")
    }

    /// 403 `insufficient_scope` with the matching Bearer challenge.
    pub fn insufficient_scope(description: &'static str) -> Self {
        Self::new(StatusCode::FORBIDDEN, "insufficient_scope", description)
            .with_challenge("Bearer error=\"insufficient_scope\"")
    }

    /// 403 `forbidden`.
    pub fn forbidden(description: &'static str) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", description)
    }

    /// 404 `not_found`.
    pub fn not_found(description: &'static str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", description)
    }

    /// 413 `payload_too_large`.
    pub fn too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "invalid_request",
            "request body exceeds 64 KiB",
        )
    }

    /// 415 `invalid_request`.
    pub fn unsupported_media(description: &'static str) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "invalid_request",
            description,
        )
    }

    /// 429 `rate_limited` with `Retry-After`.
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many failed client authentication attempts; retry later",
        );
        e.retry_after = Some(retry_after_secs.max(1));
        e
    }

    /// 502: an upstream call failed.
    pub fn bad_gateway(description: &'static str) -> Self {
        Self::new(StatusCode::BAD_GATEWAY, "bad_gateway", description)
    }

    /// 500: a server-side invariant failed (not reachable from client input).
    pub fn server_error(description: &'static str) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            description,
        )
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The OAuth error code.
    pub fn code(&self) -> &'static str {
        self.error
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "error": self.error, "error_description": self.description });
        let mut res = (self.status, Json(body)).into_response();
        let headers = res.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(challenge) = self.www_authenticate {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(challenge),
            );
        }
        if let Some(secs) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res
    }
}

/// Handler result type.
pub type ApiResult<T> = Result<T, ApiError>;
