//! Browser glue: fetch, timers, storage and page callbacks, over the pure core.

// The card form's build (feature `enrollment` alone) keeps the session but sends no
// request itself (its frame does): the request loop is compiled, then dropped unused.
#![cfg_attr(
    not(any(feature = "checkout", feature = "gatekeeper")),
    allow(dead_code)
)]

pub mod callback;
#[cfg(any(feature = "checkout", feature = "gatekeeper"))]
pub mod deadline;
pub mod error;
pub mod flight;
pub mod js;
pub mod json;
pub mod options;
pub mod send;
pub mod session;
pub mod timer;

#[cfg(feature = "gatekeeper")]
pub mod device;
#[cfg(feature = "checkout")]
pub mod request;
#[cfg(feature = "gatekeeper")]
pub mod storage;

use crate::web::error::Error;
use std::future::Future;
use std::pin::Pin;
use wasm_bindgen::JsValue;

/// An operation on its way to becoming a JS Promise.
pub type Op = Pin<Box<dyn Future<Output = Result<JsValue, Error>>>>;

/// Runs an async operation as a JS Promise, converting errors at the one conversion
/// point. Every async export goes through here with a boxed future, so
/// `future_to_promise` is instantiated once.
pub fn promise(op: Op) -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(async move { op.await.map_err(JsValue::from) })
}

/// Now, in seconds since the epoch (the unit of `exp`).
pub fn now_seconds() -> f64 {
    js::wall_clock_ms() / 1000.0
}
