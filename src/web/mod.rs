//! Browser glue: fetch, timers, storage and page callbacks, over the pure core.

pub mod callback;
pub mod error;
pub mod guarded;
pub mod http;
pub mod json;
pub mod options;
pub mod request;
pub mod session;
pub mod storage;
pub mod timer;

use crate::web::error::Error;
use std::future::Future;
use std::pin::Pin;
use wasm_bindgen::JsValue;

type BoxedOp = Pin<Box<dyn Future<Output = Result<JsValue, Error>>>>;

/// Runs an async operation as a JS Promise, converting errors at the one conversion point.
///
/// Every async export goes through here, so `future_to_promise` is instantiated once
/// (each instantiation costs about 3 KB of wasm).
pub fn promise(op: impl Future<Output = Result<JsValue, Error>> + 'static) -> js_sys::Promise {
    run(Box::pin(op))
}

fn run(op: BoxedOp) -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(async move { op.await.map_err(JsValue::from) })
}

/// Now, in seconds since the epoch (the unit of `exp`).
pub fn now_seconds() -> f64 {
    js_sys::Date::now() / 1000.0
}
