//! One HTTP call under the refresh rules: the async driver that follows
//! [`refresh::after_response`](crate::core::refresh::after_response).

use crate::core::error::SdkError;
use crate::core::refresh::{after_response, Failure, Next};
use crate::web::error::Error;
use crate::web::json::parse_body;
use crate::web::session::Session;
use crate::web::timer::Timeout;
use gloo_net::http::Method;
use js_sys::{Array, Function, JsString, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, Headers, RequestInit, RequestRedirect, Response};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = AbortSignal, js_name = any)]
    fn abort_signal_any(signals: &Array) -> AbortSignal;
    /// The global `fetch` (window or worker). Called directly rather than through
    /// gloo-net, whose error conversion throws when the promise rejects with something
    /// that is not an `Error` (e.g. a caller's `abort({ reason })` object).
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(url: &str, init: &RequestInit) -> Promise;
}

/// A request, ready to go out (the token is added per attempt).
pub struct Call {
    /// The HTTP method.
    pub method: Method,
    /// The full URL, already pinned to the API's origin.
    pub url: String,
    /// Caller headers (without `Authorization`).
    pub headers: Vec<(String, String)>,
    /// A JSON body.
    pub body: Option<String>,
    /// The caller's abort signal.
    pub signal: Option<AbortSignal>,
}

/// A response with its body read.
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// `x-request-id`, when the API exposes it.
    pub request_id: Option<String>,
    /// The body text, left in JS: a large body is never copied into wasm memory.
    pub text: JsString,
}

impl Reply {
    /// The body as JSON (`null` when empty).
    ///
    /// # Errors
    /// `ApiError` when a 2xx body is not JSON.
    pub fn json(self) -> Result<JsValue, Error> {
        parse_body(&self.text).map_err(|()| Error::Api {
            status: self.status,
            body: self.text.into(),
            request_id: self.request_id,
            detail: Some("the API answered with a body that is not JSON"),
        })
    }

    fn into_api_error(self) -> Error {
        let body = parse_body(&self.text).unwrap_or_else(|()| self.text.into());
        Error::Api {
            status: self.status,
            body,
            request_id: self.request_id,
            detail: None,
        }
    }
}

impl Call {
    fn caller_aborted(&self) -> Option<JsValue> {
        let signal = self.signal.as_ref().filter(|s| s.aborted())?;
        Some(Reflect::get(signal, &JsValue::from_str("reason")).unwrap_or(JsValue::UNDEFINED))
    }

    fn check_signal(&self) -> Result<(), Error> {
        self.caller_aborted()
            .map_or(Ok(()), |reason| Err(Error::Aborted(reason)))
    }

    /// Why a fetch or body read failed: the caller's abort, `destroy()`, our timeout,
    /// or the network.
    fn classify(&self, session: &Session, timeout: &AbortSignal) -> Error {
        if let Some(reason) = self.caller_aborted() {
            Error::Aborted(reason)
        } else if session.is_destroyed() {
            SdkError::ClientDestroyed.into()
        } else if timeout.aborted() {
            SdkError::RequestTimeout.into()
        } else {
            SdkError::Network.into()
        }
    }

    /// The fetch options for one attempt. Built with `web_sys` directly: gloo-net's
    /// builder appends a stray `&` to a URL that already has a query.
    fn init(&self, bearer: &str, signal: &AbortSignal) -> Result<RequestInit, JsValue> {
        let headers = Headers::new()?;
        for (name, value) in &self.headers {
            headers.append(name, value)?;
        }
        headers.set("Authorization", bearer)?;
        let init = RequestInit::new();
        init.set_method(self.method.as_str());
        init.set_headers_headers(&headers);
        init.set_signal(Some(signal));
        init.set_redirect(RequestRedirect::Error);
        if let Some(body) = &self.body {
            init.set_body(&JsValue::from_str(body));
        }
        Ok(init)
    }

    async fn attempt(&self, session: &Session, bearer: &str) -> Result<Reply, Error> {
        // This attempt's deadline: a controller aborted by a timer that is cleared
        // (by the guard's drop) as soon as the attempt ends, so nothing outlives it.
        let deadline = AbortController::new().map_err(|_| Error::from(SdkError::Network))?;
        let abort = Reflect::get(&deadline, &JsValue::from_str("abort"))
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
            .ok_or(Error::from(SdkError::Network))?
            .bind0(&deadline);
        let _timer = Timeout::new(&abort, session.config().request_timeout_ms);
        let timeout = deadline.signal();
        let signals = Array::of2(&session.lifetime_signal(), &timeout);
        if let Some(s) = &self.signal {
            signals.push(s);
        }
        let signal = abort_signal_any(&signals);
        let init = self
            .init(bearer, &signal)
            .map_err(|_| self.classify(session, &timeout))?;
        let response: Response = JsFuture::from(global_fetch(&self.url, &init))
            .await
            .map_err(|_| self.classify(session, &timeout))?
            .dyn_into()
            .map_err(|_| Error::from(SdkError::Network))?;
        let status = response.status();
        let request_id = response.headers().get("x-request-id").ok().flatten();
        let reading = response
            .text()
            .map_err(|_| self.classify(session, &timeout))?;
        let text = JsFuture::from(reading)
            .await
            .map_err(|_| self.classify(session, &timeout))?
            .dyn_into::<JsString>()
            .unwrap_or_else(|_| JsString::from(""));
        Ok(Reply {
            status,
            request_id,
            text,
        })
    }

    /// Sends under the refresh rules: at most one retry, at most one refresh.
    ///
    /// # Errors
    /// Every error of the contract's table, or the caller's abort reason.
    pub async fn send(&self, session: &Session) -> Result<Reply, Error> {
        self.check_signal()?;
        session.ready_to_send().await?;
        let mut retried = false;
        loop {
            self.check_signal()?;
            let (generation, bearer) = session.bearer()?;
            let reply = self.attempt(session, &bearer).await?;
            let current = session.generation() == generation;
            match after_response(reply.status, current, retried, session.callback().is_some()) {
                Next::Done => return Ok(reply),
                Next::Fail(Failure::Api) => return Err(reply.into_api_error()),
                Next::Fail(Failure::Expired) => return Err(SdkError::AccessTokenExpired.into()),
                Next::RetryWithCurrent => session.join_flight().await?,
                Next::Refresh => session.refresh_after_401().await?,
            }
            retried = true;
        }
    }
}
