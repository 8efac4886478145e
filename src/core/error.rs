//! The one error enum of the core. Each variant maps to one JS error class.
//!
//! No variant holds a token or a piece of one, and none holds a `JsValue`: the browser
//! layer attaches `cause`, `body` and `requestId` when it converts to JS.

use crate::core::jwt::TokenRule;

/// Everything that can go wrong, keeping server refusal, transport failure, parse
/// failure and callback failure apart.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SdkError {
    /// Not a string, or empty after trimming (`INVALID_ACCESS_TOKEN`).
    #[error("{}", .0.message())]
    InvalidAccessToken(TokenRule),
    /// Breaks a JWT shape rule (`INVALID_ACCESS_TOKEN_FORMAT`).
    #[error("{}", .0.message())]
    InvalidAccessTokenFormat(TokenRule),
    /// Refused with no callback, or refused again after the one refresh.
    #[error("the access token was refused and could not be refreshed")]
    AccessTokenExpired,
    /// The token callback did not settle within `refreshTimeoutMs`.
    #[error("the token callback did not settle within refreshTimeoutMs")]
    TokenRefreshTimeout,
    /// The token callback threw or rejected.
    #[error("the token callback threw or rejected")]
    TokenRefreshFailed,
    /// Any other non-2xx answer, or a 2xx answer that is not JSON.
    #[error("the API answered with status {status}")]
    Api {
        /// The HTTP status.
        status: u16,
    },
    /// `fetch` failed: offline, DNS, CORS, a refused redirect.
    #[error("the request failed before a response arrived")]
    Network,
    /// One attempt took longer than `requestTimeoutMs`.
    #[error("the request took longer than requestTimeoutMs")]
    RequestTimeout,
    /// Bad options, a bad path, or calls in the wrong order.
    #[error("invalid option `{}`: {}", .0.key, .0.problem)]
    Configuration(ConfigError),
    /// The client was destroyed.
    #[error("the client was destroyed")]
    ClientDestroyed,
}

/// A configuration problem: which key, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The option key (or argument name) at fault, as the user spelled it.
    pub key: String,
    /// A fixed sentence saying what is wrong.
    pub problem: &'static str,
}

impl ConfigError {
    /// A problem with `key`.
    pub fn new(key: &str, problem: &'static str) -> Self {
        Self {
            key: key.to_owned(),
            problem,
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

impl SdkError {
    /// The stable `code` of the JS error.
    pub fn code(&self) -> &'static str {
        match self {
            SdkError::InvalidAccessToken(_) => "INVALID_ACCESS_TOKEN",
            SdkError::InvalidAccessTokenFormat(_) => "INVALID_ACCESS_TOKEN_FORMAT",
            SdkError::AccessTokenExpired => "ACCESS_TOKEN_EXPIRED",
            SdkError::TokenRefreshTimeout => "TOKEN_REFRESH_TIMEOUT",
            SdkError::TokenRefreshFailed => "TOKEN_REFRESH_FAILED",
            SdkError::Api { .. } => "API_ERROR",
            SdkError::Network => "NETWORK_ERROR",
            SdkError::RequestTimeout => "REQUEST_TIMEOUT",
            SdkError::Configuration(_) => "INVALID_CONFIGURATION",
            SdkError::ClientDestroyed => "CLIENT_DESTROYED",
        }
    }

    /// The message shown to JS, or `None` where the JS class has a good default.
    ///
    /// Built without `format!` to keep the wasm small.
    pub fn detail(&self) -> Option<String> {
        match self {
            SdkError::InvalidAccessToken(rule) | SdkError::InvalidAccessTokenFormat(rule) => {
                Some(rule.message().to_owned())
            }
            SdkError::Configuration(e) => {
                let mut s = String::with_capacity(e.key.len() + e.problem.len() + 20);
                s.push_str("invalid option `");
                s.push_str(&e.key);
                s.push_str("`: ");
                s.push_str(e.problem);
                Some(s)
            }
            _ => None,
        }
    }
}
