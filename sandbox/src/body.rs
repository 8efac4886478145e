//! Request body handling shared by every route: a 64 KiB cap (413), a
//! content-type check (415) and JSON parsing that never echoes input (400).

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{ApiError, ApiResult};

/// Largest accepted request body, in bytes.
pub const MAX_BODY: usize = 64 * 1024;

/// Reads the whole body, refusing more than [`MAX_BODY`] bytes with 413.
pub async fn read_body(headers: &HeaderMap, body: Body) -> ApiResult<Bytes> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return Err(ApiError::too_large());
    }
    axum::body::to_bytes(body, MAX_BODY).await.map_err(|e| {
        let inner = e.into_inner();
        if inner.is::<http_body_util::LengthLimitError>() {
            ApiError::too_large()
        } else {
            ApiError::invalid_request("request body could not be read")
        }
    })
}

/// The media type of the request, lower-cased, without parameters.
pub fn media_type(headers: &HeaderMap) -> Option<String> {
    let raw = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let essence = raw.split(';').next().unwrap_or("").trim();
    Some(essence.to_ascii_lowercase())
}

/// `application/json` or any `application/*+json`.
pub fn is_json_type(media: &str) -> bool {
    media == "application/json" || (media.starts_with("application/") && media.ends_with("+json"))
}

/// Parses JSON bytes, mapping every failure to a fixed 400.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> ApiResult<T> {
    serde_json::from_slice(bytes).map_err(|e| {
        if e.is_data() {
            ApiError::invalid_request("JSON body has missing or invalid fields")
        } else {
            ApiError::invalid_request("request body is not valid JSON")
        }
    })
}

/// A required JSON body: 415 unless the content type is JSON, 413 when too
/// large, 400 when malformed or of the wrong shape.
pub async fn json_body<T: DeserializeOwned>(headers: &HeaderMap, body: Body) -> ApiResult<T> {
    let media = media_type(headers);
    if !media.as_deref().is_some_and(is_json_type) {
        return Err(ApiError::unsupported_media(
            "Content-Type must be application/json",
        ));
    }
    let bytes = read_body(headers, body).await?;
    parse_json(&bytes)
}

/// An optional JSON body: an empty body is `None`; a non-empty one must be
/// JSON (415 otherwise) and well-formed (400 otherwise).
pub async fn optional_json_body(headers: &HeaderMap, body: Body) -> ApiResult<Option<Value>> {
    optional_json_bytes(headers, body).await.map(|(_, v)| v)
}

/// Like [`optional_json_body`], also returning the raw bytes (for
/// idempotency: a retried request must be byte-for-byte the same).
pub async fn optional_json_bytes(
    headers: &HeaderMap,
    body: Body,
) -> ApiResult<(Bytes, Option<Value>)> {
    let bytes = read_body(headers, body).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok((bytes, None));
    }
    let media = media_type(headers);
    if !media.as_deref().is_some_and(is_json_type) {
        return Err(ApiError::unsupported_media(
            "Content-Type must be application/json",
        ));
    }
    let value = parse_json(&bytes)?;
    Ok((bytes, Some(value)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_types() {
        assert!(is_json_type("application/json"));
        assert!(is_json_type("application/merge-patch+json"));
        assert!(!is_json_type("text/plain"));
        assert!(!is_json_type("application/x-www-form-urlencoded"));
    }

    #[test]
    fn parse_errors_are_fixed_strings() {
        let err = parse_json::<Value>(b"{\"secret\": ").err();
        assert_eq!(err.map(|e| e.code()), Some("invalid_request"));
    }
}
