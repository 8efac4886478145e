//! Shared helpers: start a sandbox in-process on a loopback port and talk to
//! it over real HTTP.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Request};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use sandbox::Config;
use serde_json::{json, Value};

pub const API_ID: &str = "api_client_dev";
pub const API_SECRET: &str = "api_secret_dev";
pub const SDK_ID: &str = "sdk_client_dev";
pub const SDK_SECRET: &str = "sdk_secret_dev";
pub const ENROLL_ID: &str = "enroll_client_dev";
pub const ENROLL_SECRET: &str = "enroll_secret_dev";
pub const GK_PATH: &str = "/v1/applications/demo-app/versions/1.0.0/devices";

/// A running sandbox plus a client and a scratch www/pkg tree.
pub struct Sandbox {
    pub url: String,
    /// The vendor origin: the second listener's with `vendor_port`, else `url`.
    pub vendor_url: String,
    _server: sandbox::Server,
    client: Client<HttpConnector, Full<Bytes>>,
    dir: PathBuf,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// An HTTP answer.
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.text()))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    /// Asserts an OAuth-style error body.
    pub fn assert_error(&self, status: u16, error: &str) {
        assert_eq!(self.status, status, "body: {}", self.text());
        let j = self.json();
        assert_eq!(j["error"], error, "body: {j}");
        assert!(j["error_description"].is_string(), "body: {j}");
        assert!(self.header("x-request-id").is_some());
    }
    /// Asserts the 401 invalid_token shape.
    pub fn assert_invalid_token(&self) {
        self.assert_error(401, "invalid_token");
        assert_eq!(
            self.header("www-authenticate"),
            Some("Bearer error=\"invalid_token\"")
        );
    }
}

fn scratch_dir() -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("sandbox-it-{}-{n}", std::process::id()));
    let write = |rel: &str, content: &[u8]| {
        let p = dir.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(p, content).expect("write");
    };
    write("www/index.html", b"<!doctype html><title>demo</title>");
    write("www/app.js", b"console.log('hi')");
    write("www/sub/index.html", b"<p>sub</p>");
    write("pkg/partner_sdk_bg.wasm", b"\0asm\x01\0\0\0");
    write("pkg/index.js", b"export {}");
    write("secret.txt", b"outside the roots");
    dir
}

pub async fn start() -> Sandbox {
    start_with(|_| {}).await
}

pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> Sandbox {
    let dir = scratch_dir();
    let mut config = Config::defaults();
    config.port = 0;
    config.test_controls = true;
    config.www = dir.join("www");
    config.pkg = dir.join("pkg");
    tweak(&mut config);
    let server = sandbox::start(config).await.expect("start sandbox");
    let client = Client::builder(TokioExecutor::new()).build_http();
    Sandbox {
        url: server.url(),
        vendor_url: server.vendor_url(),
        _server: server,
        client,
        dir,
    }
}

pub fn basic(id: &str, secret: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
}

pub fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// The decoded payload of a JWT (no verification).
pub fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("b64")).expect("json")
}

impl Sandbox {
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: impl Into<Bytes>,
    ) -> Resp {
        self.send_to(&self.url, method, path, headers, body).await
    }

    /// Like [`Sandbox::send`], to another base URL (e.g. the vendor origin).
    pub async fn send_to(
        &self,
        base: &str,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: impl Into<Bytes>,
    ) -> Resp {
        let mut req = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).expect("method"))
            .uri(format!("{base}{path}"));
        for (k, v) in headers {
            req = req.header(
                HeaderName::from_bytes(k.as_bytes()).expect("name"),
                HeaderValue::from_str(v).expect("value"),
            );
        }
        let req = req.body(Full::new(body.into())).expect("request");
        let res = self.client.request(req).await.expect("send");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.expect("body").to_bytes();
        Resp {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str, headers: &[(&str, &str)]) -> Resp {
        self.send("GET", path, headers, Bytes::new()).await
    }

    pub async fn post_json(&self, path: &str, headers: &[(&str, &str)], body: &Value) -> Resp {
        let mut h = headers.to_vec();
        h.push(("content-type", "application/json"));
        self.send("POST", path, &h, body.to_string()).await
    }

    pub async fn control(&self, path: &str, body: &Value) -> Resp {
        let r = self
            .post_json(&format!("/__sandbox/{path}"), &[], body)
            .await;
        assert!(r.status < 300, "control {path}: {} {}", r.status, r.text());
        r
    }

    pub async fn counters(&self) -> Value {
        self.get("/__sandbox/counters", &[]).await.json()
    }

    /// An access token from a client-credentials endpoint (Basic auth, form body).
    async fn client_credentials(
        &self,
        path: &str,
        id: &str,
        secret: &str,
        body: &'static str,
    ) -> String {
        let auth = basic(id, secret);
        let form = [
            ("authorization", auth.as_str()),
            ("content-type", "application/x-www-form-urlencoded"),
        ];
        let r = self.send("POST", path, &form, body).await;
        assert_eq!(r.status, 200, "{}", r.text());
        r.json()["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned()
    }

    /// An API-set access token from /oauth/token.
    pub async fn api_token(&self) -> String {
        self.client_credentials(
            "/oauth/token",
            API_ID,
            API_SECRET,
            "grant_type=client_credentials",
        )
        .await
    }

    /// An SDK-set Gatekeeper token from /oauth2/token.
    pub async fn gatekeeper_token(&self) -> String {
        self.client_credentials(
            "/oauth2/token",
            SDK_ID,
            SDK_SECRET,
            "grant_type=client_credentials&scope=gatekeeper%2Fpublic",
        )
        .await
    }

    /// A card-enrollment token from /oauth/token (JSON client credentials).
    pub async fn enrollment_token(&self) -> String {
        self.client_credentials(
            "/oauth/token",
            ENROLL_ID,
            ENROLL_SECRET,
            "grant_type=client_credentials",
        )
        .await
    }

    /// A checkout token for cus_demo and `invoice` via /v1/checkout-auth/init.
    pub async fn checkout_token(&self, invoice: &str) -> String {
        let auth = bearer(&self.api_token().await);
        let body = json!({ "customer_id": "cus_demo", "invoice_id": invoice });
        let r = self
            .post_json("/v1/checkout-auth/init", &[("authorization", &auth)], &body)
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        r.json()["token"].as_str().expect("token").to_owned()
    }

    pub async fn mint(&self, body: Value) -> String {
        let r = self.control("mint", &body).await;
        r.json()["token"].as_str().expect("token").to_owned()
    }

    pub async fn invoice(&self, id: &str, token: &str) -> Resp {
        self.get(
            &format!("/v1/invoices/{id}"),
            &[("authorization", &bearer(token))],
        )
        .await
    }
}
