//! Start-up configuration: command-line flags, environment variables and
//! their defaults.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;

/// Command-line usage, printed on `--help` and on a bad flag.
pub const USAGE: &str = "usage: sandbox [--port N] [--host 127.0.0.1] [--test-controls] \
[--vendor-port N] [--checkout-ttl SECS] [--oauth-ttl SECS] [--gatekeeper-ttl SECS] \
[--enrollment-ttl SECS] [--allowed-origin ORIGIN]... [--www DIR] [--pkg DIR]";

/// Default port when neither `--port` nor `PORT` is given.
pub const DEFAULT_PORT: u16 = 8787;

/// The OAuth scope that SDK credentials mint Gatekeeper tokens with.
pub const GATEKEEPER_SCOPE: &str = "gatekeeper/public";

/// The OAuth scope of API (server-side) credentials.
pub const API_SCOPE: &str = "api";

/// The only scope of card-enrollment credentials: `POST /v1/subaccounts/{id}/cards`.
pub const ENROLLMENT_SCOPE: &str = "cards/enroll";

/// A secret string: its `Debug` never shows the value and it has no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// The secret value, for comparison or for sending to the token endpoint.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// One OAuth client (client credentials grant).
#[derive(Debug, Clone)]
pub struct ClientCredentials {
    /// `client_id`.
    pub id: String,
    /// `client_secret`.
    pub secret: Secret,
    /// True when both values are the built-in dev defaults (safe to print).
    pub is_dev_default: bool,
}

/// All credentials the sandbox knows.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// API set: server-side calls such as `/v1/checkout-auth/init`.
    pub api: ClientCredentials,
    /// SDK set: mints Gatekeeper tokens for the browser.
    pub sdk: ClientCredentials,
    /// Card-enrollment set (least privilege): tokens for the hosted card form.
    pub enrollment: ClientCredentials,
    /// The Gatekeeper application id.
    pub gatekeeper_app_id: String,
    /// The Gatekeeper application's `x-api-key`.
    pub gatekeeper_api_key: Secret,
}

/// Token lifetimes in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetimes {
    /// Checkout JWTs.
    pub checkout: i64,
    /// API-set OAuth access tokens.
    pub oauth: i64,
    /// Gatekeeper (SDK-set) access tokens.
    pub gatekeeper: i64,
    /// Card-enrollment access tokens.
    pub enrollment: i64,
}

impl Default for Lifetimes {
    fn default() -> Self {
        Self {
            checkout: 900,
            oauth: 3600,
            gatekeeper: 900,
            enrollment: 300,
        }
    }
}

/// Which cross-origin callers may read responses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowedOrigins {
    /// Any `http(s)://localhost:*`, `127.0.0.1:*` or `[::1]:*` origin.
    Loopback,
    /// Exactly these origins (`*` in the list allows any origin).
    List(Vec<String>),
}

/// Everything the server needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// Interface to bind.
    pub host: String,
    /// Port to bind (0 picks a free one).
    pub port: u16,
    /// A second listener serving only the vendor role (API and
    /// `/enrollment/form`) on its own origin; `Some(0)` picks a free port.
    pub vendor_port: Option<u16>,
    /// Mount `/__sandbox/*`.
    pub test_controls: bool,
    /// Token lifetimes at start and after `/__sandbox/reset`.
    pub lifetimes: Lifetimes,
    /// CORS policy.
    pub allowed_origins: AllowedOrigins,
    /// Served at `/`.
    pub www: PathBuf,
    /// Served at `/pkg/`.
    pub pkg: PathBuf,
    /// Client credentials and the Gatekeeper application.
    pub credentials: Credentials,
    /// HS256 key; `None` generates a random one at start.
    pub signing_key: Option<Secret>,
}

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The variable's value, unless it is missing or empty.
fn set_var(env: &HashMap<String, String>, key: &str) -> Option<String> {
    env.get(key).filter(|v| !v.is_empty()).cloned()
}

fn client(
    env: &HashMap<String, String>,
    id_var: &str,
    secret_var: &str,
    dev: (&str, &str),
) -> ClientCredentials {
    // An empty variable (a CI secret that was never set expands to "") is unset: an
    // empty secret would let the client authenticate with no password.
    let id = set_var(env, id_var).unwrap_or_else(|| dev.0.to_owned());
    let secret = set_var(env, secret_var).unwrap_or_else(|| dev.1.to_owned());
    ClientCredentials {
        is_dev_default: id == dev.0 && secret == dev.1,
        id,
        secret: Secret::new(secret),
    }
}

impl Credentials {
    /// Reads the credential variables, falling back to the dev defaults.
    pub fn from_env(env: &HashMap<String, String>) -> Self {
        let get = |k: &str, d: &str| set_var(env, k).unwrap_or_else(|| d.to_owned());
        Self {
            api: client(
                env,
                "ALTERNATIVE_CLIENT_ID",
                "ALTERNATIVE_CLIENT_SECRET",
                ("api_client_dev", "api_secret_dev"),
            ),
            sdk: client(
                env,
                "SDK_CLIENT_ID",
                "SDK_CLIENT_SECRET",
                ("sdk_client_dev", "sdk_secret_dev"),
            ),
            enrollment: client(
                env,
                "ENROLLMENT_CLIENT_ID",
                "ENROLLMENT_CLIENT_SECRET",
                ("enroll_client_dev", "enroll_secret_dev"),
            ),
            gatekeeper_app_id: get("GATEKEEPER_APPLICATION_ID", "demo-app"),
            gatekeeper_api_key: Secret::new(get("GATEKEEPER_API_KEY", "demo-api-key")),
        }
    }
}

impl Config {
    /// Defaults with no flags and an empty environment (dev credentials).
    pub fn defaults() -> Self {
        let root = workspace_root();
        Self {
            host: "127.0.0.1".to_owned(),
            port: DEFAULT_PORT,
            vendor_port: None,
            test_controls: false,
            lifetimes: Lifetimes::default(),
            allowed_origins: AllowedOrigins::Loopback,
            www: root.join("www"),
            pkg: root.join("pkg"),
            credentials: Credentials::from_env(&HashMap::new()),
            signing_key: None,
        }
    }

    /// Parses flags (without the program name) over the given environment.
    ///
    /// # Errors
    /// A message naming the bad flag or value.
    pub fn parse(args: &[String], env: &HashMap<String, String>) -> Result<Self, String> {
        let mut c = Self::defaults();
        c.credentials = Credentials::from_env(env);
        c.signing_key = env
            .get("SANDBOX_SIGNING_KEY")
            .filter(|k| !k.is_empty())
            .map(Secret::new);
        if let Some(p) = env.get("PORT").filter(|p| !p.is_empty()) {
            c.port = p
                .parse()
                .map_err(|_| "PORT must be a port number".to_owned())?;
        }
        let mut origins = Vec::new();
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f, Some(v.to_owned())),
                _ => (arg.as_str(), None),
            };
            if flag == "--test-controls" {
                c.test_controls = true;
                continue;
            }
            let mut value = || {
                inline
                    .clone()
                    .or_else(|| it.next().cloned())
                    .ok_or_else(|| format!("{flag} needs a value"))
            };
            match flag {
                "--port" => {
                    c.port = value()?
                        .parse()
                        .map_err(|_| "--port must be 0..=65535".to_owned())?
                }
                "--host" => c.host = value()?,
                "--vendor-port" => {
                    c.vendor_port = Some(
                        value()?
                            .parse()
                            .map_err(|_| "--vendor-port must be 0..=65535".to_owned())?,
                    )
                }
                "--checkout-ttl" => c.lifetimes.checkout = parse_ttl(flag, &value()?)?,
                "--oauth-ttl" => c.lifetimes.oauth = parse_ttl(flag, &value()?)?,
                "--gatekeeper-ttl" => c.lifetimes.gatekeeper = parse_ttl(flag, &value()?)?,
                "--enrollment-ttl" => c.lifetimes.enrollment = parse_ttl(flag, &value()?)?,
                "--allowed-origin" => origins.push(value()?.trim_end_matches('/').to_owned()),
                "--www" => c.www = PathBuf::from(value()?),
                "--pkg" => c.pkg = PathBuf::from(value()?),
                other => return Err(format!("unknown flag {other}")),
            }
        }
        if !origins.is_empty() {
            c.allowed_origins = AllowedOrigins::List(origins);
        }
        Ok(c)
    }
}

/// A lifetime flag: 0..=10 years, in seconds.
fn parse_ttl(flag: &str, v: &str) -> Result<i64, String> {
    v.parse::<i64>()
        .ok()
        .filter(|n| (0..=315_360_000).contains(n))
        .ok_or_else(|| format!("{flag} must be a number of seconds"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn defaults_and_flags() {
        let env = HashMap::from([("PORT".to_owned(), "9000".to_owned())]);
        let c = Config::parse(
            &args(&[
                "--test-controls",
                "--checkout-ttl=5",
                "--allowed-origin",
                "http://a.test/",
            ]),
            &env,
        );
        let c = c.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.port, 9000);
        assert!(c.test_controls);
        assert_eq!(c.lifetimes.checkout, 5);
        assert_eq!(c.lifetimes.oauth, 3600);
        assert_eq!(
            c.allowed_origins,
            AllowedOrigins::List(vec!["http://a.test".into()])
        );
        assert_eq!(c.credentials.api.id, "api_client_dev");
        assert!(c.credentials.api.is_dev_default);
        assert_eq!(c.vendor_port, None);
        assert_eq!(c.credentials.enrollment.id, "enroll_client_dev");
        let c = Config::parse(&args(&["--vendor-port", "0", "--enrollment-ttl=7"]), &env);
        let c = c.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((c.vendor_port, c.lifetimes.enrollment), (Some(0), 7));
    }

    #[test]
    fn bad_flags() {
        let env = HashMap::new();
        assert!(Config::parse(&args(&["--port", "x"]), &env).is_err());
        assert!(Config::parse(&args(&["--port"]), &env).is_err());
        assert!(Config::parse(&args(&["--nope"]), &env).is_err());
        assert!(Config::parse(&args(&["--oauth-ttl", "-1"]), &env).is_err());
    }

    #[test]
    fn empty_credential_variables_are_unset() {
        let env: HashMap<String, String> = [
            "ALTERNATIVE_CLIENT_ID",
            "ALTERNATIVE_CLIENT_SECRET",
            "SDK_CLIENT_SECRET",
            "ENROLLMENT_CLIENT_SECRET",
            "GATEKEEPER_API_KEY",
            "GATEKEEPER_APPLICATION_ID",
        ]
        .into_iter()
        .map(|k| (k.to_owned(), String::new()))
        .collect();
        let c = Credentials::from_env(&env);
        for client in [&c.api, &c.sdk, &c.enrollment] {
            assert!(!client.id.is_empty());
            assert!(!client.secret.expose().is_empty());
            assert!(client.is_dev_default);
        }
        assert_eq!(c.gatekeeper_app_id, "demo-app");
        assert!(!c.gatekeeper_api_key.expose().is_empty());
    }

    #[test]
    fn secrets_are_redacted() {
        let c = Credentials::from_env(&HashMap::new());
        assert!(!format!("{c:?}").contains("api_secret_dev"));
        assert!(!format!("{c:?}").contains("enroll_secret_dev"));
    }
}
