//! Timers whose JS side is cleared on drop: no `Closure::forget`, nothing left behind.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &js_sys::Function, ms: u32) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
    #[wasm_bindgen(js_name = setInterval)]
    fn set_interval(handler: &js_sys::Function, ms: u32) -> JsValue;
    #[wasm_bindgen(js_name = clearInterval)]
    fn clear_interval(id: &JsValue);
}

/// A one-shot JS timer; dropping it clears the timer.
pub struct Timeout(JsValue);

impl Timeout {
    /// Calls `handler` after `ms` milliseconds, unless dropped first.
    pub fn new(handler: &js_sys::Function, ms: u32) -> Self {
        Timeout(set_timeout(handler, ms))
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        clear_timeout(&self.0);
    }
}

#[derive(Default)]
struct SleepState {
    fired: bool,
    waker: Option<Waker>,
}

/// A future that completes after a delay; dropping it clears the timer.
pub struct Sleep {
    state: Rc<RefCell<SleepState>>,
    // Declared before the closure: the timer is cleared before the closure is freed.
    _timer: Timeout,
    _closure: Closure<dyn FnMut()>,
}

/// Completes after `ms` milliseconds.
pub fn sleep(ms: u32) -> Sleep {
    let state = Rc::new(RefCell::new(SleepState::default()));
    let inner = state.clone();
    let closure = Closure::<dyn FnMut()>::new(move || {
        let waker = {
            let mut s = inner.borrow_mut();
            s.fired = true;
            s.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    });
    let timer = Timeout::new(closure.as_ref().unchecked_ref(), ms);
    Sleep {
        state,
        _timer: timer,
        _closure: closure,
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut s = self.state.borrow_mut();
        if s.fired {
            Poll::Ready(())
        } else {
            s.waker = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}

/// A repeating timer; dropping it clears the interval and frees the closure.
pub struct Interval {
    id: JsValue,
    _closure: Closure<dyn FnMut()>,
}

impl Interval {
    /// Calls `tick` every `ms` milliseconds until dropped.
    pub fn new(ms: u32, tick: impl FnMut() + 'static) -> Self {
        let closure = Closure::<dyn FnMut()>::new(tick);
        let id = set_interval(closure.as_ref().unchecked_ref(), ms);
        Interval {
            id,
            _closure: closure,
        }
    }
}

impl Drop for Interval {
    fn drop(&mut self) {
        clear_interval(&self.id);
    }
}

/// Which of two futures finished first.
pub enum Either<A, B> {
    /// The first.
    Left(A),
    /// The second.
    Right(B),
}

/// Polls both futures and returns the first output; the other is dropped.
pub async fn race<A, B>(mut a: A, mut b: B) -> Either<A::Output, B::Output>
where
    A: Future + Unpin,
    B: Future + Unpin,
{
    std::future::poll_fn(move |cx| {
        if let Poll::Ready(v) = Pin::new(&mut a).poll(cx) {
            return Poll::Ready(Either::Left(v));
        }
        if let Poll::Ready(v) = Pin::new(&mut b).poll(cx) {
            return Poll::Ready(Either::Right(v));
        }
        Poll::Pending
    })
    .await
}
