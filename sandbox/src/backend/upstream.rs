//! A minimal HTTP/1 client for calling the vendor API (Role 1) over the wire,
//! exactly as a real partner backend would.

use std::time::Duration;

use axum::body::Bytes;
use axum::http::{header, HeaderValue, Request, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::error::{ApiError, ApiResult};

/// Per-call limit, covering connect, request and the whole response body.
const TIMEOUT: Duration = Duration::from_secs(30);
/// Largest response body read.
const MAX_RESPONSE: usize = 1024 * 1024;

/// An upstream answer.
#[derive(Debug)]
pub struct Reply {
    /// HTTP status.
    pub status: StatusCode,
    /// Whole body.
    pub body: Bytes,
}

/// A pooled client bound to one base URL.
#[derive(Debug, Clone)]
pub struct Upstream {
    client: Client<HttpConnector, Full<Bytes>>,
    base: String,
}

impl Upstream {
    /// A client for `base` (e.g. `http://127.0.0.1:8787`).
    pub fn new(base: String) -> Self {
        let client = Client::builder(TokioExecutor::new()).build_http();
        Self { client, base }
    }

    /// `POST {base}{path}` with an `Authorization` value and a body.
    ///
    /// # Errors
    /// 502 when the vendor cannot be reached, times out or answers too much.
    pub async fn post(
        &self,
        path: &str,
        authorization: &str,
        content_type: &'static str,
        body: Vec<u8>,
    ) -> ApiResult<Reply> {
        let unreachable = || ApiError::bad_gateway("the vendor API could not be reached");
        let auth = HeaderValue::from_str(authorization).map_err(|_| unreachable())?;
        let req = Request::post(format!("{}{path}", self.base))
            .header(header::CONTENT_TYPE, content_type)
            .header(header::AUTHORIZATION, auth)
            .header(header::ACCEPT, "application/json")
            .body(Full::new(Bytes::from(body)))
            .map_err(|_| unreachable())?;
        let call = async {
            let res = self.client.request(req).await.map_err(|_| unreachable())?;
            let status = res.status();
            let body = Limited::new(res.into_body(), MAX_RESPONSE)
                .collect()
                .await
                .map_err(|_| unreachable())?
                .to_bytes();
            Ok(Reply { status, body })
        };
        tokio::time::timeout(TIMEOUT, call)
            .await
            .map_err(|_| ApiError::bad_gateway("the vendor API timed out"))?
    }
}
