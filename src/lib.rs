//! partner-sdk: a token-safe browser SDK for partner checkout and Gatekeeper APIs.
//!
//! `core` holds every rule that can be decided without a browser; `web` is the browser
//! glue (fetch, timers, storage, page callbacks); `api` is the only place that uses
//! `#[wasm_bindgen]`.
#![deny(missing_docs)]

pub mod core;

#[cfg(target_arch = "wasm32")]
mod web;

#[cfg(target_arch = "wasm32")]
pub mod api;
