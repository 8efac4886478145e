//! Each call's turn to send, and its attempts until they are answered.
//!
//! At most `MAX_AT_ONCE` attempts are in progress at once (sent, and not yet read to
//! the end); the other calls wait in `State::queue`, first come first. A 401 marks its token refused (rule 2 extended):
//! no attempt goes out with it any more, and the idempotent ones still out with it are
//! aborted, to go out once more after the refresh. One deadline timer aborts the
//! attempts that run out of `requestTimeoutMs`.

use super::refresh::wait_for;
use super::Session;
use crate::core::error::SdkError;
use crate::core::storm;
use crate::web::error::Error;
use crate::web::js;
use crate::web::timer::{aborted, race, Either};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use wasm_bindgen::JsValue;
use web_sys::{AbortController, AbortSignal};

/// Most attempts a client keeps in progress at once: Chromium's connections per host
/// (HTTP/1.1). A call beyond them waits in the SDK rather than in the browser's queue,
/// so that a 401 holds it back before it goes out with the refused token: N requests
/// on a refused token cost at most N + 6 at the server (rule 2 extended). An attempt
/// keeps its place until its body is read: a body still downloading holds its
/// connection, and a call handed to `fetch` meanwhile would wait in the browser's queue
/// with its `requestTimeoutMs` running.
const MAX_AT_ONCE: usize = 6;

impl Session {
    /// Waits for the call's turn to send, then records the attempt as unanswered until
    /// its guard is answered: the current token's generation, its `Authorization`
    /// value, and the guard, whose controller is the attempt's one abort (rule 2
    /// extended's, `destroy()`'s and the deadline's).
    ///
    /// A turn comes when fewer than `MAX_AT_ONCE` attempts are in progress; a call
    /// whose turn finds a refresh running, or the token refused, hands the turn on and
    /// waits for that refresh (starting it for a refused token) like a new request.
    ///
    /// # Errors
    /// `ClientDestroyedError`, no token yet, the refresh's error (rule 6's fallback
    /// aside), or the caller's abort while it waited for its turn.
    ///
    /// A token that came due while the call waited out a retry's delay or for its turn
    /// is refreshed first, as before a first attempt (rules 6 and 8), unless a refresh
    /// settled since the call began: calls that shared a refresh whose token arrived
    /// due use it as it is, as rule 8 says, rather than each starting another.
    ///
    /// `waiting_since` is the `settled` count when the call began: a refresh for a
    /// refused token that failed since is the call's error too.
    pub async fn turn(
        &self,
        method: &'static str,
        caller: Option<&AbortSignal>,
        waiting_since: u32,
        resends: &mut Resends,
    ) -> Result<(u32, JsValue, Unanswered), Error> {
        let controller = super::abort_controller()?;
        // A refused token this call goes out with anyway: no refresh comes for it.
        let mut let_through = None;
        loop {
            let turn = Turn {
                session: self,
                id: None,
            };
            let full = self.0.state.borrow().in_progress() >= MAX_AT_ONCE;
            let refusals = self.refusals();
            match caller {
                // Waiting for a turn: the caller's abort ends the wait at once.
                Some(signal) if full => {
                    if let Either::Right(()) = race(turn, aborted(signal.clone())).await {
                        return Err(Error::Aborted(signal.reason()));
                    }
                }
                _ => turn.await,
            }
            // Time passed in the queue: the token may have come due (rules 6 and 8).
            resends.recheck |= full;
            // A refresh for a refused token delivered the current token while the call
            // waited in the queue: it waited for that refresh (rule 2).
            if full {
                resends.note_refusal(self, refusals);
            }
            let (refused, flight) = {
                let st = self.0.state.borrow();
                let refused = st.refused.filter(|g| *g == st.generation);
                // Let through only while that refusal stays final: another call's 401
                // may since have brought a refresh for the same token.
                let through = refused == let_through && !st.refusal_coming;
                (refused.is_some() && !through, st.flight.is_some())
            };
            if !refused && !flight {
                // Not for a call that saw a refresh settle since it began (it waited
                // for it, or its token is that refresh's): rule 8 uses that token as it
                // is, and rule 2 runs one callback for every call that was due.
                let due = resends.recheck
                    && !resends.refreshed
                    && self.settled() == resends.began
                    && self.due_now();
                resends.recheck = false;
                if !due {
                    return self.record(method, &controller);
                }
                self.wake_next();
                let refusals = self.refusals();
                self.refresh_due(caller).await?;
                // (A 401 may have joined that refresh: then it was a refused token's.)
                resends.note_refusal(self, refusals);
                continue;
            }
            self.wake_next();
            self.alive()?;
            // It waits for a refresh now: what it then sends with is fresh.
            resends.recheck = false;
            if refused {
                // Another call's 401 refused the token. A call that had its refresh
                // (rule 4) waits once for the refresh that refusal brings. When none
                // comes (the refusing call had had its refresh too), it was not refused
                // itself: it goes out with the token, and its own answer decides.
                if resends.refreshed {
                    if self.refusal_is_final(waiting_since) {
                        let_through = Some(self.generation());
                    } else if resends.rescued {
                        return Err(SdkError::AccessTokenExpired.into());
                    } else if let Some(flight) = self.refusal_refresh(waiting_since) {
                        resends.rescued = true;
                        wait_for(self, flight, caller).await?;
                    }
                    continue;
                }
                // Sent once more with the new token; refused again, it is final.
                resends.waited_for_refusal();
                wait_for(self, self.refusal_flight(waiting_since), caller).await?;
                continue;
            }
            let refusals = self.refusals();
            self.join_flight(caller).await?;
            resends.note_refusal(self, refusals);
        }
    }

    /// Records a call's attempt as unanswered, under the current token, and arms its
    /// deadline: what [`Session::turn`] resolves to. Inlined into its one caller (as a
    /// function of its own it cost 100 B of the checkout page).
    #[inline(always)]
    fn record(
        &self,
        method: &'static str,
        controller: &AbortController,
    ) -> Result<(u32, JsValue, Unanswered), Error> {
        let (generation, bearer) = self.bearer().inspect_err(|_| self.wake_next())?;
        let timeout = self.0.config.request_timeout_ms;
        // Read before the borrow: a page may have replaced `performance.now`.
        let due = js::monotonic_ms() + f64::from(timeout);
        let mut st = self.0.state.borrow_mut();
        let id = st.next_attempt;
        st.next_attempt = id.wrapping_add(1);
        let entry = Attempt {
            id,
            generation,
            method,
            due,
            controller: controller.clone(),
        };
        #[cfg(any(feature = "checkout", feature = "gatekeeper"))]
        st.attempts.push(entry.clone());
        st.unanswered.push(entry);
        drop(st);
        #[cfg(any(feature = "checkout", feature = "gatekeeper"))]
        self.0.deadlines.arm(f64::from(timeout));
        let unanswered = Unanswered {
            session: self.clone(),
            id,
            controller: controller.clone(),
            answered: false,
        };
        Ok((generation, bearer, unanswered))
    }

    /// The deadline timer fired: aborts every attempt now due, and sets the timer for
    /// the next deadline, if any attempt is left.
    #[cfg(any(feature = "checkout", feature = "gatekeeper"))]
    pub(super) fn sweep(&self) {
        self.0.deadlines.fired();
        loop {
            let now = js::monotonic_ms();
            // Due first, in start order. A timer may fire a fraction of a millisecond
            // early by this clock.
            let next = match self.0.state.try_borrow_mut() {
                Ok(mut st) => match st.attempts.first() {
                    Some(a) if a.due <= now + 1.0 => Ok(st.attempts.remove(0).controller),
                    Some(a) => Err(Some(a.due - now)),
                    None => Err(None),
                },
                // Never expected (the timer runs in a task of its own): look again soon.
                Err(_) => Err(Some(1.0)),
            };
            match next {
                // Aborted with no borrow held: abort listeners run synchronously.
                Ok(due) => due.abort(),
                Err(Some(ms)) => return self.0.deadlines.arm(ms),
                Err(None) => return,
            }
        }
    }

    /// Wakes the first call waiting for its turn, if any.
    fn wake_next(&self) {
        let next = match self.0.state.try_borrow_mut() {
            Ok(mut st) if !st.queue.is_empty() => Some(st.queue.remove(0).1),
            _ => None,
        };
        if let Some(w) = next {
            w.wake();
        }
    }

    /// Rule 2 extended: a 401 refused the token of `generation`, so no call that has not
    /// had its refresh goes out with that token any more. When a refresh will run for it
    /// (`refresh_to_come`, or one already coming), every idempotent attempt sent with it
    /// and not yet answered is aborted too (it then waits for the refresh and goes out
    /// once with the new token).
    pub fn refused(&self, generation: u32, refresh_to_come: bool) {
        let doomed: Vec<AbortController> = {
            let mut st = self.0.state.borrow_mut();
            // A refresh already coming for this token stays coming: a final 401 that
            // arrives while the refusing call reads its body does not cancel it.
            let coming = refresh_to_come || (st.refused == Some(generation) && st.refusal_coming);
            st.refusal_coming = coming;
            st.refused = Some(generation);
            // A final 401 (its call had had its refresh, and none is coming) aborts
            // nothing: the other attempts' own answers decide.
            let (doomed, kept) = std::mem::take(&mut st.unanswered)
                .into_iter()
                .partition(|a| {
                    storm::abort_on_refusal(a.method, a.generation, generation, false, coming)
                });
            st.unanswered = kept;
            doomed.into_iter().map(|a| a.controller).collect()
        };
        doomed.iter().for_each(AbortController::abort);
    }

    /// The 401 that [`Session::refused`] acted on never arrived whole (its body was cut):
    /// the token of `generation` is no longer held back (a later refusal of another token
    /// stays).
    pub fn refusal_cut(&self, generation: u32) {
        let mut st = self.0.state.borrow_mut();
        if st.refused == Some(generation) {
            st.refused = None;
        }
        // Nor was a refresh that replaced that token a refused token's (rule 2).
        if st
            .refusal_delivered
            .is_some_and(|(replaced, _)| replaced == generation)
        {
            st.refusal_delivered = None;
        }
    }
}

/// What a call has been through (rule 4: one resend after a 401, at most one refresh).
#[derive(Default)]
pub struct Resends {
    /// Sent again after a 401 (its own, or a refusal it waited out): a 401 now is final.
    pub after_401: bool,
    /// Waited for a refresh after a 401: a refusal of the token now is final.
    pub refreshed: bool,
    /// Time passed since expiry was last checked (a retry's delay, a wait for a turn):
    /// the next attempt checks it again.
    pub recheck: bool,
    /// The session's `settled` count when the call began.
    pub began: u32,
    /// Had its refresh, then waited for the refresh of another call's refusal
    /// ([`Session::rescue`]): the next refusal is final.
    pub rescued: bool,
}

impl Resends {
    /// The call waited for a refresh for a refused token, in the SDK's queue or started
    /// while it ran (rule 2): that was its refresh, so it is sent once with the new
    /// token, and a 401 then is final (rule 4).
    pub fn waited_for_refusal(&mut self) {
        self.refreshed = true;
        self.after_401 = true;
    }

    /// After a wait that began when `refusals` refreshes of refused tokens had settled:
    /// one that settled meanwhile and delivered the current token was this call's.
    pub fn note_refusal(&mut self, session: &Session, refusals: u32) {
        if session.refusal_renewed_since(refusals) {
            self.waited_for_refusal();
        }
    }
}

/// An attempt in progress. [`Unanswered::answer`] forgets it as unanswered (a 401 no
/// longer aborts it); dropping it ends the attempt and gives the next waiting call its
/// turn.
#[must_use = "dropping it ends the attempt"]
pub struct Unanswered {
    session: Session,
    id: u32,
    /// The attempt's abort: a 401 refusing its token (rule 2 extended), `destroy()`,
    /// and its deadline abort it.
    pub controller: AbortController,
    answered: bool,
}

impl Unanswered {
    /// Marks the attempt answered (or failed); true when a 401 had refused its token
    /// first (rule 2 extended: [`Session::refused`] took it off the list and aborted it).
    pub fn answer(&mut self) -> bool {
        if self.answered {
            return false;
        }
        self.answered = true;
        let superseded = match self.session.0.state.try_borrow_mut() {
            Ok(mut st) => {
                let before = st.unanswered.len();
                forget(&mut st.unanswered, self.id);
                st.unanswered.len() == before
            }
            Err(_) => false,
        };
        superseded
    }
}

impl Drop for Unanswered {
    fn drop(&mut self) {
        self.answer();
        #[cfg(any(feature = "checkout", feature = "gatekeeper"))]
        {
            let idle = match self.session.0.state.try_borrow_mut() {
                Ok(mut st) => {
                    forget(&mut st.attempts, self.id);
                    st.attempts.is_empty()
                }
                Err(_) => false,
            };
            // No attempt left: no deadline timer either (in Node, a pending timer keeps
            // the process alive, as an attempt in flight should, and only that).
            if idle {
                self.session.0.deadlines.clear();
            }
        }
        self.session.wake_next();
    }
}

/// An attempt on the session's lists (`unanswered`, `attempts`).
#[derive(Clone)]
pub(super) struct Attempt {
    id: u32,
    /// The generation of the token it was sent with.
    generation: u32,
    method: &'static str,
    /// When `requestTimeoutMs` runs out for it (`performance.now()` ms).
    due: f64,
    /// Its one abort.
    pub(super) controller: AbortController,
}

/// Removes attempt `id` from `list`, if it is there.
fn forget(list: &mut Vec<Attempt>, id: u32) {
    list.retain(|a| a.id != id);
}

/// Ready once fewer than `MAX_AT_ONCE` attempts are in progress.
struct Turn<'a> {
    session: &'a Session,
    /// Its place in `queue` once it had to wait; a dropped `Turn` (a caller's abort)
    /// leaves the queue, so no wake-up is ever spent on it.
    id: Option<u32>,
}

impl Future for Turn<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let session = self.session;
        let Ok(mut st) = session.0.state.try_borrow_mut() else {
            return Poll::Pending;
        };
        let place = self
            .id
            .and_then(|id| st.queue.iter().position(|(i, _)| *i == id));
        if st.in_progress() < MAX_AT_ONCE {
            if let Some(p) = place {
                st.queue.remove(p);
            }
            return Poll::Ready(());
        }
        let waker = cx.waker().clone();
        match (place, self.id) {
            (Some(p), _) => st.queue[p].1 = waker,
            // Woken (taken off the queue) but the room went to another: first again.
            (None, Some(id)) => st.queue.insert(0, (id, waker)),
            (None, None) => {
                let id = st.next_waiter;
                st.next_waiter = id.wrapping_add(1);
                st.queue.push((id, waker));
                drop(st);
                self.id = Some(id);
            }
        }
        Poll::Pending
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        if let (Some(id), Ok(mut st)) = (self.id, self.session.0.state.try_borrow_mut()) {
            st.queue.retain(|(i, _)| *i != id);
        }
    }
}
