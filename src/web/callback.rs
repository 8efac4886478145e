//! Calling the page's functions: every outcome becomes a Rust value, never a panic.

use crate::core::error::SdkError;
use crate::web::error::Error;
use crate::web::js::{call, settle_of};
use crate::web::timer::{deadline, race, Either};
use js_sys::Function;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal};

/// Calls a token callback and waits for its value under the deadline (rule 3).
///
/// A synchronous throw of the callback, a rejection, or a throw of the returned
/// thenable's `then` becomes `TokenRefreshError` with `cause`; a plain value is used as
/// it is; no settlement within `timeout_ms` becomes `TokenRefreshTimeoutError`.
/// `destroy()` (aborting `lifetime`) ends the wait and clears its timer: nothing of the
/// client keeps a page, or a Node process, waiting for `refreshTimeoutMs`.
pub async fn call_token_callback(
    callback: &Function,
    timeout_ms: u32,
    lifetime: AbortSignal,
) -> Result<JsValue, Error> {
    let value = call(callback, None).map_err(Error::RefreshFailed)?;
    // Never `value.then(…)` from here: a page's own `then` could throw through this call
    // (even on a genuine Promise), leaving the refresh unsettled.
    // The wait's handlers on the promise go only once it settles: when the deadline or
    // `destroy()` ends the wait, `cut` settles it, so a callback that never settles
    // does not keep them (and their JS references) for good.
    let cut = AbortController::new().ok();
    let signal: JsValue = cut
        .as_ref()
        .map_or(JsValue::UNDEFINED, |c| c.signal().into());
    let promise = settle_of(&value, &signal);
    let outcome = race(JsFuture::from(promise), deadline(timeout_ms, lifetime)).await;
    if let Some(cut) = cut {
        cut.abort();
    }
    match outcome {
        Either::Left(Ok(v)) => Ok(v),
        Either::Left(Err(cause)) => Err(Error::RefreshFailed(cause)),
        Either::Right(true) => Err(SdkError::TokenRefreshTimeout.into()),
        Either::Right(false) => Err(SdkError::ClientDestroyed.into()),
    }
}

/// Calls a notification callback with one argument. What it throws or rejects with
/// is the page's own error: reported as uncaught (`reportError`), it never reaches the
/// SDK's state.
pub use crate::web::js::notify;
