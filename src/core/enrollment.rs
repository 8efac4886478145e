//! The card form's protocol, decided on text: where the vendor's frame lives, and
//! which error a message from the frame stands for.
//!
//! The frame (`{baseUrl}/enrollment/form`, served by the vendor) and the page talk over
//! one `MessageChannel` after a handshake; see `docs/enrollment.md`.

use crate::core::error::SdkError;
use crate::core::url::{self, encode_segment, BaseUrl};

/// The form frame's URL: `{baseUrl}/enrollment/form?origin=…&company=…&subaccount=…`,
/// every value percent-encoded. `page_origin` is the partner page's `location.origin`:
/// the vendor lets only that origin frame the form and talk to it.
pub fn frame_url(base: &BaseUrl, page_origin: &str, company: &str, subaccount: &str) -> String {
    // A `/`-path always resolves against a valid base.
    let mut s = url::resolve(base, "/enrollment/form").unwrap_or_default();
    for (i, (key, value)) in [
        ("origin", page_origin),
        ("company", company),
        ("subaccount", subaccount),
    ]
    .into_iter()
    .enumerate()
    {
        s.push(if i == 0 { '?' } else { '&' });
        s.push_str(key);
        s.push('=');
        s.push_str(&encode_segment(value));
    }
    s
}

/// What an `{type:'error', code}` message from the frame stands for. `API_ERROR`
/// (`None` here) is built with the status and request id the frame sent; an unknown
/// code is a `NetworkError` (the frame could not finish).
pub fn frame_error(code: &str) -> Option<SdkError> {
    match code {
        "API_ERROR" => None,
        "ACCESS_TOKEN_EXPIRED" => Some(SdkError::AccessTokenExpired),
        "TOKEN_REFRESH_TIMEOUT" => Some(SdkError::TokenRefreshTimeout),
        _ => Some(SdkError::Network),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_url_encodes_every_value() {
        let base = url::parse_base_url("http://127.0.0.1:8788/").unwrap();
        assert_eq!(
            frame_url(&base, "http://localhost:5173", "Demo & Co / ü", "sub_1?x"),
            "http://127.0.0.1:8788/enrollment/form?origin=http%3A%2F%2Flocalhost%3A5173\
             &company=Demo%20%26%20Co%20%2F%20%C3%BC&subaccount=sub_1%3Fx"
        );
        let with_path = url::parse_base_url("https://vendor.example/api").unwrap();
        assert!(frame_url(&with_path, "https://shop.example", "A", "b")
            .starts_with("https://vendor.example/api/enrollment/form?origin="));
    }

    #[test]
    fn frame_errors_map_to_sdk_errors() {
        assert_eq!(frame_error("API_ERROR"), None);
        assert_eq!(
            frame_error("ACCESS_TOKEN_EXPIRED"),
            Some(SdkError::AccessTokenExpired)
        );
        assert_eq!(
            frame_error("TOKEN_REFRESH_TIMEOUT"),
            Some(SdkError::TokenRefreshTimeout)
        );
        assert_eq!(frame_error("NETWORK_ERROR"), Some(SdkError::Network));
        assert_eq!(frame_error("anything else"), Some(SdkError::Network));
    }
}
