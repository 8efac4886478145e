//! The SDK's own single-threaded executor, and the one JS callback every wait goes through.
//!
//! ```text
//!   JS promise / setTimeout / 'abort' event
//!          │  calls  hub.bind(null, slot, ok)(value)
//!          ▼
//!   slot: Waiting(waker) ──► Done(ok, value) ──wake──► ready ids ──queueMicrotask──► poll task
//! ```
//!
//! Why not wasm-bindgen-futures: it makes two `Closure`s for every awaited promise and one
//! for every timer, each registered with a `FinalizationRegistry`, and ships its own task
//! queue. Here a single `Fn` closure is made once, and each wait binds it to a slot number
//! with `Function.prototype.bind` (a native call, no closure): the checkout wasm is smaller
//! and a request makes fewer JS calls.
//!
//! Re-entrancy: the hub's closure may be called synchronously (an `abort` event fires
//! inside `controller.abort()`), so it is an `Fn`, and every `RefCell` here is borrowed
//! only briefly, never across a poll, a wake or a call into JS.

use crate::web::js;
use js_sys::{Function, Promise};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
#[cfg(feature = "gatekeeper")]
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use wasm_bindgen::prelude::*;
use web_sys::{AbortController, AbortSignal, EventTarget};

/// The slot number that means "poll the ready tasks".
const RUN: u32 = u32::MAX;

type Task = Pin<Box<dyn Future<Output = ()>>>;

enum Slot {
    /// Not settled yet; the waker of the task waiting on it.
    Waiting(Option<Waker>),
    /// Settled: fulfilled (`true`) or rejected, with its value.
    Done(bool, JsValue),
    /// A repeating source (an interval, an event listener): calls this each time.
    #[cfg(feature = "gatekeeper")]
    Repeat(Rc<dyn Fn()>),
}

struct Hub {
    slots: RefCell<Vec<(u32, Slot)>>,
    /// Spawned tasks: (id, the future unless it is being polled, its waker).
    tasks: RefCell<Vec<(u32, Option<Task>, Waker)>>,
    /// Task ids woken since the last run.
    ready: RefCell<Vec<u32>>,
    /// A microtask is queued to run the ready tasks.
    scheduled: Cell<bool>,
    next_id: Cell<u32>,
    /// The closure as a JS function: `hub(slot, ok, value)`.
    function: Function,
    /// `hub.bind(null, RUN, true)`, for `queueMicrotask`.
    run: Function,
    _closure: Closure<dyn Fn(u32, bool, JsValue)>,
}

thread_local! {
    static HUB: Hub = Hub::new();
}

impl Hub {
    fn new() -> Hub {
        let closure = Closure::<dyn Fn(u32, bool, JsValue)>::new(dispatch);
        let function: Function = closure.as_ref().clone().unchecked_into();
        let run = js::bind_slot(&function, &JsValue::NULL, RUN, true);
        Hub {
            slots: RefCell::new(Vec::new()),
            tasks: RefCell::new(Vec::new()),
            ready: RefCell::new(Vec::new()),
            scheduled: Cell::new(false),
            next_id: Cell::new(0),
            function,
            run,
            _closure: closure,
        }
    }

    fn id(&self) -> u32 {
        let id = self.next_id.get();
        // RUN is never handed out.
        self.next_id.set(id.wrapping_add(1) % RUN);
        id
    }
}

/// What JS calls: a slot settled (or a repeating source fired), or it is time to run.
fn dispatch(slot: u32, ok: bool, value: JsValue) {
    if slot == RUN {
        run();
        return;
    }
    enum Then {
        Wake(Waker),
        #[cfg(feature = "gatekeeper")]
        Call(Rc<dyn Fn()>),
    }
    let then = HUB.with(|hub| {
        let mut slots = hub.slots.borrow_mut();
        let (_, state) = slots.iter_mut().find(|(id, _)| *id == slot)?;
        match state {
            Slot::Waiting(waker) => {
                let waker = waker.take();
                *state = Slot::Done(ok, value);
                waker.map(Then::Wake)
            }
            #[cfg(feature = "gatekeeper")]
            Slot::Repeat(f) => Some(Then::Call(f.clone())),
            // A second settlement (an event that fires twice) changes nothing.
            Slot::Done(..) => None,
        }
    });
    match then {
        Some(Then::Wake(waker)) => waker.wake(),
        #[cfg(feature = "gatekeeper")]
        Some(Then::Call(f)) => f(),
        None => {}
    }
}

/// Wakes a task by id: it is polled in a microtask.
struct TaskWaker(u32);

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        HUB.with(|hub| {
            hub.ready.borrow_mut().push(self.0);
            if !hub.scheduled.replace(true) {
                js::queue_microtask(&hub.run);
            }
        });
    }
}

/// Polls every woken task, until none is left.
fn run() {
    loop {
        let batch = HUB.with(|hub| std::mem::take(&mut *hub.ready.borrow_mut()));
        if batch.is_empty() {
            HUB.with(|hub| hub.scheduled.set(false));
            return;
        }
        batch.into_iter().for_each(poll);
    }
}

/// Polls one task; a finished one leaves the list. The future is taken out while it is
/// polled, so a wake or a spawn from inside the poll finds the list free.
fn poll(id: u32) {
    let taken = HUB.with(|hub| {
        let mut tasks = hub.tasks.borrow_mut();
        let (_, future, waker) = tasks.iter_mut().find(|(i, ..)| *i == id)?;
        Some((future.take()?, waker.clone()))
    });
    let Some((mut future, waker)) = taken else {
        return;
    };
    let done = future
        .as_mut()
        .poll(&mut Context::from_waker(&waker))
        .is_ready();
    let finished = HUB.with(|hub| {
        let mut tasks = hub.tasks.borrow_mut();
        let place = tasks.iter().position(|(i, ..)| *i == id)?;
        if done {
            Some(tasks.remove(place))
        } else {
            tasks[place].1 = Some(future);
            None
        }
    });
    // Dropped after the borrow ends: a future's drop may touch the hub.
    drop(finished);
}

/// Runs `future` to completion as its own task, first polled in a microtask.
pub fn spawn(future: impl Future<Output = ()> + 'static) {
    HUB.with(|hub| {
        let id = hub.id();
        let waker = Waker::from(Arc::new(TaskWaker(id)));
        hub.tasks
            .borrow_mut()
            .push((id, Some(Box::pin(future)), waker.clone()));
        waker.wake();
    });
}

/// Runs `future` as a task and returns a Promise of its result; the error becomes the
/// SDK's JS error at the one conversion point.
pub fn promise<F>(future: F) -> Promise
where
    F: Future<Output = Result<JsValue, crate::web::error::Error>> + 'static,
{
    let mut future = Some(future);
    Promise::new(&mut |resolve, reject| {
        if let Some(future) = future.take() {
            spawn(async move {
                let _ = match future.await {
                    Ok(value) => resolve.call1(&JsValue::UNDEFINED, &value),
                    Err(e) => reject.call1(&JsValue::UNDEFINED, &JsValue::from(e)),
                };
            });
        }
    })
}

/// How a wait's JS side is undone when it is dropped.
enum Undo {
    Nothing,
    Timer(JsValue),
    #[cfg(feature = "gatekeeper")]
    Interval(JsValue),
    Listener(EventTarget, &'static str, Function),
}

/// A slot and its JS source; dropping it clears the timer or removes the listener.
struct Source {
    slot: u32,
    undo: Undo,
}

impl Source {
    fn new(state: Slot) -> (Source, Function) {
        HUB.with(|hub| {
            let slot = hub.id();
            hub.slots.borrow_mut().push((slot, state));
            let f = js::bind_slot(&hub.function, &JsValue::NULL, slot, true);
            let source = Source {
                slot,
                undo: Undo::Nothing,
            };
            (source, f)
        })
    }
}

impl Drop for Source {
    fn drop(&mut self) {
        match &self.undo {
            Undo::Nothing => {}
            Undo::Timer(id) => js::clear_timeout(id),
            #[cfg(feature = "gatekeeper")]
            Undo::Interval(id) => js::clear_interval(id),
            Undo::Listener(target, event, f) => {
                let _ = target.remove_event_listener_with_callback(event, f);
            }
        }
        let state = HUB.with(|hub| {
            let mut slots = hub.slots.borrow_mut();
            let place = slots.iter().position(|(id, _)| *id == self.slot)?;
            Some(slots.swap_remove(place))
        });
        drop(state);
    }
}

/// A future for one settlement: a promise, a timer or an event. Dropping it undoes the
/// JS side (clears the timer, removes the listener); a promise settling later is ignored.
pub struct Wait(Source);

impl Future for Wait {
    /// Fulfilled (`Ok`) or rejected (`Err`) with this value.
    type Output = Result<JsValue, JsValue>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let slot = self.0.slot;
        HUB.with(|hub| {
            let mut slots = hub.slots.borrow_mut();
            match slots.iter_mut().find(|(id, _)| *id == slot) {
                Some((_, Slot::Done(ok, value))) => {
                    let value = std::mem::replace(value, JsValue::UNDEFINED);
                    Poll::Ready(if *ok { Ok(value) } else { Err(value) })
                }
                Some((_, Slot::Waiting(waker))) => {
                    *waker = Some(cx.waker().clone());
                    Poll::Pending
                }
                _ => Poll::Pending,
            }
        })
    }
}

/// Waits for `promise` to settle (`Promise.prototype.then`, run under `catch`).
pub fn settled(promise: &Promise) -> Wait {
    let (mut source, fulfil) = Source::new(Slot::Waiting(None));
    let reject = HUB.with(|hub| js::bind_slot(&hub.function, &JsValue::NULL, source.slot, false));
    if let Err(e) = js::then(promise, &fulfil, &reject) {
        source = Source::new(Slot::Done(false, e)).0;
    }
    Wait(source)
}

/// Completes after `ms` milliseconds.
pub fn sleep(ms: u32) -> Wait {
    let (mut source, f) = Source::new(Slot::Waiting(None));
    source.undo = Undo::Timer(js::set_timeout(&f, ms));
    Wait(source)
}

/// Completes once `signal` has aborted (at once if it already has).
pub fn aborted(signal: &AbortSignal) -> Wait {
    if signal.aborted() {
        return Wait(Source::new(Slot::Done(true, JsValue::UNDEFINED)).0);
    }
    let (mut source, f) = Source::new(Slot::Waiting(None));
    let target: &EventTarget = signal.as_ref();
    let _ = target.add_event_listener_with_callback("abort", &f);
    source.undo = Undo::Listener(target.clone(), "abort", f);
    Wait(source)
}

/// A `setTimeout` that aborts `controller`; dropping it clears the timer.
#[must_use = "dropping a Deadline clears it"]
pub struct Deadline(JsValue);

impl Deadline {
    /// Aborts `controller` after `ms` milliseconds, unless dropped first.
    pub fn new(controller: &AbortController, ms: u32) -> Deadline {
        let abort: Function = js::get(controller, "abort").unchecked_into();
        Deadline(js::set_timeout(
            &js::bind_to(&abort, controller.as_ref()),
            ms,
        ))
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        js::clear_timeout(&self.0);
    }
}

/// A repeating source (`setInterval`, an event listener) calling a Rust function;
/// dropping it stops it.
#[cfg(feature = "gatekeeper")]
#[must_use = "dropping a Repeat stops it"]
pub struct Repeat(#[allow(dead_code)] Source);

#[cfg(feature = "gatekeeper")]
impl Repeat {
    /// Calls `f` every `ms` milliseconds until dropped.
    pub fn every(ms: u32, f: Rc<dyn Fn()>) -> Repeat {
        let (mut source, tick) = Source::new(Slot::Repeat(f));
        source.undo = Undo::Interval(js::set_interval(&tick, ms));
        Repeat(source)
    }

    /// Calls `f` on every `event` at `target` until dropped.
    pub fn on(target: EventTarget, event: &'static str, f: Rc<dyn Fn()>) -> Repeat {
        let (mut source, handler) = Source::new(Slot::Repeat(f));
        let _ = target.add_event_listener_with_callback(event, &handler);
        source.undo = Undo::Listener(target, event, handler);
        Repeat(source)
    }
}
