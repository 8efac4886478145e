//! Browser glue: fetch, timers, storage and page callbacks, over the pure core.

pub mod callback;
pub mod error;
pub mod http;
pub mod json;
pub mod options;
pub mod request;
pub mod session;
pub mod storage;
pub mod timer;

/// Now, in seconds since the epoch (the unit of `exp`).
pub fn now_seconds() -> f64 {
    js_sys::Date::now() / 1000.0
}
