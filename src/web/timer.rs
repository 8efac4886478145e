//! Timers whose JS side is cleared on drop: no `Closure::forget`, nothing left behind.

use crate::web::js::{clear_timer, set_timer, TIMEOUT};
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use wasm_bindgen::prelude::*;

/// A one-shot `setTimeout`. Dropping it clears the timer, then frees the closure.
#[must_use = "dropping a Timeout cancels it"]
pub struct Timeout {
    id: JsValue,
    _handler: Closure<dyn FnMut()>,
}

impl Timeout {
    /// Calls `handler` once after `ms` milliseconds, unless dropped first.
    pub fn new(ms: u32, handler: impl FnMut() + 'static) -> Self {
        let handler = Closure::<dyn FnMut()>::new(handler);
        Timeout {
            id: set_timer(&handler, ms, TIMEOUT),
            _handler: handler,
        }
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        clear_timer(&self.id);
    }
}

#[derive(Default)]
struct Alarm {
    fired: bool,
    waker: Option<Waker>,
}

/// A future that completes after a delay; dropping it clears the timer.
pub struct Sleep {
    alarm: Rc<RefCell<Alarm>>,
    _timer: Timeout,
}

/// Completes after `ms` milliseconds.
pub fn sleep(ms: u32) -> Sleep {
    let alarm = Rc::new(RefCell::new(Alarm::default()));
    let timer = Timeout::new(ms, ring(&alarm));
    Sleep {
        alarm,
        _timer: timer,
    }
}

/// A handler that marks `alarm` fired and wakes its waiter.
fn ring(alarm: &Rc<RefCell<Alarm>>) -> impl FnMut() + 'static {
    let alarm = alarm.clone();
    move || {
        let waker = alarm.try_borrow_mut().ok().and_then(|mut a| {
            a.fired = true;
            a.waker.take()
        });
        if let Some(w) = waker {
            w.wake();
        }
    }
}

fn poll_alarm(alarm: &RefCell<Alarm>, cx: &mut Context<'_>) -> Poll<()> {
    let Ok(mut a) = alarm.try_borrow_mut() else {
        return Poll::Pending;
    };
    if a.fired {
        Poll::Ready(())
    } else {
        a.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        poll_alarm(&self.alarm, cx)
    }
}

/// A future that completes when `signal` aborts; dropping it removes the listener.
pub struct AbortWait {
    alarm: Rc<RefCell<Alarm>>,
    _listener: Listener,
}

/// Completes once `signal` has aborted (at once if it already has).
pub fn aborted(signal: web_sys::AbortSignal) -> AbortWait {
    let alarm = Rc::new(RefCell::new(Alarm {
        fired: signal.aborted(),
        waker: None,
    }));
    let listener = Listener::new(signal.into(), "abort", ring(&alarm));
    AbortWait {
        alarm,
        _listener: listener,
    }
}

impl Future for AbortWait {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        poll_alarm(&self.alarm, cx)
    }
}

/// A deadline that `stop` can call off: `true` once `ms` have passed, `false` if
/// `stop` aborted first. Dropping it clears its timer and removes its listener.
pub struct Deadline {
    sleep: Sleep,
    stop: AbortWait,
}

/// `ms` from now, unless `stop` aborts first.
pub fn deadline(ms: u32, stop: web_sys::AbortSignal) -> Deadline {
    Deadline {
        sleep: sleep(ms),
        stop: aborted(stop),
    }
}

impl Future for Deadline {
    type Output = bool;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<bool> {
        if poll_alarm(&self.sleep.alarm, cx).is_ready() {
            return Poll::Ready(true);
        }
        poll_alarm(&self.stop.alarm, cx).map(|()| false)
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

/// A repeating `setInterval`; dropping it clears the interval, then frees the closure.
#[cfg(feature = "gatekeeper")]
#[must_use = "dropping an Interval stops it"]
pub struct Interval {
    id: JsValue,
    _tick: Closure<dyn FnMut()>,
}

#[cfg(feature = "gatekeeper")]
impl Interval {
    /// Calls `tick` every `ms` milliseconds until dropped.
    pub fn new(ms: u32, tick: impl FnMut() + 'static) -> Self {
        let tick = Closure::<dyn FnMut()>::new(tick);
        Interval {
            id: set_timer(&tick, ms, crate::web::js::INTERVAL),
            _tick: tick,
        }
    }
}

#[cfg(feature = "gatekeeper")]
impl Drop for Interval {
    fn drop(&mut self) {
        clear_timer(&self.id);
    }
}

/// An event listener; dropping it removes the listener, then frees the closure.
#[must_use = "dropping a Listener removes it"]
pub struct Listener {
    target: web_sys::EventTarget,
    event: &'static str,
    handler: Closure<dyn FnMut()>,
}

impl Listener {
    /// Calls `handler` on every `event` at `target` until dropped.
    pub fn new(
        target: web_sys::EventTarget,
        event: &'static str,
        handler: impl FnMut() + 'static,
    ) -> Self {
        let handler = Closure::<dyn FnMut()>::new(handler);
        let _ = target.add_event_listener_with_callback(event, handler.as_ref().unchecked_ref());
        Listener {
            target,
            event,
            handler,
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let handler = self.handler.as_ref().unchecked_ref();
        let _ = self
            .target
            .remove_event_listener_with_callback(self.event, handler);
    }
}
