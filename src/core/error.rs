//! The one error enum of the core. Each variant maps to one JS error class, and
//! [`SdkError::message`] is the one place where each code's message is written.
//!
//! No variant holds a token or a piece of one, and none holds a `JsValue`: the browser
//! layer attaches `cause`, `body` and `requestId` when it converts to JS.

use crate::core::jwt::TokenRule;

/// Everything core can decide went wrong, keeping token, transport, configuration and
/// lifecycle failures apart. Server refusals (`ApiError`) and callback failures
/// (`TokenRefreshError`) carry JS values, so the browser layer adds those two.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SdkError {
    /// Not a string, or empty after trimming (`INVALID_ACCESS_TOKEN`).
    #[error("{}", self.message())]
    InvalidAccessToken(TokenRule),
    /// Breaks a JWT shape rule (`INVALID_ACCESS_TOKEN_FORMAT`).
    #[error("{}", self.message())]
    InvalidAccessTokenFormat(TokenRule),
    /// Refused again after the one refresh (rule 4), or no newer token could be had.
    #[error("{}", self.message())]
    AccessTokenExpired,
    /// Refused, and the client has no token callback to ask for another (rule 5). The
    /// same class and code as [`SdkError::AccessTokenExpired`]; the message says what
    /// is missing.
    #[error("{}", self.message())]
    NoTokenCallback,
    /// The token callback did not settle within `refreshTimeoutMs`.
    #[error("{}", self.message())]
    TokenRefreshTimeout,
    /// `fetch` failed: offline, DNS, CORS, a body cut short.
    #[error("{}", self.message())]
    Network,
    /// The API answered with a redirect, which the SDK never follows: the token stays
    /// on the API's origin. Code `NETWORK_ERROR`, as a refused redirect is in `fetch`;
    /// never retried (rule 9), since the same request gets the same redirect.
    #[error("{}", self.message())]
    Redirect,
    /// One attempt took longer than `requestTimeoutMs`.
    #[error("{}", self.message())]
    RequestTimeout,
    /// Bad options, a bad path, or calls in the wrong order.
    #[error("{}", self.message())]
    Configuration(ConfigError),
    /// The client was destroyed.
    #[error("{}", self.message())]
    ClientDestroyed,
}

/// A configuration problem: which key, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The option key (or argument name) at fault, as the user spelled it.
    pub key: String,
    /// A fixed sentence saying what is wrong.
    pub problem: &'static str,
    /// A call made in the wrong order, not a bad option or argument: the message is
    /// `problem` alone, which says what to call first.
    pub misuse: bool,
}

impl ConfigError {
    /// A problem with `key`.
    pub fn new(key: &str, problem: &'static str) -> Self {
        Self {
            key: key.to_owned(),
            problem,
            misuse: false,
        }
    }
}

impl From<ConfigError> for SdkError {
    fn from(e: ConfigError) -> Self {
        SdkError::Configuration(e)
    }
}

impl From<TokenRule> for SdkError {
    fn from(rule: TokenRule) -> Self {
        if rule.is_format() {
            SdkError::InvalidAccessTokenFormat(rule)
        } else {
            SdkError::InvalidAccessToken(rule)
        }
    }
}

/// Codes and messages of the errors the browser layer builds itself.
pub mod code {
    /// `ApiError`: any other non-2xx answer, or a 2xx answer that is not JSON.
    pub const API_ERROR: &str = "API_ERROR";
    /// `TokenRefreshError`: the token callback threw or rejected.
    pub const TOKEN_REFRESH_FAILED: &str = "TOKEN_REFRESH_FAILED";
    /// The message of `TokenRefreshError`.
    pub const TOKEN_REFRESH_FAILED_MESSAGE: &str = "the token callback threw or rejected";
    /// The message of an `ApiError` whose 2xx body is not JSON.
    pub const NOT_JSON_MESSAGE: &str = "the API answered with a body that is not JSON";
}

/// `the API answered with status <status>`, built without `format!`.
pub fn api_message(status: u16) -> String {
    let mut s = String::from("the API answered with status ");
    let mut digits = [0u8; 5];
    let (mut n, mut len) = (status, 0);
    for slot in digits.iter_mut() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
        len += 1;
        if n == 0 {
            break;
        }
    }
    s.extend(digits.iter().take(len).rev().map(|&d| char::from(d)));
    s
}

impl SdkError {
    /// The stable `code` of the JS error.
    pub fn code(&self) -> &'static str {
        match self {
            SdkError::InvalidAccessToken(_) => "INVALID_ACCESS_TOKEN",
            SdkError::InvalidAccessTokenFormat(_) => "INVALID_ACCESS_TOKEN_FORMAT",
            SdkError::AccessTokenExpired | SdkError::NoTokenCallback => "ACCESS_TOKEN_EXPIRED",
            SdkError::TokenRefreshTimeout => "TOKEN_REFRESH_TIMEOUT",
            SdkError::Network | SdkError::Redirect => "NETWORK_ERROR",
            SdkError::RequestTimeout => "REQUEST_TIMEOUT",
            SdkError::Configuration(_) => "INVALID_CONFIGURATION",
            SdkError::ClientDestroyed => "CLIENT_DESTROYED",
        }
    }

    /// The message shown to JS (and by `Display`). Never contains a token.
    pub fn message(&self) -> String {
        let fixed = match self {
            SdkError::InvalidAccessToken(rule) | SdkError::InvalidAccessTokenFormat(rule) => {
                rule.message()
            }
            SdkError::AccessTokenExpired => {
                "the access token was refused and could not be refreshed"
            }
            SdkError::NoTokenCallback => {
                "the access token was refused and no onAccessTokenExpired or getAccessToken callback was given to refresh it"
            }
            SdkError::TokenRefreshTimeout => {
                "the token callback did not settle within refreshTimeoutMs"
            }
            SdkError::Network => "the request failed before a complete response arrived",
            SdkError::Redirect => {
                "the API answered with a redirect, which the SDK does not follow (the token stays on the API's origin)"
            }
            SdkError::RequestTimeout => "the request took longer than requestTimeoutMs",
            SdkError::ClientDestroyed => "the client was destroyed",
            SdkError::Configuration(e) if e.misuse => e.problem,
            SdkError::Configuration(e) => {
                let mut s = String::with_capacity(e.key.len() + e.problem.len() + 20);
                s.push_str("invalid option `");
                s.push_str(&e.key);
                s.push_str("`: ");
                s.push_str(e.problem);
                return s;
            }
        };
        fixed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_out_of_order_is_no_bad_option() {
        let mut misuse = ConfigError::new("check", "call initialize() before check()");
        misuse.misuse = true;
        assert_eq!(
            SdkError::Configuration(misuse).to_string(),
            "call initialize() before check()"
        );
    }

    #[test]
    fn api_message_prints_every_status() {
        for status in [0u16, 7, 42, 200, 401, 503, 999, 1000, 4096, 65535] {
            assert_eq!(
                api_message(status),
                format!("the API answered with status {status}")
            );
        }
    }

    #[test]
    fn display_is_the_message() {
        let e = SdkError::Configuration(ConfigError::new("baseUrl", "must be a string"));
        assert_eq!(e.to_string(), "invalid option `baseUrl`: must be a string");
        assert_eq!(SdkError::Network.to_string(), SdkError::Network.message());
    }
}
