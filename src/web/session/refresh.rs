//! One refresh at a time (rule 2), and the calls that wait for it.
//!
//! A [`Flight`] is the refresh in progress: `flight_or_start` joins it or starts one,
//! which `drive` runs in a task of its own (detached, so a caller that gives up does
//! not cancel it for the others) and settles with the token callback's outcome. A
//! refresh for a token a 401 refused that fails is kept in `State::failure`, so the
//! calls that waited or were out meanwhile share its error instead of calling the
//! callback again.

use super::Session;
use crate::core::error::SdkError;
use crate::core::refresh::{self, Reason};
use crate::web::callback::{call_token_callback, notify};
use crate::web::error::Error;
use crate::web::flight::{Flight, Wait};
#[cfg(any(feature = "checkout", feature = "gatekeeper"))]
use crate::web::timer::aborted;
use crate::web::{js, now_seconds};
use js_sys::Object;
#[cfg(any(feature = "checkout", feature = "gatekeeper"))]
use std::future::Future;
#[cfg(any(feature = "checkout", feature = "gatekeeper"))]
use std::pin::Pin;
use std::rc::Rc;
#[cfg(any(feature = "checkout", feature = "gatekeeper"))]
use std::task::{Context, Poll};
use wasm_bindgen::JsValue;
use web_sys::AbortSignal;

impl Session {
    fn flight(&self) -> Option<Rc<Flight>> {
        self.0.state.borrow().flight.clone()
    }

    /// The refresh in progress, or a new one started for `reason` (rule 2).
    fn flight_or_start(&self, reason: Reason) -> Rc<Flight> {
        match self.flight() {
            Some(f) => f,
            None => {
                let f = Flight::new(reason, self.generation());
                self.0.state.borrow_mut().flight = Some(f.clone());
                wasm_bindgen_futures::spawn_local(self.clone().drive(f.clone()));
                f
            }
        }
    }

    /// Starts a refresh, or joins the one in progress (rule 2), and waits for it.
    pub(super) async fn refresh(
        &self,
        reason: Reason,
        caller: Option<&AbortSignal>,
    ) -> Result<(), Error> {
        wait_for(self, self.flight_or_start(reason), caller).await
    }

    /// Runs the token callback for `flight` and settles it (rules 3 and 4).
    async fn drive(self, flight: Rc<Flight>) {
        let result = match self.callback() {
            Some(cb) => {
                let timeout = self.0.config.refresh_timeout_ms;
                call_token_callback(&cb, timeout, self.lifetime_signal()).await
            }
            None => Err(SdkError::AccessTokenExpired.into()),
        };
        let result = result.and_then(|value| self.accept(&value, Some(flight.reason)));
        {
            let mut st = self.0.state.borrow_mut();
            if st.flight.as_ref().is_some_and(|f| Rc::ptr_eq(f, &flight)) {
                st.flight = None;
            }
            st.settled = st.settled.wrapping_add(1);
            // A refresh of a token a 401 refused that delivered a token: one started for
            // the refusal (a 401's, or a call held back with the refused token), or one
            // a 401 bringing a refresh joined (a proactive refresh under way). Not a
            // proactive refresh whose token's only refusal was final (it refused a call
            // that had had its refresh, rule 4): no call waited for it because of that.
            let for_refusal = flight.reason == Reason::Unauthorized || st.refusal_coming;
            if result.is_ok() && st.refused == Some(flight.generation) && for_refusal {
                st.refusals = st.refusals.wrapping_add(1);
                st.refusal_delivered = Some((flight.generation, st.generation));
            }
            // Kept only when it was a refresh for a refused token: a failed proactive
            // refresh of a token nobody refused is no answer to a later 401.
            st.failure = (result.is_err() && st.refused == Some(st.generation))
                .then(|| (st.generation, st.settled, flight.clone()));
        }
        let on_refreshed = self.0.state.borrow().on_refreshed.clone();
        if let (Ok(()), Some(cb)) = (&result, &on_refreshed) {
            let event = Object::new();
            let expires_at = self.expires_at().map_or(JsValue::NULL, JsValue::from);
            js::set(&event, "expiresAt", &expires_at);
            js::set(&event, "reason", &JsValue::from_str(flight.reason.as_str()));
            notify(cb, &event);
        }
        flight.settle(result);
    }

    /// After a failed refresh: send anyway only where rule 6 allows it, and never with
    /// a token a 401 refused meanwhile (that would start a second refresh for it).
    fn fallback(&self, reason: Reason, error: Error) -> Result<(), Error> {
        self.alive()?;
        if matches!(error, Error::Aborted(_)) {
            return Err(error);
        }
        let refused = {
            let st = self.0.state.borrow();
            st.refused == Some(st.generation)
        };
        if !refused
            && refresh::send_after_failed_refresh(reason, self.expires_at(), self.server_now())
        {
            Ok(())
        } else {
            Err(error)
        }
    }

    /// Waits for a refresh in progress, if any (requests started during it queue). The
    /// caller's `signal` ends the wait at once (the refresh goes on for the others).
    ///
    /// # Errors
    /// The refresh's error, unless rule 6 lets the request go out anyway; the caller's
    /// abort.
    pub async fn join_flight(&self, caller: Option<&AbortSignal>) -> Result<(), Error> {
        if let Some(f) = self.flight() {
            let reason = f.reason;
            if let Err(e) = wait_for(self, f, caller).await {
                return self.fallback(reason, e);
            }
        }
        Ok(())
    }

    /// Rules 2 and 6, before a request's first attempt.
    ///
    /// # Errors
    /// A refresh error, `ClientDestroyedError`, or the caller's abort.
    pub async fn ready_to_send(&self, caller: Option<&AbortSignal>) -> Result<(), Error> {
        self.alive()?;
        if self.flight().is_some() {
            return self.join_flight(caller).await;
        }
        if self.due_now() {
            return self.refresh_due(caller).await;
        }
        Ok(())
    }

    /// Whether the current token is due for its proactive refresh by the server's clock
    /// (rules 6 and 8). True once per token: asking marks it.
    pub(super) fn due_now(&self) -> bool {
        let page_now = now_seconds();
        let mut st = self.0.state.borrow_mut();
        let now = st.clock.server_now(page_now);
        let exp = st.current.as_ref().and_then(|c| c.exp);
        let has_callback = st.callback.is_some();
        st.proactive
            .refresh_before_send(exp, now, self.0.config.leeway_s, has_callback)
    }

    /// Rule 6's proactive refresh of a due token, and its fallback: a failure lets the
    /// request go out while the token has not expired.
    pub(super) async fn refresh_due(&self, caller: Option<&AbortSignal>) -> Result<(), Error> {
        match self.refresh(Reason::Expiring, caller).await {
            Err(e) => self.fallback(Reason::Expiring, e),
            Ok(()) => Ok(()),
        }
    }

    /// Whether a refresh is running, or one that settled after `since` (a `settled`
    /// count) delivered the current token: an attempt sent at `since` has had its
    /// refresh (rule 4). A token the page set, or a refresh that failed, is none.
    pub fn renewed_since(&self, since: u32) -> bool {
        let st = self.0.state.borrow();
        st.flight.is_some()
            || (st.settled != since && st.current.as_ref().is_some_and(|c| c.by_refresh))
    }

    /// How many refreshes for a refused token have settled so far (taken before a
    /// call waits, for [`Session::refusal_renewed_since`]).
    pub fn refusals(&self) -> u32 {
        self.0.state.borrow().refusals
    }

    /// Whether a refresh of a refused token delivered the current token after `since`
    /// (a `refusals` count, taken before a wait): a call that waited meanwhile (in the
    /// SDK's queue, or for that refresh itself) waited for it (rule 2), so it has had
    /// its refresh (rule 4).
    pub fn refusal_renewed_since(&self, since: u32) -> bool {
        let st = self.0.state.borrow();
        st.refusals != since
            && st
                .refusal_delivered
                .is_some_and(|(_, g)| g == st.generation)
    }

    /// How many refreshes have settled so far: taken before an attempt is sent, it
    /// tells whether a refresh failed while the attempt was out (`refresh_after_401`).
    pub fn settled(&self) -> u32 {
        self.0.state.borrow().settled
    }

    /// The refresh for the refused current token: the one running, a new one, or the
    /// error of one that failed after `since` (a `settled` count), which every call
    /// that was waiting or out meanwhile shares (rule 2: one callback for them all).
    pub(super) fn refusal_flight(&self, since: u32) -> Rc<Flight> {
        match self.failed_refusal(since) {
            Some(failed) => failed,
            None => self.flight_or_start(Reason::Unauthorized),
        }
    }

    /// The refresh for the refused current token that failed after `since` (a
    /// `settled` count), none running since.
    fn failed_refusal(&self, since: u32) -> Option<Rc<Flight>> {
        let st = self.0.state.borrow();
        match &st.failure {
            Some((generation, settled, f))
                if st.flight.is_none()
                    && st.refused == Some(st.generation)
                    && *generation == st.generation
                    && *settled != since =>
            {
                Some(f.clone())
            }
            _ => None,
        }
    }

    /// For a call that had its resend (rule 4) and was not refused itself: another
    /// call's 401 refused the current token while this attempt was out, and rule 2
    /// extended aborted it. Waits for the refresh that refusal brings
    /// ([`Session::refusal_refresh`]); with none (the refusal is gone, or final), the
    /// call's next turn decides.
    ///
    /// # Errors
    /// The refresh's error, or the caller's abort.
    pub async fn rescue(&self, since: u32, caller: Option<&AbortSignal>) -> Result<(), Error> {
        let refused = {
            let st = self.0.state.borrow();
            st.refused == Some(st.generation)
        };
        match refused.then(|| self.refusal_refresh(since)).flatten() {
            Some(flight) => wait_for(self, flight, caller).await,
            None => Ok(()),
        }
    }

    /// The refresh the refusal of the current token brings: the running one, one that
    /// failed after `since` (its error), or, when the refusing call is yet to start it,
    /// that one, started here. `None` when none comes
    /// ([`Session::refusal_is_final`]).
    pub(super) fn refusal_refresh(&self, since: u32) -> Option<Rc<Flight>> {
        match self.failed_refusal(since) {
            Some(failed) => Some(failed),
            None if self.refusal_is_final(since) => None,
            None => Some(self.flight_or_start(Reason::Unauthorized)),
        }
    }

    /// Whether no refresh comes for the refusal of the current token: none runs, the
    /// refusing call had had its refresh (rule 4), and none for it failed after `since`.
    /// Asks only; starts nothing.
    pub(super) fn refusal_is_final(&self, since: u32) -> bool {
        let idle = {
            let st = self.0.state.borrow();
            st.flight.is_none() && !st.refusal_coming
        };
        idle && self.failed_refusal(since).is_none()
    }

    /// Rule 1's refresh after a 401 for the current token, for an attempt sent when
    /// `since` refreshes had settled.
    ///
    /// # Errors
    /// The refresh's error (also one that failed while the attempt was out), or the
    /// caller's abort.
    pub async fn refresh_after_401(
        &self,
        caller: Option<&AbortSignal>,
        since: u32,
    ) -> Result<(), Error> {
        wait_for(self, self.refusal_flight(since), caller).await
    }
}

/// Waits for `flight`; with the caller's `signal`, only until it aborts (the refresh
/// goes on for everyone else). A refresh that fails after the page set a token that no
/// 401 refused is no answer for the call: it goes out with that token (rule 1).
#[cfg(any(feature = "checkout", feature = "gatekeeper"))]
pub(super) fn wait_for(
    session: &Session,
    flight: Rc<Flight>,
    caller: Option<&AbortSignal>,
) -> WaitFor {
    WaitFor {
        generation: flight.generation,
        flight: flight.wait(),
        abort: caller.map(|signal| (aborted(signal.clone()), signal.clone())),
        session: session.clone(),
    }
}

/// The card form's build: its frame sends the requests, so no call has a signal, and
/// the page cannot set the token.
#[cfg(not(any(feature = "checkout", feature = "gatekeeper")))]
pub(super) fn wait_for(_: &Session, flight: Rc<Flight>, _: Option<&AbortSignal>) -> Wait {
    flight.wait()
}

/// [`wait_for`]'s future: one type and one `poll` for every wait on a refresh.
#[cfg(any(feature = "checkout", feature = "gatekeeper"))]
pub(super) struct WaitFor {
    flight: Wait,
    abort: Option<(crate::web::timer::AbortWait, AbortSignal)>,
    session: Session,
    /// The generation of the token the refresh replaces.
    generation: u32,
}

#[cfg(any(feature = "checkout", feature = "gatekeeper"))]
impl Session {
    /// The page set a token since `generation` (a failed refresh changes none), no 401
    /// refused it, and the session lives.
    fn set_since(&self, generation: u32) -> bool {
        self.0.state.try_borrow().is_ok_and(|st| {
            st.generation != generation && st.refused != Some(st.generation) && !st.destroyed
        })
    }
}

#[cfg(any(feature = "checkout", feature = "gatekeeper"))]
impl Future for WaitFor {
    type Output = Result<(), Error>;

    #[inline(never)]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Poll::Ready(result) = Pin::new(&mut self.flight).poll(cx) {
            let rescued = result.is_err() && self.session.set_since(self.generation);
            return Poll::Ready(if rescued { Ok(()) } else { result });
        }
        if let Some((abort, signal)) = &mut self.abort {
            if Pin::new(abort).poll(cx).is_ready() {
                return Poll::Ready(Err(Error::Aborted(signal.reason())));
            }
        }
        Poll::Pending
    }
}
