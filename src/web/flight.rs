//! The single flight of rule 2: one refresh that every refused or due request waits for.
//!
//! ```text
//! no flight ──refresh()──► Flight { result: None, waiters } ──settle(r)──► result: Some(r)
//!                 ▲                                                           │
//!                 └────────────── session drops its Rc<Flight> ◄─────────────┘
//! ```
//!
//! Hand-rolled rather than `futures::future::Shared`: it is a result slot plus a list of
//! wakers, and the `futures` crate would cost more wasm than the whole file. The
//! refresh itself runs detached (as its own task) so that it finishes, and wakes every
//! waiter, whichever waiter happened to start it.

use crate::core::refresh::Reason;
use crate::web::error::Error;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// One refresh in progress; every waiter holds an `Rc` of it.
pub struct Flight {
    /// Why it runs: `onTokenRefreshed` reports it, and rule 6's fallback reads it.
    pub reason: Reason,
    /// The generation of the token it replaces (the current one when it started).
    pub generation: u32,
    state: RefCell<Settlement>,
}

#[derive(Default)]
struct Settlement {
    /// `None` while the callback runs.
    result: Option<Result<(), Error>>,
    /// Who to wake when it settles.
    waiters: Vec<Waker>,
}

impl Flight {
    /// A flight that has not settled yet.
    pub fn new(reason: Reason, generation: u32) -> Rc<Self> {
        Rc::new(Flight {
            reason,
            generation,
            state: RefCell::default(),
        })
    }

    /// Stores the result (the first one wins) and wakes every waiter.
    pub fn settle(&self, result: Result<(), Error>) {
        let waiters = match self.state.try_borrow_mut() {
            Ok(mut s) if s.result.is_none() => {
                s.result = Some(result);
                std::mem::take(&mut s.waiters)
            }
            _ => return,
        };
        waiters.into_iter().for_each(Waker::wake);
    }

    /// Waits for the result.
    pub fn wait(self: Rc<Self>) -> Wait {
        Wait(self)
    }
}

/// A future that resolves with a [`Flight`]'s result.
pub struct Wait(Rc<Flight>);

impl Future for Wait {
    type Output = Result<(), Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let Ok(mut s) = self.0.state.try_borrow_mut() else {
            return Poll::Pending;
        };
        if let Some(result) = &s.result {
            return Poll::Ready(result.clone());
        }
        if !s.waiters.iter().any(|w| w.will_wake(cx.waker())) {
            s.waiters.push(cx.waker().clone());
        }
        Poll::Pending
    }
}
