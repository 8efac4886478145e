//! The JS face: the only place `#[wasm_bindgen]` exports live. Each class is a thin
//! binding over `web`, compiled in by its cargo feature, so each per-class wasm
//! module carries only its own class.

#[cfg(feature = "checkout")]
mod alternative;
#[cfg(feature = "enrollment")]
mod enrollment;
#[cfg(feature = "gatekeeper")]
mod safe_sdk;

#[cfg(feature = "checkout")]
pub use alternative::AlternativeClient;
#[cfg(feature = "enrollment")]
pub use enrollment::EnrollmentSession;
#[cfg(feature = "gatekeeper")]
pub use safe_sdk::SafeSdk;
