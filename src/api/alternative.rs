//! `AlternativeClient`: the checkout client.

use crate::core::options::{self, CallbackKey};
use crate::web::callback::call_token_callback;
use crate::web::error::Error;
use crate::web::options::JsOptions;
use crate::web::request;
use crate::web::send::Call;
use crate::web::session::Session;
use crate::web::{js, promise};
use js_sys::{Object, Promise};
use wasm_bindgen::prelude::*;

/// A checkout API client holding a short-lived JWT in memory only.
///
/// Create it with `await AlternativeClient.create({ accessToken, ... })`.
#[wasm_bindgen]
pub struct AlternativeClient {
    session: Session,
}

/// Validates the options and, with no `accessToken`, asks `getAccessToken` for one.
async fn open(options: JsValue) -> Result<JsValue, Error> {
    let mut js = JsOptions::new(options)?;
    let opts = options::alternative(&js.entries())?;
    let callback = opts.common.callback.and_then(|k| js.function(k.key()));
    let retry = js.retry()?;
    let session = Session::new(
        opts.common.clone(),
        callback,
        js.function("onTokenRefreshed"),
        retry,
    )?;
    match (opts.access_token, session.callback()) {
        // Read once, into a string wiped on every path (a refused token too).
        (Some(token), _) => session.set_token_text(token)?,
        (None, Some(cb)) if opts.common.callback == Some(CallbackKey::GetAccessToken) => {
            let token = call_token_callback(
                &cb,
                opts.common.refresh_timeout_ms,
                session.lifetime_signal(),
            )
            .await?;
            session.set_token(&token)?;
        }
        _ => {
            return Err(Error::config(
                "accessToken",
                "is required unless getAccessToken is given",
            ))
        }
    }
    Ok(AlternativeClient { session }.into())
}

/// The request future every method shares.
async fn fetch_json(session: Session, call: Result<Call, Error>) -> Result<JsValue, Error> {
    call?.send(&session).await?.json()
}

#[wasm_bindgen]
impl AlternativeClient {
    /// Validates `options` and resolves to a client. With no `accessToken`, calls
    /// `getAccessToken` first, under `refreshTimeoutMs`.
    ///
    /// # Errors
    /// `ConfigurationError` naming the key; `InvalidAccessToken` /
    /// `InvalidAccessTokenFormat`; `TokenRefreshError` / `TokenRefreshTimeoutError`.
    pub fn create(options: JsValue) -> Promise {
        promise(Box::pin(open(options)))
    }

    /// The one request export behind `request`, `get`, `post`, `put`, `patch` and
    /// `delete` (js/alternative.js defines those five on the prototype): sends `method`
    /// to `baseUrl + path` with `Authorization: Bearer` and resolves to the parsed JSON
    /// body (`null` when empty). `body` is used when `has_body`, else `init.body`.
    #[wasm_bindgen(js_name = __send)]
    pub fn send(
        &self,
        method: JsValue,
        path: JsValue,
        body: JsValue,
        has_body: bool,
        init: JsValue,
    ) -> Promise {
        let session = self.session.clone();
        let explicit = has_body.then_some(&body);
        let call = session.alive().and_then(|()| {
            let method = method.as_string().unwrap_or_default();
            request::build(&session.config().base, &method, &path, explicit, &init)
        });
        promise(Box::pin(fetch_json(session, call)))
    }

    /// Replaces the token. Synchronous; on failure the old token stays.
    ///
    /// # Errors
    /// `InvalidAccessToken` / `InvalidAccessTokenFormat`; `ClientDestroyedError`.
    #[wasm_bindgen(js_name = setAccessToken)]
    pub fn set_access_token(&self, jwt: JsValue) -> Result<(), JsValue> {
        self.session.alive()?;
        Ok(self.session.set_token(&jwt)?)
    }

    /// A fresh copy of the token's decoded payload (`null` after `destroy()`).
    #[wasm_bindgen(getter)]
    pub fn claims(&self) -> JsValue {
        self.session.claims()
    }

    /// The token's `exp` (seconds since the epoch), or `null` (never `undefined`).
    #[wasm_bindgen(getter, js_name = expiresAt, unchecked_return_type = "number | null")]
    pub fn expires_at(&self) -> JsValue {
        self.session
            .expires_at()
            .map_or(JsValue::NULL, JsValue::from)
    }

    /// Forgets the token, aborts in-flight requests and pending refreshes; every
    /// pending and later call rejects with `ClientDestroyedError`.
    pub fn destroy(&self) {
        self.session.destroy();
    }

    /// What `JSON.stringify(client)` shows: never the token.
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> JsValue {
        let o = Object::new();
        js::set(&o, "expiresAt", &self.expires_at());
        o.into()
    }
}
