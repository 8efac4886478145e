//! `SafeSDK`: the Gatekeeper device client, on the same session as `AlternativeClient`.

use crate::core::options::{self, SafeOptions};
use crate::core::url::encode_segment;
use crate::web::callback::notify;
use crate::web::error::Error;
use crate::web::http::Call;
use crate::web::options::JsOptions;
use crate::web::promise;
use crate::web::session::{to_js, Session};
use crate::web::storage;
use crate::web::timer::Interval;
use gloo_net::http::Method;
use js_sys::{Function, Promise, Reflect};
use serde::Serialize;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;

/// What a Gatekeeper client needs besides the session.
struct Device {
    session: Session,
    options: SafeOptions,
    id: RefCell<Option<String>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Initialized<'a> {
    device_id: &'a str,
    registered: bool,
}

#[derive(Serialize)]
struct Failed<'a> {
    status: &'static str,
    reason: &'a str,
}

impl Device {
    fn storage_key(&self) -> String {
        let mut key = String::from("partner-sdk:device:");
        key.push_str(&self.options.common.base.origin);
        key.push(':');
        key.push_str(&self.options.application_id);
        key
    }

    fn devices_url(&self) -> String {
        let mut url = self.options.common.base.url.clone();
        url.push_str("/v1/applications/");
        url.push_str(&encode_segment(&self.options.application_id));
        url.push_str("/versions/");
        url.push_str(&encode_segment(&self.options.application_version));
        url.push_str("/devices");
        url
    }

    fn call(&self, url: String) -> Call {
        Call {
            method: Method::POST,
            url,
            headers: vec![
                ("x-api-key".into(), self.options.api_key.clone()),
                ("content-type".into(), "application/json".into()),
            ],
            body: Some("{}".into()),
            signal: None,
        }
    }

    async fn initialize(&self, jwt: JsValue) -> Result<JsValue, Error> {
        self.session.alive()?;
        self.session.set_token(&jwt)?;
        let known = self
            .id
            .borrow()
            .clone()
            .or_else(|| storage::get(&self.storage_key()));
        if let Some(id) = known {
            *self.id.borrow_mut() = Some(id.clone());
            return Ok(to_js(&Initialized {
                device_id: &id,
                registered: false,
            }));
        }
        let reply = self.call(self.devices_url()).send(&self.session).await?;
        let (status, request_id) = (reply.status, reply.request_id.clone());
        let body = reply.json()?;
        let id = Reflect::get(&body, &"deviceId".into())
            .ok()
            .and_then(|v| v.as_string())
            .filter(|id| !id.is_empty())
            .ok_or(Error::Api {
                status,
                body,
                request_id,
                detail: Some("the registration response has no deviceId"),
            })?;
        storage::set(&self.storage_key(), &id);
        *self.id.borrow_mut() = Some(id.clone());
        Ok(to_js(&Initialized {
            device_id: &id,
            registered: true,
        }))
    }

    async fn check(&self) -> Result<JsValue, Error> {
        self.session.alive()?;
        let id = self
            .id
            .borrow()
            .clone()
            .ok_or_else(|| Error::config("check", "call initialize() before check()"))?;
        let mut url = self.devices_url();
        url.push('/');
        url.push_str(&encode_segment(&id));
        url.push_str("/checks");
        match self.call(url).send(&self.session).await {
            Ok(reply) => reply.json(),
            Err(e) if e.is_authentication_failure() => Ok(to_js(&Failed {
                status: "AuthenticationFailed",
                reason: e.code(),
            })),
            Err(e) => Err(e),
        }
    }
}

/// A running periodic check. Dropping it (stop, destroy, a new start) clears the
/// timer and silences a check still in flight, so no result arrives after the end.
struct Periodic {
    _interval: Interval,
    active: Rc<Cell<bool>>,
}

impl Drop for Periodic {
    fn drop(&mut self) {
        self.active.set(false);
    }
}

/// The Gatekeeper device client: `new SafeSDK({ apiKey, applicationId,
/// applicationVersion, baseUrl })`, then `initialize(jwt)` and `check()`.
#[wasm_bindgen(js_name = SafeSDK)]
pub struct SafeSdk {
    device: Rc<Device>,
    periodic: RefCell<Option<Periodic>>,
}

#[wasm_bindgen(js_class = SafeSDK)]
impl SafeSdk {
    /// Validates the options synchronously.
    ///
    /// # Errors
    /// `ConfigurationError` naming the key.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<SafeSdk, JsValue> {
        let js = JsOptions::new(options)?;
        let opts = options::safe(&js.entries()).map_err(Error::from)?;
        let callback = opts.common.callback.and_then(|k| js.function(k.key()));
        let session = Session::new(
            opts.common.clone(),
            callback,
            js.function("onTokenRefreshed"),
        )?;
        let device = Device {
            session,
            options: opts,
            id: RefCell::new(None),
        };
        Ok(SafeSdk {
            device: Rc::new(device),
            periodic: RefCell::new(None),
        })
    }

    /// Stores the token and registers this device once per browser profile. Resolves
    /// to `{ deviceId, registered }`; `registered` is false when already known.
    ///
    /// # Errors
    /// `InvalidAccessToken` / `InvalidAccessTokenFormat`; `ApiError`; `NetworkError`.
    pub fn initialize(&self, jwt: JsValue) -> Promise {
        let device = self.device.clone();
        promise(async move { device.initialize(jwt).await })
    }

    /// Rotates the token without registering again. On failure the old one stays.
    ///
    /// # Errors
    /// `InvalidAccessToken` / `InvalidAccessTokenFormat`; `ClientDestroyedError`.
    #[wasm_bindgen(js_name = setAccessToken)]
    pub fn set_access_token(&self, jwt: JsValue) -> Result<(), JsValue> {
        self.device.session.alive()?;
        Ok(self.device.session.set_token(&jwt)?)
    }

    /// Runs a device check. A refused token (after the refresh rules) resolves to
    /// `{ status: 'AuthenticationFailed', reason }` instead of rejecting.
    ///
    /// # Errors
    /// `ConfigurationError` before `initialize`; `ApiError`; `NetworkError`.
    pub fn check(&self) -> Promise {
        let device = self.device.clone();
        promise(async move { device.check().await })
    }

    /// Runs `check()` every `intervalMs` (at least 1000), one at a time, handing each
    /// result to `callback`. A rejected check is handed over as
    /// `{ status: 'Error', reason, error }`. Replaces a running schedule.
    ///
    /// # Errors
    /// `ConfigurationError` for a bad interval or callback.
    #[wasm_bindgen(js_name = startPeriodicCheck)]
    pub fn start_periodic_check(
        &self,
        interval_ms: JsValue,
        callback: JsValue,
    ) -> Result<(), JsValue> {
        self.device.session.alive()?;
        let ms = interval_ms
            .as_f64()
            .filter(|n| n.fract() == 0.0 && (1000.0..=2_147_483_647.0).contains(n));
        let ms = ms.ok_or_else(|| {
            Error::config(
                "intervalMs",
                "must be a whole number of milliseconds >= 1000",
            )
        })?;
        let callback: Function = callback
            .dyn_into()
            .map_err(|_| Error::config("callback", "must be a function"))?;
        let device = self.device.clone();
        let running = Rc::new(Cell::new(false));
        let active = Rc::new(Cell::new(true));
        let still_active = active.clone();
        let tick = move || {
            if running.replace(true) {
                return;
            }
            let (device, running, callback) = (device.clone(), running.clone(), callback.clone());
            let active = still_active.clone();
            spawn_local(async move {
                let result = device.check().await.unwrap_or_else(|e| {
                    let o = to_js(&Failed {
                        status: "Error",
                        reason: e.code(),
                    });
                    let _ = Reflect::set(&o, &"error".into(), &JsValue::from(e));
                    o
                });
                running.set(false);
                if active.get() && !device.session.is_destroyed() {
                    notify(&callback, &result);
                }
            });
        };
        let periodic = Periodic {
            _interval: Interval::new(ms as u32, tick),
            active,
        };
        drop(self.periodic.replace(Some(periodic)));
        Ok(())
    }

    /// Ends the periodic check and frees its timer.
    #[wasm_bindgen(js_name = stopPeriodicCheck)]
    pub fn stop_periodic_check(&self) {
        drop(self.periodic.take());
    }

    /// The registered device id, or `null` before `initialize` (kept after `destroy()`).
    #[wasm_bindgen(getter, js_name = deviceId)]
    pub fn device_id(&self) -> JsValue {
        self.device
            .id
            .borrow()
            .as_deref()
            .map_or(JsValue::NULL, JsValue::from_str)
    }

    /// Forgets the token, stops the periodic check, aborts requests; later calls reject
    /// with `ClientDestroyedError`.
    pub fn destroy(&self) {
        drop(self.periodic.take());
        self.device.session.destroy();
    }
}
