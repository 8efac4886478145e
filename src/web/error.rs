//! The one conversion point from Rust errors to the JS classes of `js/errors.js`.

use crate::core::error::{ConfigError, SdkError};
use crate::core::jwt::TokenRule;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/errors.js")]
extern "C" {
    #[wasm_bindgen(js_name = makeError)]
    #[allow(clippy::too_many_arguments)]
    fn make_error(
        code: &str,
        message: Option<String>,
        key: Option<String>,
        status: Option<u16>,
        body: &JsValue,
        request_id: Option<String>,
        cause: &JsValue,
        has_cause: bool,
    ) -> JsValue;

    #[wasm_bindgen(js_name = ignoreRejection, catch)]
    fn ignore_rejection_js(value: &JsValue) -> Result<(), JsValue>;
}

/// Attaches a no-op rejection handler when `value` is a thenable. Whatever a hostile
/// thenable throws (its `then` getter, its `then`) stays out of the SDK.
pub fn ignore_rejection(value: &JsValue) {
    let _ = ignore_rejection_js(value);
}

/// An error on its way to JS: a core error plus what only the browser has.
#[derive(Clone, Debug)]
pub enum Error {
    /// A core error with nothing attached.
    Sdk(SdkError),
    /// The token callback threw or rejected with `cause`.
    RefreshFailed(JsValue),
    /// A non-2xx answer (or a 2xx that is not JSON).
    Api {
        /// The HTTP status.
        status: u16,
        /// The parsed body, the raw text, or `null`.
        body: JsValue,
        /// `x-request-id`, when exposed.
        request_id: Option<String>,
        /// A message replacing the default one.
        detail: Option<&'static str>,
    },
    /// The caller's signal aborted: rethrow its reason as `fetch` does.
    Aborted(JsValue),
}

impl Error {
    /// `ConfigurationError` for `key`.
    pub fn config(key: &str, problem: &'static str) -> Self {
        Error::Sdk(SdkError::Configuration(ConfigError::new(key, problem)))
    }

    /// The stable code, for `AuthenticationFailed` reasons.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Sdk(e) => e.code(),
            Error::RefreshFailed(_) => "TOKEN_REFRESH_FAILED",
            Error::Api { .. } => "API_ERROR",
            Error::Aborted(_) => "ABORTED",
        }
    }

    /// True for the failures that mean "this token is not accepted and no better one
    /// could be had": what `SafeSDK.check()` reports as `AuthenticationFailed`.
    pub fn is_authentication_failure(&self) -> bool {
        matches!(
            self,
            Error::RefreshFailed(_)
                | Error::Sdk(
                    SdkError::AccessTokenExpired
                        | SdkError::TokenRefreshTimeout
                        | SdkError::InvalidAccessToken(_)
                        | SdkError::InvalidAccessTokenFormat(_)
                )
        )
    }
}

impl From<SdkError> for Error {
    fn from(e: SdkError) -> Self {
        Error::Sdk(e)
    }
}

impl From<TokenRule> for Error {
    fn from(rule: TokenRule) -> Self {
        Error::Sdk(rule.into())
    }
}

impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Self {
        Error::Sdk(e.into())
    }
}

impl From<Error> for JsValue {
    fn from(error: Error) -> JsValue {
        let none = JsValue::UNDEFINED;
        match error {
            Error::Aborted(reason) => reason,
            Error::RefreshFailed(cause) => make_error(
                "TOKEN_REFRESH_FAILED",
                None,
                None,
                None,
                &none,
                None,
                &cause,
                true,
            ),
            Error::Api {
                status,
                body,
                request_id,
                detail,
            } => make_error(
                "API_ERROR",
                detail.map(str::to_owned),
                None,
                Some(status),
                &body,
                request_id,
                &none,
                false,
            ),
            Error::Sdk(e) => {
                let key = match &e {
                    SdkError::Configuration(c) => Some(c.key.clone()),
                    _ => None,
                };
                make_error(e.code(), e.detail(), key, None, &none, None, &none, false)
            }
        }
    }
}
