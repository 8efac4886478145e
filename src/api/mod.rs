//! The JS face: the only place `#[wasm_bindgen]` exports live.

mod alternative;
mod safe_sdk;

pub use alternative::AlternativeClient;
pub use safe_sdk::SafeSdk;
