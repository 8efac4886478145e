//! The token and its refresh machinery, shared by every class.
//!
//! State lives in one `RefCell` that is never borrowed across an `.await` or a call
//! into page code, so a callback may call any public method (re-entrancy is safe).

use crate::core::clock::Clock;
use crate::core::error::SdkError;
use crate::core::expiry;
use crate::core::jwt::{self, TokenRule};
use crate::core::options::Common;
use crate::core::proactive::TokenState;
use crate::core::refresh::{self, Reason};
use crate::core::retry::RetryPolicy;
use crate::core::secret::AccessToken;
use crate::core::storm;
use crate::web::callback::{call_token_callback, notify};
#[cfg(any(feature = "checkout", feature = "gatekeeper"))]
use crate::web::deadline::DeadlineTimer;
use crate::web::error::Error;
use crate::web::flight::{Flight, Wait};
use crate::web::json::JsJson;
use crate::web::timer::{aborted, race, Either};
use crate::web::{js, now_seconds};
use js_sys::{Function, Object};
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll, Waker};
use wasm_bindgen::JsValue;
use web_sys::{AbortController, AbortSignal};

/// Most attempts a client keeps unanswered at once: Chromium's connections per host
/// (HTTP/1.1). A call beyond them waits in the SDK rather than in the browser's queue,
/// so that a 401 holds it back before it goes out with the refused token: N requests
/// on a refused token cost at most N + 6 at the server (rule 2 extended).
const MAX_UNANSWERED: usize = 6;

/// The token in use.
struct Current {
    token: AccessToken,
    /// `Bearer <token>` as a JS string, made by the first request with this token
    /// (not by `setAccessToken`, which stays cheap) and reused by the rest.
    bearer: Option<JsValue>,
    exp: Option<f64>,
    #[cfg_attr(not(feature = "checkout"), allow(dead_code))]
    claims_json: String,
}

struct State {
    current: Option<Current>,
    /// Bumped whenever the token changes (rule 1 compares it).
    generation: u32,
    /// The refresh in progress, if any (rule 2).
    flight: Option<Rc<Flight>>,
    /// The server's time, estimated from the tokens' `iat` (rule 8).
    clock: Clock,
    /// Whether the current token was already refreshed proactively (rules 6 and 8).
    proactive: TokenState,
    /// Attempts sent and not yet answered. Rule 2 extended aborts them when their
    /// token is refused.
    unanswered: Vec<Attempt>,
    /// Every attempt until it ends (body read included), in the order they started,
    /// so in the order they come due. `destroy()` aborts them all, the deadline timer
    /// those due.
    /// The card form's build sends nothing itself, so it has none.
    #[cfg(any(feature = "checkout", feature = "gatekeeper"))]
    attempts: Vec<Attempt>,
    /// The next id for `unanswered`.
    next_attempt: u32,
    /// Calls waiting for their turn to send (`MAX_UNANSWERED`), first come first.
    queue: Vec<(u32, Waker)>,
    /// The next id for `queue`.
    next_waiter: u32,
    /// The generation a 401 refused while a refresh is to come (rule 2 extended): no
    /// attempt goes out with it any more.
    refused: Option<u32>,
    /// How many refreshes have settled: a call's turn compares it with the count
    /// when it began waiting.
    settled: u32,
    /// The latest refresh that failed: the generation it was for, its `settled`
    /// count, and its error. A call held back by a refusal of that generation while
    /// it ran shares its error (rule 2: one callback for every waiting call).
    failure: Option<(u32, u32, Rc<Flight>)>,
    /// The page's token callback and `onTokenRefreshed`, let go by `destroy()`: held
    /// in the glue's table, which the garbage collector does not see into, a function
    /// that reaches the client would otherwise keep the client alive for good.
    callback: Option<Function>,
    on_refreshed: Option<Function>,
    destroyed: bool,
}

struct Inner {
    config: Common,
    /// The `retry` option (rule 9); `None` when off.
    retry: Option<RetryPolicy>,
    /// Aborted by `destroy()`: every in-flight request follows it.
    lifetime: AbortController,
    /// Aborts the attempts that run out of `requestTimeoutMs`.
    #[cfg(any(feature = "checkout", feature = "gatekeeper"))]
    deadlines: DeadlineTimer,
    state: RefCell<State>,
}

/// The token session. Cloning shares it.
#[derive(Clone)]
pub struct Session(Rc<Inner>);

impl Session {
    /// A session without a token yet.
    ///
    /// # Errors
    /// `ConfigurationError` when the JS environment has no `AbortController`.
    pub fn new(
        config: Common,
        callback: Option<Function>,
        on_refreshed: Option<Function>,
        retry: Option<RetryPolicy>,
    ) -> Result<Self, Error> {
        let lifetime = AbortController::new()
            .map_err(|_| Error::config("AbortController", "is missing from this environment"))?;
        let state = State {
            current: None,
            generation: 0,
            flight: None,
            clock: Clock::new(),
            proactive: TokenState::default(),
            unanswered: Vec::new(),
            #[cfg(any(feature = "checkout", feature = "gatekeeper"))]
            attempts: Vec::new(),
            next_attempt: 0,
            queue: Vec::new(),
            next_waiter: 0,
            refused: None,
            settled: 0,
            failure: None,
            callback,
            on_refreshed,
            destroyed: false,
        };
        Ok(Session(Rc::new_cyclic(|_weak: &Weak<Inner>| Inner {
            config,
            retry,
            lifetime,
            // The timer holds the session weakly: a client the page dropped is not kept.
            #[cfg(any(feature = "checkout", feature = "gatekeeper"))]
            deadlines: {
                let weak = _weak.clone();
                DeadlineTimer::new(move || {
                    if let Some(inner) = weak.upgrade() {
                        Session(inner).sweep();
                    }
                })
            },
            state: RefCell::new(state),
        })))
    }

    /// The validated options.
    #[cfg_attr(not(feature = "checkout"), allow(dead_code))]
    pub fn config(&self) -> &Common {
        &self.0.config
    }

    /// The `retry` option; `None` when retries are off.
    pub fn retry(&self) -> Option<RetryPolicy> {
        self.0.retry
    }

    /// The page's token callback (`None` after `destroy()`).
    pub fn callback(&self) -> Option<Function> {
        self.0.state.borrow().callback.clone()
    }

    /// Whether the page gave a token callback (and the session is not destroyed).
    pub fn has_callback(&self) -> bool {
        self.0.state.borrow().callback.is_some()
    }

    /// Validates `value` and makes it the current token; on failure the old one stays.
    ///
    /// # Errors
    /// `InvalidAccessToken` / `InvalidAccessTokenFormat`, or `ClientDestroyedError`.
    pub fn set_token(&self, value: &JsValue) -> Result<(), Error> {
        self.accept(value, None)
    }

    /// [`Session::set_token`], saying which refresh delivered the token (`None`: the
    /// page). Each accepted token updates the server-clock estimate (rule 8).
    fn accept(&self, value: &JsValue, refresh: Option<Reason>) -> Result<(), Error> {
        let raw = value.as_string().ok_or(TokenRule::NotAString)?;
        let parsed = jwt::parse(&raw, &JsJson)?;
        // The clock is read before the borrow: a page may have replaced `Date.now` with
        // a function that calls back into this client.
        let (page_now, leeway) = (now_seconds(), self.0.config.leeway_s);
        let mut st = self.0.state.borrow_mut();
        if st.destroyed {
            return Err(SdkError::ClientDestroyed.into());
        }
        // The page handing back the token in use changes nothing: not the server-clock
        // estimate (it would make a due token look freshly minted, rule 8), nor what a
        // 401 for it on a request in flight does (rule 1), nor a refusal of it. A
        // refresh that returns it counts as a new token: the one resend of rule 4.
        let same = st.current.as_ref().is_some_and(|c| c.token == parsed.token);
        if same && refresh.is_none() {
            return Ok(());
        }
        let times = parsed.times;
        st.clock
            .observe_token(times.iat, times.exp, leeway, page_now);
        let due_now = expiry::is_due(times.exp, st.clock.server_now(page_now), leeway);
        st.proactive
            .accepted(same, refresh == Some(Reason::Expiring), due_now);
        st.current = Some(Current {
            bearer: None,
            token: parsed.token,
            exp: parsed.times.exp,
            claims_json: parsed.claims_json,
        });
        st.generation = st.generation.wrapping_add(1);
        Ok(())
    }

    /// Fails with `ClientDestroyedError` once destroyed.
    ///
    /// # Errors
    /// `ClientDestroyedError`.
    pub fn alive(&self) -> Result<(), Error> {
        if self.is_destroyed() {
            Err(SdkError::ClientDestroyed.into())
        } else {
            Ok(())
        }
    }

    /// True once `destroy()` ran.
    pub fn is_destroyed(&self) -> bool {
        self.0.state.borrow().destroyed
    }

    /// The current token's generation and `Authorization` value.
    ///
    /// # Errors
    /// `ClientDestroyedError`, or `ConfigurationError` when there is no token yet.
    pub fn bearer(&self) -> Result<(u32, JsValue), Error> {
        self.alive()?;
        let mut st = self.0.state.borrow_mut();
        let generation = st.generation;
        match &mut st.current {
            Some(c) => {
                let bearer = c
                    .bearer
                    .get_or_insert_with(|| JsValue::from_str(&c.token.bearer()));
                Ok((generation, bearer.clone()))
            }
            None => Err(Error::config(
                "accessToken",
                "no access token yet: call initialize() first",
            )),
        }
    }

    /// Bumped whenever the token changes.
    pub fn generation(&self) -> u32 {
        self.0.state.borrow().generation
    }

    /// `exp` of the current token.
    pub fn expires_at(&self) -> Option<f64> {
        self.0.state.borrow().current.as_ref().and_then(|c| c.exp)
    }

    /// A fresh copy of the decoded payload, or `null` without a token.
    #[cfg(feature = "checkout")]
    pub fn claims(&self) -> JsValue {
        // Copied out first: `JSON.parse` is a page-replaceable global.
        let json = match &self.0.state.borrow().current {
            Some(c) => js_sys::JsString::from(c.claims_json.as_str()),
            None => return JsValue::NULL,
        };
        js::json_parse(&json).unwrap_or(JsValue::NULL)
    }

    /// Aborted by `destroy()`.
    pub fn lifetime_signal(&self) -> AbortSignal {
        self.0.lifetime.signal()
    }

    /// Forgets the token, aborts requests, rejects refresh waiters.
    pub fn destroy(&self) {
        let flight = {
            let mut st = self.0.state.borrow_mut();
            st.destroyed = true;
            st.current = None;
            st.failure = None;
            st.callback = None;
            st.on_refreshed = None;
            st.flight.take()
        };
        if let Some(f) = flight {
            f.settle(Err(SdkError::ClientDestroyed.into()));
        }
        #[cfg(any(feature = "checkout", feature = "gatekeeper"))]
        {
            let attempts = std::mem::take(&mut self.0.state.borrow_mut().attempts);
            self.0.deadlines.clear();
            attempts.iter().for_each(|a| a.controller.abort());
        }
        // Aborted with a reason (`null`) rather than the default `DOMException`: an
        // error's stack keeps the receivers of its frames, here the page's client
        // object, and this controller lives as long as the Rust session, which the
        // glue frees only once that object is collected. It would never be.
        self.0.lifetime.abort_with_reason(&JsValue::NULL);
    }

    fn flight(&self) -> Option<Rc<Flight>> {
        self.0.state.borrow().flight.clone()
    }

    /// The refresh in progress, or a new one started for `reason` (rule 2).
    fn flight_or_start(&self, reason: Reason) -> Rc<Flight> {
        match self.flight() {
            Some(f) => f,
            None => {
                let f = Flight::new(reason);
                self.0.state.borrow_mut().flight = Some(f.clone());
                wasm_bindgen_futures::spawn_local(self.clone().drive(f.clone()));
                f
            }
        }
    }

    /// Starts a refresh, or joins the one in progress (rule 2), and waits for it.
    async fn refresh(&self, reason: Reason, caller: Option<&AbortSignal>) -> Result<(), Error> {
        wait_for(self.flight_or_start(reason), caller).await
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

    /// The server's time now, by the estimate of rule 8.
    pub fn server_now(&self) -> f64 {
        let page_now = now_seconds();
        self.0.state.borrow().clock.server_now(page_now)
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
            if let Err(e) = wait_for(f, caller).await {
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
        let page_now = now_seconds();
        let due = {
            let mut st = self.0.state.borrow_mut();
            let now = st.clock.server_now(page_now);
            let exp = st.current.as_ref().and_then(|c| c.exp);
            let has_callback = st.callback.is_some();
            st.proactive
                .refresh_before_send(exp, now, self.0.config.leeway_s, has_callback)
        };
        if due {
            if let Err(e) = self.refresh(Reason::Expiring, caller).await {
                return self.fallback(Reason::Expiring, e);
            }
        }
        Ok(())
    }

    /// Waits for the call's turn to send, then records the attempt as unanswered until
    /// its guard is answered: the current token's generation, its `Authorization`
    /// value, and the guard, whose controller is the attempt's one abort (rule 2
    /// extended's, `destroy()`'s and the deadline's).
    ///
    /// A turn comes when fewer than `MAX_UNANSWERED` attempts are unanswered; a call
    /// whose turn finds a refresh running, or the token refused, hands the turn on and
    /// waits for that refresh (starting it for a refused token) like a new request.
    ///
    /// # Errors
    /// `ClientDestroyedError`, no token yet, the refresh's error (rule 6's fallback
    /// aside), or the caller's abort while it waited for its turn.
    ///
    /// `waiting_since` is the `settled` count when the call began: a refresh for a
    /// refused token that failed since is the call's error too. `refreshed` is set when
    /// the call waited for a refresh of a refused token: its next 401 is final (rule 4).
    pub async fn turn(
        &self,
        method: &'static str,
        caller: Option<&AbortSignal>,
        waiting_since: u32,
        refreshed: &mut bool,
    ) -> Result<(u32, JsValue, Unanswered), Error> {
        let controller = AbortController::new().map_err(|_| Error::from(SdkError::Network))?;
        loop {
            let turn = Turn {
                session: self,
                id: None,
            };
            let full = self.0.state.borrow().unanswered.len() >= MAX_UNANSWERED;
            match caller {
                // Waiting for a turn: the caller's abort ends the wait at once.
                Some(signal) if full => {
                    if let Either::Right(()) = race(turn, aborted(signal.clone())).await {
                        return Err(Error::Aborted(signal.reason()));
                    }
                }
                _ => turn.await,
            }
            let (refused, flight) = {
                let st = self.0.state.borrow();
                (st.refused == Some(st.generation), st.flight.is_some())
            };
            if !refused && !flight {
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
                let session = self.clone();
                return Ok((
                    generation,
                    bearer,
                    Unanswered {
                        session,
                        id,
                        controller,
                        answered: false,
                    },
                ));
            }
            self.wake_next();
            self.alive()?;
            if refused {
                // Already sent, or waited, for one refresh: refused again (rule 4).
                if *refreshed {
                    return Err(SdkError::AccessTokenExpired.into());
                }
                *refreshed = true;
                wait_for(self.refusal_flight(waiting_since), caller).await?;
                continue;
            }
            self.join_flight(caller).await?;
        }
    }

    /// The deadline timer fired: aborts every attempt now due, and sets the timer for
    /// the next deadline, if any attempt is left.
    #[cfg(any(feature = "checkout", feature = "gatekeeper"))]
    fn sweep(&self) {
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

    /// Rule 2 extended: a 401 refused the token of `generation` and a refresh will run,
    /// so no attempt goes out with that token any more, and every idempotent attempt
    /// sent with it and not yet answered is aborted (it then waits for the refresh and
    /// goes out once with the new token).
    pub fn refused(&self, generation: u32) {
        let doomed: Vec<AbortController> = {
            let mut st = self.0.state.borrow_mut();
            st.refused = Some(generation);
            let (doomed, kept) = std::mem::take(&mut st.unanswered)
                .into_iter()
                .partition(|a| {
                    storm::abort_on_refusal(a.method, a.generation, generation, false, true)
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
    }

    /// How many refreshes have settled so far: taken before an attempt is sent, it
    /// tells whether a refresh failed while the attempt was out (`refresh_after_401`).
    pub fn settled(&self) -> u32 {
        self.0.state.borrow().settled
    }

    /// The refresh for the refused current token: the one running, a new one, or the
    /// error of one that failed after `since` (a `settled` count), which every call
    /// that was waiting or out meanwhile shares (rule 2: one callback for them all).
    fn refusal_flight(&self, since: u32) -> Rc<Flight> {
        let failed = {
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
        };
        failed.unwrap_or_else(|| self.flight_or_start(Reason::Unauthorized))
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
        wait_for(self.refusal_flight(since), caller).await
    }
}

#[cfg(feature = "enrollment")]
impl Session {
    /// The token the card form's frame should hold, as a string for the channel.
    ///
    /// Refreshes first (single flight, rule 2) when there is no token yet (the launch),
    /// when the frame's token was `refused` (rule 1), or when the current one is due
    /// (rules 6 and 8, at most once per token).
    ///
    /// # Errors
    /// The refresh's error (`TokenRefreshError`, `TokenRefreshTimeoutError`, a token
    /// error), or `ClientDestroyedError` once closed.
    pub async fn token_for_frame(&self, refused: bool) -> Result<String, Error> {
        self.alive()?;
        let has_token = self.0.state.borrow().current.is_some();
        if refused || !has_token {
            let reason = if refused {
                Reason::Unauthorized
            } else {
                Reason::Expiring
            };
            self.refresh(reason, None).await?;
        } else {
            self.ready_to_send(None).await?;
        }
        self.alive()?;
        let st = self.0.state.borrow();
        st.current
            .as_ref()
            .map(|c| c.token.secret().to_owned())
            .ok_or_else(|| SdkError::AccessTokenExpired.into())
    }

    /// Milliseconds until the current token is due for its proactive refresh by the
    /// server's clock (rule 8), or `None` when no refresh is ahead (see
    /// [`TokenState::due_in`]).
    pub fn due_in_ms(&self) -> Option<f64> {
        let page_now = now_seconds();
        let st = self.0.state.borrow();
        let exp = st.current.as_ref()?.exp;
        let now = st.clock.server_now(page_now);
        st.proactive
            .due_in(exp, now, self.0.config.leeway_s)
            .map(|s| (s * 1000.0).min(2_147_483_647.0))
    }
}

/// An attempt in progress. [`Unanswered::answer`] (or dropping it unanswered) forgets it
/// as unanswered and gives the next waiting call its turn; dropping it ends the attempt.
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
        self.session.wake_next();
        superseded
    }
}

impl Drop for Unanswered {
    fn drop(&mut self) {
        self.answer();
        #[cfg(any(feature = "checkout", feature = "gatekeeper"))]
        if let Ok(mut st) = self.session.0.state.try_borrow_mut() {
            forget(&mut st.attempts, self.id);
        }
    }
}

/// Waits for `flight`; with the caller's `signal`, only until it aborts (the refresh
/// goes on for everyone else).
#[cfg(any(feature = "checkout", feature = "gatekeeper"))]
fn wait_for(flight: Rc<Flight>, caller: Option<&AbortSignal>) -> WaitFor {
    WaitFor {
        flight: flight.wait(),
        abort: caller.map(|signal| (aborted(signal.clone()), signal.clone())),
    }
}

/// The card form's build: its frame sends the requests, so no call has a signal.
#[cfg(not(any(feature = "checkout", feature = "gatekeeper")))]
fn wait_for(flight: Rc<Flight>, _: Option<&AbortSignal>) -> Wait {
    flight.wait()
}

/// [`wait_for`]'s future: one type and one `poll` for every wait on a refresh.
#[cfg(any(feature = "checkout", feature = "gatekeeper"))]
struct WaitFor {
    flight: Wait,
    abort: Option<(crate::web::timer::AbortWait, AbortSignal)>,
}

#[cfg(any(feature = "checkout", feature = "gatekeeper"))]
impl Future for WaitFor {
    type Output = Result<(), Error>;

    #[inline(never)]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Poll::Ready(result) = Pin::new(&mut self.flight).poll(cx) {
            return Poll::Ready(result);
        }
        if let Some((abort, signal)) = &mut self.abort {
            if Pin::new(abort).poll(cx).is_ready() {
                return Poll::Ready(Err(Error::Aborted(signal.reason())));
            }
        }
        Poll::Pending
    }
}

/// An attempt on the session's lists (`unanswered`, `attempts`).
#[derive(Clone)]
struct Attempt {
    id: u32,
    /// The generation of the token it was sent with.
    generation: u32,
    method: &'static str,
    /// When `requestTimeoutMs` runs out for it (`performance.now()` ms).
    due: f64,
    /// Its one abort.
    controller: AbortController,
}

/// Removes attempt `id` from `list`, if it is there.
fn forget(list: &mut Vec<Attempt>, id: u32) {
    list.retain(|a| a.id != id);
}

/// Ready once fewer than `MAX_UNANSWERED` attempts are unanswered.
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
        if st.unanswered.len() < MAX_UNANSWERED {
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
