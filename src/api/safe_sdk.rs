//! `SafeSDK`: the Gatekeeper device client, a thin binding over [`Device`].

use crate::core::gatekeeper;
use crate::core::options;
use crate::web::callback::notify;
use crate::web::device::{status_object, Device};
use crate::web::error::Error;
use crate::web::options::JsOptions;
use crate::web::session::Session;
use crate::web::timer::{Interval, Listener};
use crate::web::{js, promise};
use js_sys::{Function, Promise};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;
use web_sys::{AbortController, AbortSignal};

/// A running periodic check. Dropping it (stop, destroy, a new start) clears the
/// timer and aborts a check still in flight (its request, its retry's wait), so no
/// result arrives after the end. (A device registration that check waits for is
/// shared with other callers, and finishes.)
struct Periodic {
    _interval: Interval,
    /// Runs an overdue check when the page becomes visible again (rule 8's wake rule):
    /// a background tab's timers are throttled, and a machine that slept ran none.
    _wake: Option<Listener>,
    active: Rc<Cell<bool>>,
    /// Its checks' signal, aborted at the end.
    end: Option<AbortController>,
}

impl Drop for Periodic {
    fn drop(&mut self) {
        self.active.set(false);
        if let Some(end) = &self.end {
            end.abort();
        }
    }
}

/// The Gatekeeper device client: `new SafeSDK({ apiKey, applicationId,
/// applicationVersion, baseUrl })`, then `initialize(jwt)` and `check()`.
#[wasm_bindgen(js_name = SafeSDK)]
pub struct SafeSdk {
    device: Rc<Device>,
    periodic: RefCell<Option<Periodic>>,
    /// A periodic check is in flight. Shared by every schedule, so a restarted
    /// schedule does not start a second check beside the old one's.
    checking: Rc<Cell<bool>>,
}

/// One periodic tick: a check, then the callback, unless stopped meanwhile.
async fn tick(
    device: Rc<Device>,
    callback: Function,
    running: Rc<Cell<bool>>,
    active: Rc<Cell<bool>>,
    end: Option<AbortSignal>,
) {
    let result = device.check(end.as_ref()).await.unwrap_or_else(|e| {
        let o = status_object("Error", e.code());
        js::set(&o, "error", &JsValue::from(e));
        o.into()
    });
    running.set(false);
    if active.get() && !device.session.is_destroyed() {
        notify(&callback, &result);
    }
}

#[wasm_bindgen(js_class = SafeSDK)]
impl SafeSdk {
    /// Validates the options synchronously.
    ///
    /// # Errors
    /// `ConfigurationError` naming the key.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<SafeSdk, JsValue> {
        let mut js = JsOptions::new(options)?;
        let opts = options::safe(&js.entries()).map_err(Error::from)?;
        let callback = opts.common.callback.and_then(|k| js.function(k.key()));
        let retry = js.retry()?;
        let session = Session::new(
            opts.common.clone(),
            callback,
            js.function("onTokenRefreshed"),
            retry,
        )?;
        Ok(SafeSdk {
            device: Rc::new(Device::new(session, opts)),
            periodic: RefCell::new(None),
            checking: Rc::new(Cell::new(false)),
        })
    }

    /// Stores the token and registers this device once per browser profile. Resolves
    /// to `{ deviceId, registered }`; `registered` is false when already known.
    ///
    /// # Errors
    /// `InvalidAccessToken` / `InvalidAccessTokenFormat`; `ApiError`; `NetworkError`.
    pub fn initialize(&self, jwt: JsValue) -> Promise {
        let device = self.device.clone();
        promise(Box::pin(async move { device.initialize(jwt).await }))
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
    /// `ConfigurationError` with no `initialize` before it (one still under way is
    /// waited for, and its error is this check's); `ApiError`; `NetworkError`.
    pub fn check(&self) -> Promise {
        let device = self.device.clone();
        promise(Box::pin(async move { device.check(None).await }))
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
        let ms = gatekeeper::interval_ms(interval_ms.as_f64()).ok_or_else(|| {
            Error::config(
                "intervalMs",
                "must be a whole number of milliseconds >= 1000",
            )
        })?;
        if !callback.is_function() {
            return Err(Error::config("callback", "must be a function").into());
        }
        let callback: Function = callback.unchecked_into();
        let device = self.device.clone();
        let running = self.checking.clone();
        let active = Rc::new(Cell::new(true));
        let still_active = active.clone();
        let end = AbortController::new().ok();
        let end_signal = end.as_ref().map(AbortController::signal);
        let last_run = Rc::new(Cell::new(js::wall_clock_ms()));
        let (ran, last_tick) = (last_run.clone(), last_run.clone());
        // Set by a wake-up's check: the interval's next tick, if it comes within half an
        // interval (a throttled timer let run), is that check's and is skipped. Only
        // that one tick: a page clock that jumps never stops the schedule.
        let woke = Rc::new(Cell::new(false));
        let woken = woke.clone();
        let on_tick = Rc::new(move || {
            ran.set(js::wall_clock_ms());
            if !running.replace(true) {
                let (d, c, r, a) = (
                    device.clone(),
                    callback.clone(),
                    running.clone(),
                    still_active.clone(),
                );
                spawn_local(tick(d, c, r, a, end_signal.clone()));
            }
        });
        let document = js::get(&js_sys::global(), "document");
        let wake = document.is_object().then(|| {
            let (tick, seen) = (on_tick.clone(), document.clone());
            Listener::new(document.unchecked_into(), "visibilitychange", move || {
                let visible = js::get(&seen, "visibilityState").as_string();
                // A clock set back (elapsed < 0) counts as overdue.
                let elapsed = js::wall_clock_ms() - last_run.get();
                let overdue = !(0.0..f64::from(ms)).contains(&elapsed);
                if overdue && visible.as_deref() == Some("visible") {
                    woken.set(true);
                    tick();
                }
            })
        });
        let periodic = Periodic {
            _interval: Interval::new(ms, move || {
                let elapsed = js::wall_clock_ms() - last_tick.get();
                if !(woke.replace(false) && (0.0..f64::from(ms / 2)).contains(&elapsed)) {
                    on_tick();
                }
            }),
            _wake: wake,
            active,
            end,
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
    #[wasm_bindgen(getter, js_name = deviceId, unchecked_return_type = "string | null")]
    pub fn device_id(&self) -> JsValue {
        self.device.id().map_or(JsValue::NULL, JsValue::from)
    }

    /// Forgets the token, stops the periodic check, aborts requests; later calls reject
    /// with `ClientDestroyedError`.
    pub fn destroy(&self) {
        // The session first: a page's timer or listener wrapper that calls
        // `startPeriodicCheck` back while the schedule is cleared finds the SDK destroyed.
        self.device.session.destroy();
        drop(self.periodic.take());
    }
}
