//! Attempt deadlines (`requestTimeoutMs`): one timer per session instead of one
//! `setTimeout`, `clearTimeout` and closure per attempt.
//!
//! Every attempt gets the same length of time, so deadlines come due in the order the
//! attempts started. The timer waits for the earliest; when it fires, the session aborts
//! every attempt that is due and sets it again for the next one (`Session::sweep`). An
//! attempt that ends in time costs nothing more: the timer, when it fires, finds it gone;
//! when the last attempt in flight ends, the session clears it (in Node a pending timer
//! keeps the process alive: while an attempt is in flight, and only then).
//! Times are `performance.now()` milliseconds, so a change of the wall clock neither
//! cuts an attempt short nor stretches it.

use crate::web::js;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

/// The session's one deadline timer. Dropping it clears the timer, then frees the closure.
pub struct DeadlineTimer {
    handler: Closure<dyn FnMut()>,
    /// The pending timer's id, if set.
    pending: RefCell<Option<JsValue>>,
}

impl DeadlineTimer {
    /// A timer that calls `fire` when it goes off; not set yet.
    pub fn new(fire: impl FnMut() + 'static) -> Self {
        DeadlineTimer {
            handler: Closure::new(fire),
            pending: RefCell::new(None),
        }
    }

    /// Sets the timer to fire in `ms` milliseconds, unless it is already set: every
    /// attempt gets the same time, so the pending timer is always due first.
    pub fn arm(&self, ms: f64) {
        if let Ok(mut pending) = self.pending.try_borrow_mut() {
            if pending.is_none() {
                // `undefined`: no timer could be set (the page broke every one); the
                // next attempt tries again.
                let id = js::set_timer(&self.handler, ms.max(0.0) as u32, js::TIMEOUT);
                *pending = Some(id).filter(|id| !id.is_undefined());
            }
        }
    }

    /// Forgets the timer that just fired (call first thing when it fires).
    pub fn fired(&self) {
        if let Ok(mut pending) = self.pending.try_borrow_mut() {
            *pending = None;
        }
    }

    /// Clears the timer, if set.
    pub fn clear(&self) {
        let pending = self
            .pending
            .try_borrow_mut()
            .ok()
            .and_then(|mut p| p.take());
        if let Some(id) = pending {
            js::clear_timer(&id);
        }
    }
}

impl Drop for DeadlineTimer {
    fn drop(&mut self) {
        self.clear();
    }
}
