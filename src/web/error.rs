//! The one conversion point from Rust errors to the JS classes of `js/errors.js`.

use crate::core::error::{api_message, code, ConfigError, SdkError};
use crate::core::jwt::TokenRule;
use crate::web::js::make_error;
use wasm_bindgen::JsValue;

/// An error on its way to JS: a core error, or one that carries JS values.
#[derive(Clone, Debug)]
pub enum Error {
    /// A core error: code and message come from core.
    Sdk(SdkError),
    /// The token callback threw or rejected with this `cause`.
    RefreshFailed(JsValue),
    /// A non-2xx answer, or a 2xx body that is not JSON.
    Api {
        /// The HTTP status.
        status: u16,
        /// The parsed body, the raw text, or `null`.
        body: JsValue,
        /// `x-request-id`, or `null`.
        request_id: JsValue,
        /// A fixed message replacing "the API answered with status N".
        detail: Option<&'static str>,
        /// How many times the call was sent (rule 9); 0 when not counted.
        attempts: u32,
        /// The request's method and URL, which the message names (the URL's path only);
        /// `""` and `undefined` for the card form's errors.
        method: &'static str,
        url: JsValue,
    },
    /// `NetworkError` (`NETWORK_ERROR` or `REQUEST_TIMEOUT`) after `attempts` sends.
    Transport {
        /// `SdkError::Network`, `SdkError::Redirect` or `SdkError::RequestTimeout`.
        error: SdkError,
        /// How many times the call was sent (rule 9).
        attempts: u32,
        /// The request's method and URL, which the message names, as an `ApiError`'s.
        method: &'static str,
        url: JsValue,
    },
    /// The caller's signal aborted: its reason is rethrown as `fetch` does.
    Aborted(JsValue),
    /// Internal: the attempt was aborted because a 401 refused its token (rule 2
    /// extended); the request loop resends it after the refresh. Should it ever reach
    /// JS, it is `AccessTokenExpiredError`.
    Superseded,
}

impl Error {
    /// `ConfigurationError` for `key`.
    pub fn config(key: &str, problem: &'static str) -> Self {
        Error::Sdk(SdkError::Configuration(ConfigError::new(key, problem)))
    }

    /// `ConfigurationError` for a call made in the wrong order (`key` names the call):
    /// its message is `message` alone, not "invalid option …".
    pub fn misuse(key: &str, message: &'static str) -> Self {
        let mut e = ConfigError::new(key, message);
        e.misuse = true;
        Error::Sdk(SdkError::Configuration(e))
    }

    /// The stable code, as `SafeSDK` reports it in `AuthenticationFailed` results.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Sdk(e) => e.code(),
            Error::RefreshFailed(_) => code::TOKEN_REFRESH_FAILED,
            Error::Api { .. } => code::API_ERROR,
            Error::Transport { error, .. } => error.code(),
            Error::Aborted(_) => "ABORTED",
            Error::Superseded => SdkError::AccessTokenExpired.code(),
        }
    }

    /// True for "this token is not accepted and no better one could be had": what
    /// `SafeSDK.check()` reports as `AuthenticationFailed`.
    pub fn is_authentication_failure(&self) -> bool {
        matches!(
            self,
            Error::RefreshFailed(_)
                | Error::Sdk(
                    SdkError::AccessTokenExpired
                        | SdkError::NoTokenCallback
                        | SdkError::TokenRefreshTimeout
                        | SdkError::InvalidAccessToken(_)
                        | SdkError::InvalidAccessTokenFormat(_)
                )
        )
    }
}

impl Error {
    /// Records how many times the call was sent on `ApiError` and `NetworkError`, and
    /// on `NetworkError` the request (`url` is asked for only then).
    pub fn with_attempts(
        mut self,
        sent: u32,
        method: &'static str,
        url: impl FnOnce() -> JsValue,
    ) -> Error {
        if let Error::Api { attempts, .. } = &mut self {
            *attempts = sent;
        }
        match self {
            Error::Sdk(
                error @ (SdkError::Network | SdkError::Redirect | SdkError::RequestTimeout),
            ) => Error::Transport {
                error,
                attempts: sent,
                method,
                url: url(),
            },
            other => other,
        }
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
        // Every class is made by the one `makeError` call below; each variant only says
        // what it fills in (unset: no status, body, request id, cause, attempts or request).
        let mut status = 0;
        let (mut body, mut request_id, mut cause) = (none.clone(), none.clone(), none.clone());
        let (mut attempts, mut method, mut url) = (0, "", none);
        let sdk;
        let (code, message, key) = match error {
            Error::Aborted(reason) => return reason,
            Error::Superseded => return Error::Sdk(SdkError::AccessTokenExpired).into(),
            Error::RefreshFailed(original) => {
                cause = original;
                (
                    code::TOKEN_REFRESH_FAILED,
                    code::TOKEN_REFRESH_FAILED_MESSAGE.to_owned(),
                    "",
                )
            }
            Error::Api {
                status: s,
                body: b,
                request_id: r,
                detail,
                attempts: n,
                method: m,
                url: u,
            } => {
                (status, body, request_id, attempts, method, url) = (s, b, r, n, m, u);
                let message = detail.map_or_else(|| api_message(s), str::to_owned);
                (code::API_ERROR, message, "")
            }
            Error::Transport {
                error,
                attempts: n,
                method: m,
                url: u,
            } => {
                (attempts, method, url) = (n, m, u);
                (error.code(), error.message(), "")
            }
            Error::Sdk(e) => {
                sdk = e;
                let key = match &sdk {
                    SdkError::Configuration(c) => c.key.as_str(),
                    _ => "",
                };
                (sdk.code(), sdk.message(), key)
            }
        };
        make_error(
            code,
            &message,
            key,
            status,
            &body,
            &request_id,
            &cause,
            attempts,
            method,
            &url,
        )
    }
}
