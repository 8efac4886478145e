//! Option validation for both classes. The browser layer reduces the JS options object
//! to a list of [`Entry`] values; this module decides, naming the offending key.

use crate::core::error::ConfigError;
use crate::core::secret::Wiped;
use crate::core::url::{self, BaseUrl};

/// The API root for `environment: 'production'`.
pub const PRODUCTION_URL: &str = "https://public-api.alternativepayments.io";
/// The API root for `environment: 'sandbox'`.
pub const SANDBOX_URL: &str = "https://sandbox-public-api.alternativepayments.io";

/// Default `refreshTimeoutMs`.
pub const DEFAULT_REFRESH_TIMEOUT_MS: u32 = 5_000;
/// Default `requestTimeoutMs`.
pub const DEFAULT_REQUEST_TIMEOUT_MS: u32 = 30_000;
/// Default `refreshLeewaySeconds`.
pub const DEFAULT_LEEWAY_S: f64 = 30.0;
/// The longest delay `setTimeout` honours.
const MAX_TIMEOUT_MS: f64 = 2_147_483_647.0;

/// An option value, reduced to its JS type.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `undefined`: treated as absent.
    Undefined,
    /// A string, wiped when dropped: it may be the page's token (`accessToken`), and a
    /// `create()` that refuses another option drops it at once.
    Str(Wiped),
    /// A number.
    Number(f64),
    /// A function.
    Function,
    /// Anything else (`null`, a bool, an object).
    Other,
}

/// One own key of the options object. Its `Debug` shows no string value.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key as written.
    pub key: String,
    /// Its value's type.
    pub value: Value,
}

/// Which token callback the page gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallbackKey {
    /// `onAccessTokenExpired`.
    OnAccessTokenExpired,
    /// `getAccessToken`.
    GetAccessToken,
}

impl CallbackKey {
    /// The option key.
    pub fn key(self) -> &'static str {
        match self {
            CallbackKey::OnAccessTokenExpired => "onAccessTokenExpired",
            CallbackKey::GetAccessToken => "getAccessToken",
        }
    }
}

/// The refresh options shared by both classes.
#[derive(Debug, Clone, PartialEq)]
pub struct Common {
    /// The validated API root.
    pub base: BaseUrl,
    /// The token callback, if any.
    pub callback: Option<CallbackKey>,
    /// Whether `onTokenRefreshed` was given.
    pub on_refreshed: bool,
    /// `refreshTimeoutMs`.
    pub refresh_timeout_ms: u32,
    /// `requestTimeoutMs`.
    pub request_timeout_ms: u32,
    /// `refreshLeewaySeconds`.
    pub leeway_s: f64,
}

/// Validated `AlternativeClient` options. Their `Debug` never shows `accessToken`.
#[derive(Debug, Clone, PartialEq)]
pub struct AlternativeOptions {
    /// The shared part.
    pub common: Common,
    /// `accessToken`, not yet shape-checked (that gives token errors, not config ones).
    pub access_token: Option<Wiped>,
}

/// Validated `SafeSDK` options.
#[derive(Debug, Clone, PartialEq)]
pub struct SafeOptions {
    /// The shared part.
    pub common: Common,
    /// `apiKey`.
    pub api_key: String,
    /// `applicationId`.
    pub application_id: String,
    /// `applicationVersion`.
    pub application_version: String,
}

const COMMON_KEYS: [&str; 7] = [
    "baseUrl",
    "retry",
    "onAccessTokenExpired",
    "getAccessToken",
    "refreshTimeoutMs",
    "requestTimeoutMs",
    "refreshLeewaySeconds",
];
const ALTERNATIVE_KEYS: [&str; 3] = ["accessToken", "environment", "onTokenRefreshed"];
const SAFE_KEYS: [&str; 4] = [
    "apiKey",
    "applicationId",
    "applicationVersion",
    "onTokenRefreshed",
];

const ENROLLMENT_KEYS: [&str; 9] = [
    "companyName",
    "subaccountId",
    "getAccessToken",
    "baseUrl",
    "container",
    "onSuccess",
    "onError",
    "onCancel",
    "refreshTimeoutMs",
];

const NOT_STRING: &str = "must be a string";
const EMPTY: &str = "must be a non-empty string";
const NOT_FUNCTION: &str = "must be a function";
/// The problem of a `container` that is not a DOM element.
pub const NOT_ELEMENT: &str = "must be a DOM Element";
const NOT_MS: &str = "must be a whole number of milliseconds from 1 to 2147483647";
const NOT_SECONDS: &str = "must be a number of seconds from 0 to 86400";

struct Reader<'a>(&'a [Entry]);

impl Reader<'_> {
    fn check_keys(&self, extra: &[&str]) -> Result<(), ConfigError> {
        match self
            .0
            .iter()
            .find(|e| !COMMON_KEYS.contains(&e.key.as_str()) && !extra.contains(&e.key.as_str()))
        {
            Some(e) => Err(ConfigError::new(&e.key, "is not a known option")),
            None => Ok(()),
        }
    }

    fn check_only(&self, allowed: &[&str]) -> Result<(), ConfigError> {
        match self.0.iter().find(|e| !allowed.contains(&e.key.as_str())) {
            Some(e) => Err(ConfigError::new(&e.key, "is not a known option")),
            None => Ok(()),
        }
    }

    fn get(&self, key: &str) -> &Value {
        self.0
            .iter()
            .rev()
            .find(|e| e.key == key)
            .map_or(&Value::Undefined, |e| &e.value)
    }

    fn string(&self, key: &str) -> Result<Option<&str>, ConfigError> {
        match self.get(key) {
            Value::Undefined => Ok(None),
            Value::Str(s) => Ok(Some(s)),
            _ => Err(ConfigError::new(key, NOT_STRING)),
        }
    }

    fn required(&self, key: &str) -> Result<String, ConfigError> {
        match self.string(key)? {
            Some(s) if !s.trim().is_empty() => Ok(s.to_owned()),
            _ => Err(ConfigError::new(key, EMPTY)),
        }
    }

    /// A required string that is one path segment of a URL: not `.` or `..`, which
    /// URL parsing would take as "this" or "the parent" directory even percent-encoded.
    fn segment(&self, key: &str) -> Result<String, ConfigError> {
        let s = self.required(key)?;
        if s == "." || s == ".." {
            return Err(ConfigError::new(key, "must not be . or .."));
        }
        Ok(s)
    }

    fn function(&self, key: &str) -> Result<bool, ConfigError> {
        match self.get(key) {
            Value::Undefined => Ok(false),
            Value::Function => Ok(true),
            _ => Err(ConfigError::new(key, NOT_FUNCTION)),
        }
    }

    fn number(
        &self,
        key: &str,
        default: f64,
        ok: impl Fn(f64) -> bool,
        problem: &'static str,
    ) -> Result<f64, ConfigError> {
        match self.get(key) {
            Value::Undefined => Ok(default),
            Value::Number(n) if ok(*n) => Ok(*n),
            _ => Err(ConfigError::new(key, problem)),
        }
    }

    fn millis(&self, key: &str, default: u32) -> Result<u32, ConfigError> {
        let ok = |n: f64| n.fract() == 0.0 && (1.0..=MAX_TIMEOUT_MS).contains(&n);
        self.number(key, f64::from(default), ok, NOT_MS)
            .map(|n| n as u32)
    }

    fn base_url(&self, key: &str, value: &str) -> Result<BaseUrl, ConfigError> {
        url::parse_base_url(value).map_err(|problem| ConfigError::new(key, problem))
    }

    fn common(&self, base: BaseUrl) -> Result<Common, ConfigError> {
        let on_expired = self.function("onAccessTokenExpired")?;
        let get = self.function("getAccessToken")?;
        let callback = match (on_expired, get) {
            (true, true) => {
                return Err(ConfigError::new(
                    "getAccessToken",
                    "cannot be given together with onAccessTokenExpired",
                ))
            }
            (true, false) => Some(CallbackKey::OnAccessTokenExpired),
            (false, true) => Some(CallbackKey::GetAccessToken),
            (false, false) => None,
        };
        Ok(Common {
            base,
            callback,
            on_refreshed: self.function("onTokenRefreshed")?,
            refresh_timeout_ms: self.millis("refreshTimeoutMs", DEFAULT_REFRESH_TIMEOUT_MS)?,
            request_timeout_ms: self.millis("requestTimeoutMs", DEFAULT_REQUEST_TIMEOUT_MS)?,
            leeway_s: self.number(
                "refreshLeewaySeconds",
                DEFAULT_LEEWAY_S,
                |n| (0.0..=86_400.0).contains(&n),
                NOT_SECONDS,
            )?,
        })
    }
}

/// Validates `AlternativeClient.create` options.
///
/// # Errors
/// [`ConfigError`] naming the first offending key.
pub fn alternative(entries: &[Entry]) -> Result<AlternativeOptions, ConfigError> {
    let r = Reader(entries);
    r.check_keys(&ALTERNATIVE_KEYS)?;
    // A bad `environment` is named even when `baseUrl` overrides it.
    let environment_url = match r.string("environment")? {
        None | Some("production") => PRODUCTION_URL,
        Some("sandbox") => SANDBOX_URL,
        Some(_) => {
            return Err(ConfigError::new(
                "environment",
                "must be 'production' or 'sandbox'",
            ))
        }
    };
    let base = match r.string("baseUrl")? {
        Some(url) => r.base_url("baseUrl", url)?,
        None => r.base_url("environment", environment_url)?,
    };
    let common = r.common(base)?;
    let access_token = r.string("accessToken")?.map(Wiped::from);
    if access_token.is_none() && common.callback != Some(CallbackKey::GetAccessToken) {
        return Err(ConfigError::new(
            "accessToken",
            "is required unless getAccessToken is given",
        ));
    }
    Ok(AlternativeOptions {
        common,
        access_token,
    })
}

/// Validates `new SafeSDK` options.
///
/// # Errors
/// [`ConfigError`] naming the first offending key.
pub fn safe(entries: &[Entry]) -> Result<SafeOptions, ConfigError> {
    let r = Reader(entries);
    r.check_keys(&SAFE_KEYS)?;
    let api_key = r.required("apiKey")?;
    // What `Headers.set` refuses: a character above U+00FF, CR, LF or NUL.
    if api_key
        .chars()
        .any(|c| c > '\u{ff}' || matches!(c, '\r' | '\n' | '\0'))
    {
        return Err(ConfigError::new("apiKey", "must be a valid header value"));
    }
    let application_id = r.segment("applicationId")?;
    let application_version = r.segment("applicationVersion")?;
    let base_text = r.required("baseUrl")?;
    let base = r.base_url("baseUrl", &base_text)?;
    Ok(SafeOptions {
        common: r.common(base)?,
        api_key,
        application_id,
        application_version,
    })
}

/// Validated `CardEnrollment.openForm` options.
#[derive(Debug, Clone, PartialEq)]
pub struct EnrollmentOptions {
    /// The shared part: `baseUrl`, `getAccessToken`, `refreshTimeoutMs` (the other
    /// shared keys are not options of the form).
    pub common: Common,
    /// `companyName`, shown in the form.
    pub company_name: String,
    /// `subaccountId`, a path segment of the cards endpoint.
    pub subaccount_id: String,
}

/// Validates `CardEnrollment.openForm` options, except `container`'s element type
/// (the browser layer checks that it is an `Element`).
///
/// # Errors
/// [`ConfigError`] naming the first offending key.
pub fn enrollment(entries: &[Entry]) -> Result<EnrollmentOptions, ConfigError> {
    let r = Reader(entries);
    r.check_only(&ENROLLMENT_KEYS)?;
    let company_name = r.required("companyName")?;
    if company_name.chars().count() > 100 || company_name.chars().any(char::is_control) {
        return Err(ConfigError::new(
            "companyName",
            "must be at most 100 characters, without control characters",
        ));
    }
    let subaccount_id = r.segment("subaccountId")?;
    let base_text = r.required("baseUrl")?;
    let base = r.base_url("baseUrl", &base_text)?;
    for key in ["onSuccess", "onError", "onCancel"] {
        r.function(key)?;
    }
    if !matches!(r.get("container"), Value::Undefined | Value::Other) {
        return Err(ConfigError::new("container", NOT_ELEMENT));
    }
    let common = r.common(base)?;
    if common.callback.is_none() {
        return Err(ConfigError::new("getAccessToken", "is required"));
    }
    Ok(EnrollmentOptions {
        common,
        company_name,
        subaccount_id,
    })
}
