//! The pure core: every rule of the contract that can be decided without a browser.
//!
//! Nothing here imports `wasm_bindgen`, `web_sys`, `js_sys` or `gloo`, so `cargo test`
//! runs it natively and a fuzzer can drive it. JSON parsing is injected through
//! [`json::JsonObjects`]: `JSON.parse` in the browser, `serde_json` natively.

pub mod base64url;
pub mod clock;
pub mod enrollment;
pub mod error;
pub mod expiry;
pub mod gatekeeper;
pub mod http_date;
pub mod json;
pub mod jwt;
pub mod options;
pub mod proactive;
pub mod refresh;
pub mod retry;
pub mod secret;
pub mod storm;
pub mod url;
pub mod uuid;
