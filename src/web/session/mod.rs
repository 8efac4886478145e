//! The token and its refresh machinery, shared by every class.
//!
//! State lives in one `RefCell` that is never borrowed across an `.await` or a call
//! into page code, so a callback may call any public method (re-entrancy is safe).
//!
//! - this file: the token, its validation and the session's lifetime;
//! - `refresh.rs`: the one refresh at a time and who waits for it (rules 1–4, 6);
//! - `turn.rs`: each call's turn to send, its attempts and their deadlines (rule 2
//!   extended);
//! - `frame.rs`: the token the card form's frame holds.

#[cfg(feature = "enrollment")]
mod frame;
mod refresh;
mod turn;

pub use turn::{Resends, Unanswered};

use crate::core::clock::Clock;
use crate::core::error::SdkError;
use crate::core::expiry;
use crate::core::jwt::{self, TokenRule};
use crate::core::options::Common;
use crate::core::proactive::TokenState;
use crate::core::refresh::Reason;
use crate::core::retry::RetryPolicy;
use crate::core::secret::{AccessToken, Wiped};
#[cfg(any(feature = "checkout", feature = "gatekeeper"))]
use crate::web::deadline::DeadlineTimer;
use crate::web::error::Error;
use crate::web::flight::Flight;
#[cfg(feature = "checkout")]
use crate::web::js;
use crate::web::json::JsJson;
use crate::web::now_seconds;
use js_sys::Function;
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::task::Waker;
use turn::Attempt;
use wasm_bindgen::JsValue;
use web_sys::{AbortController, AbortSignal};

/// The token in use.
struct Current {
    token: AccessToken,
    /// `Bearer <token>` as a JS string, made by the first request with this token
    /// (not by `setAccessToken`, which stays cheap) and reused by the rest.
    bearer: Option<JsValue>,
    exp: Option<f64>,
    #[cfg_attr(not(feature = "checkout"), allow(dead_code))]
    claims_json: String,
    /// Delivered by a refresh (not set by the page).
    #[cfg_attr(
        not(any(feature = "checkout", feature = "gatekeeper")),
        allow(dead_code)
    )]
    by_refresh: bool,
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
    /// Calls waiting for their turn to send (`turn::MAX_AT_ONCE`), first come first.
    queue: Vec<(u32, Waker)>,
    /// The next id for `queue`.
    next_waiter: u32,
    /// The generation a 401 refused (rule 2 extended): no attempt goes out with it any
    /// more.
    refused: Option<u32>,
    /// Whether the call whose 401 set `refused` is to refresh it (it has not had its
    /// refresh yet, rule 4); if not, that refusal is final for the calls that had theirs.
    refusal_coming: bool,
    /// How many refreshes have settled: a call's turn compares it with the count
    /// when it began waiting.
    settled: u32,
    /// How many refreshes of a refused token have delivered a token: a call that
    /// waited meanwhile waited for one (rule 2), so it has had its refresh (rule 4).
    refusals: u32,
    /// The latest of those: the generation it replaced, and the one it delivered.
    refusal_delivered: Option<(u32, u32)>,
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

impl State {
    /// Attempts holding a place among `turn::MAX_AT_ONCE`: sent, and not yet read to the
    /// end (the card form's build sends none; there it counts the unanswered ones).
    fn in_progress(&self) -> usize {
        #[cfg(any(feature = "checkout", feature = "gatekeeper"))]
        return self.attempts.len();
        #[cfg(not(any(feature = "checkout", feature = "gatekeeper")))]
        self.unanswered.len()
    }
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

/// A new `AbortController`: every attempt and the session's lifetime need one.
///
/// # Errors
/// `ConfigurationError` (key `AbortController`) when the runtime has none, or a page
/// replaced it with something that throws: no request can be cut short without it.
#[inline]
pub fn abort_controller() -> Result<AbortController, Error> {
    AbortController::new()
        .map_err(|_| Error::config("AbortController", "is missing from this environment"))
}

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
        let lifetime = abort_controller()?;
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
            refusal_coming: false,
            settled: 0,
            refusals: 0,
            refusal_delivered: None,
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

    /// [`Session::set_token`] for a token the wasm has already read (the `accessToken`
    /// option).
    pub fn set_token_text(&self, raw: Wiped) -> Result<(), Error> {
        self.accept_text(raw, None)
    }

    /// [`Session::set_token`], saying which refresh delivered the token (`None`: the
    /// page). Each accepted token updates the server-clock estimate (rule 8).
    fn accept(&self, value: &JsValue, refresh: Option<Reason>) -> Result<(), Error> {
        // Wiped when dropped, on every path: it is the page's token, or close to one.
        let raw = Wiped::new(value.as_string().ok_or(TokenRule::NotAString)?);
        self.accept_text(raw, refresh)
    }

    fn accept_text(&self, raw: Wiped, refresh: Option<Reason>) -> Result<(), Error> {
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
        // A token already held says nothing new about the server's clock: a refresh
        // that hands it back late would otherwise make it look freshly minted.
        if !same {
            st.clock
                .observe_token(times.iat, times.exp, leeway, page_now);
        }
        let due_now = expiry::is_due(times.exp, st.clock.server_now(page_now), leeway);
        st.proactive
            .accepted(same, refresh == Some(Reason::Expiring), due_now);
        st.current = Some(Current {
            bearer: None,
            token: parsed.token,
            exp: parsed.times.exp,
            claims_json: parsed.claims_json,
            by_refresh: refresh.is_some(),
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

    /// The server's time now, by the estimate of rule 8.
    pub fn server_now(&self) -> f64 {
        let page_now = now_seconds();
        self.0.state.borrow().clock.server_now(page_now)
    }
}
