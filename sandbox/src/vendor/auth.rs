//! Who may call what: Bearer tokens, scopes and Gatekeeper api keys.
//!
//! Refusals: no/bad token → 401 `invalid_token`; a valid token of the wrong
//! kind (wrong credential set, wrong scope, another invoice) → 403
//! `insufficient_scope`; missing `x-api-key` → 401, wrong one → 403.

use axum::http::{header, HeaderMap, StatusCode};

use super::{Claims, Vendor, USE_CHECKOUT};
use crate::error::{ApiError, ApiResult};
use crate::util::secret_eq;

/// The token in `Authorization: Bearer <token>`.
///
/// # Errors
/// 401 `invalid_token` when the header is missing, not UTF-8, another scheme or empty;
/// 400 `invalid_request` when it is sent more than once (RFC 6750 section 3.1: one
/// method, one token; a proxy must not be able to choose which one counts).
pub fn bearer(headers: &HeaderMap) -> ApiResult<&str> {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let value = values
        .next()
        .ok_or_else(|| ApiError::invalid_token("a Bearer token is required"))?;
    if values.next().is_some() {
        return Err(ApiError::invalid_request(
            "send one Authorization header, not several",
        ));
    }
    let value = value
        .to_str()
        .map_err(|_| ApiError::invalid_token("token is malformed"))?;
    match value.trim().split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(token.trim())
        }
        _ => Err(ApiError::invalid_token("a Bearer token is required")),
    }
}

/// Verifies the request's Bearer token.
///
/// # Errors
/// 401 `invalid_token` for a missing, malformed, forged, `alg: none`,
/// expired or revoked token.
pub fn authenticate(vendor: &Vendor, headers: &HeaderMap) -> ApiResult<Claims> {
    let token = bearer(headers)?;
    vendor.verify(token).map_err(ApiError::invalid_token)
}

/// The token must be an access token with `scope`.
///
/// # Errors
/// 403 `insufficient_scope` otherwise (e.g. a token of the other credential set).
pub fn require_scope(claims: &Claims, scope: &str) -> ApiResult<()> {
    if claims.has_scope(scope) {
        Ok(())
    } else {
        Err(ApiError::insufficient_scope(
            "token does not grant access to this endpoint",
        ))
    }
}

/// The token must be a checkout token for exactly this invoice.
///
/// # Errors
/// 403 `insufficient_scope` otherwise.
pub fn require_invoice(claims: &Claims, invoice_id: &str) -> ApiResult<()> {
    if claims.token_use == USE_CHECKOUT && claims.invoice_id.as_deref() == Some(invoice_id) {
        Ok(())
    } else {
        Err(ApiError::insufficient_scope(
            "token is not valid for this invoice",
        ))
    }
}

/// The request must carry the Gatekeeper application's `x-api-key`.
///
/// # Errors
/// 401 `invalid_api_key` when missing or empty; 403 `invalid_api_key` when it
/// is not the key of `application_id`.
pub fn require_api_key(
    vendor: &Vendor,
    headers: &HeaderMap,
    application_id: &str,
) -> ApiResult<()> {
    let key = headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_api_key",
                "the x-api-key header is required",
            )
        })?;
    let creds = &vendor.credentials;
    let app_ok = secret_eq(application_id, &creds.gatekeeper_app_id);
    let key_ok = secret_eq(key, creds.gatekeeper_api_key.expose());
    if app_ok && key_ok {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "invalid_api_key",
            "the api key is not valid for this application",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with_auth(v: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_static(v));
        h
    }

    #[test]
    fn bearer_parsing() {
        assert_eq!(bearer(&with_auth("Bearer abc")).ok(), Some("abc"));
        assert_eq!(bearer(&with_auth("bearer  abc ")).ok(), Some("abc"));
        assert!(bearer(&with_auth("Basic abc")).is_err());
        assert!(bearer(&with_auth("Bearer ")).is_err());
        assert!(bearer(&HeaderMap::new()).is_err());
    }

    #[test]
    fn two_authorization_headers_are_a_bad_request_whichever_comes_first() {
        for pair in [["Bearer abc", "Bearer def"], ["Basic abc", "Bearer abc"]] {
            let mut h = HeaderMap::new();
            for v in pair {
                h.append(header::AUTHORIZATION, HeaderValue::from_static(v));
            }
            let e = bearer(&h).err().map(|e| e.status());
            assert_eq!(e, Some(axum::http::StatusCode::BAD_REQUEST), "{pair:?}");
        }
    }
}
