//! partner-sdk: a token-safe browser SDK for partner checkout and Gatekeeper APIs.
//!
//! `core` holds every rule that can be decided without a browser; `web` is the browser
//! glue (fetch, timers, storage, page callbacks; its JS imports are all in `web/js.rs`);
//! `api` is the only place that exports to JS with `#[wasm_bindgen]`.
#![deny(missing_docs)]

pub mod core;

#[cfg(target_arch = "wasm32")]
mod web;

#[cfg(target_arch = "wasm32")]
pub mod api;

/// Talc instead of the default dlmalloc: 2.6 KB less gzipped wasm on a checkout page
/// (`npm run size`). The wasm is single-threaded (no `atomics`), which this allocator
/// assumes.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
