//! The one request future: every method of every class sends through [`Call::send`],
//! which follows [`after_response`] (rules 1, 4, 5 and 7) and the session's rules 2,
//! 3 and 6.

use crate::core::error::{code, SdkError};
use crate::core::refresh::{after_response, Failure, Next};
use crate::core::retry::{self, Outcome, Step};
use crate::web::error::Error;
use crate::web::js;
use crate::web::json::parse_body;
use crate::web::session::{Resends, Session, Unanswered};
use crate::web::timer::deadline;
use js_sys::{Array, JsString};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Headers, Response};

/// A request, ready to go out (the token is added per attempt).
pub struct Call {
    /// The HTTP method, upper-case.
    pub method: &'static str,
    /// The full URL, already pinned to the API's origin.
    pub url: String,
    /// Caller headers, normalised by `Headers`; each attempt sets its `Authorization`
    /// on it before `fetch` copies it.
    pub headers: Headers,
    /// The JSON body text, left in JS.
    pub body: Option<JsValue>,
    /// The caller's abort signal (the SDK's own copy of it).
    pub signal: Option<AbortSignal>,
    /// Rule 9 may resend it: an idempotent method, or a call with an idempotency key.
    pub may_retry: bool,
}

/// The call's URL and method as JS strings, made once for all its attempts.
struct Wire {
    url: JsValue,
    method: JsValue,
}

/// A response with its body read.
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The body text, left in JS: a large body is never copied into wasm memory.
    pub text: JsString,
    /// Its headers, read only when needed (an error, a retry).
    headers: Headers,
    /// How many times the call was sent (rule 9), for an `ApiError` made from it later.
    pub attempts: u32,
    /// The attempt's `Bearer <token>`: an error made from this reply never repeats it.
    bearer: JsValue,
    /// The request's method and URL, which an `ApiError` made from this reply names.
    method: &'static str,
    url: JsValue,
}

impl Reply {
    /// A response header, when the API exposes it.
    #[inline(never)]
    fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).ok().flatten()
    }

    /// `x-request-id` when the API exposes it, else `null`.
    pub fn request_id(&self) -> JsValue {
        self.header("x-request-id")
            .map_or(JsValue::NULL, |id| self.redacted(&JsValue::from(id)))
    }

    /// `text` without the token this reply was sent with: an API or proxy that echoes
    /// the request's headers must not put the token on an error.
    fn redacted(&self, text: &JsValue) -> JsValue {
        js::redact(text, &self.bearer)
    }

    /// Whether `text` (a value read from this reply) holds the token it was sent with,
    /// or one of its segments: such a value is never stored or put in a URL.
    #[cfg(feature = "gatekeeper")]
    pub fn repeats_token(&self, text: &str) -> bool {
        self.redacted(&JsValue::from_str(text))
            .as_string()
            .as_deref()
            != Some(text)
    }

    /// The body as JSON (`null` when empty).
    ///
    /// # Errors
    /// `ApiError` when a 2xx body is not JSON.
    pub fn json(&self) -> Result<JsValue, Error> {
        parse_body(&self.text).map_err(|()| self.error(Some(code::NOT_JSON_MESSAGE)))
    }

    /// A 2xx reply as it is, any other as `ApiError`.
    fn done(self) -> Result<Reply, Error> {
        if (200..300).contains(&self.status) {
            Ok(self)
        } else {
            Err(self.error(None))
        }
    }

    /// This reply as an `ApiError`: its body parsed (else its text) and its request id,
    /// both without the token; `detail` replaces "the API answered with status N".
    pub fn error(&self, detail: Option<&'static str>) -> Error {
        let text = self.redacted(&self.text).unchecked_into();
        Error::Api {
            status: self.status,
            request_id: self.request_id(),
            body: parse_body(&text).unwrap_or_else(|()| text.into()),
            detail,
            attempts: self.attempts,
            method: self.method,
            // A page may put a token in a path (a token-lookup endpoint): the message that
            // names the path must not repeat the one this reply was sent with.
            url: self.redacted(&self.url),
        }
    }
}

/// Whether a 3xx answer names where to go, as a redirect does (Node shows one as it
/// is; a browser gives it as status 0).
fn has_location(response: &Response) -> bool {
    response.headers().has("location").unwrap_or(false)
}

impl Call {
    fn caller_aborted(&self) -> Option<JsValue> {
        let signal = self.signal.as_ref().filter(|s| s.aborted())?;
        Some(signal.reason())
    }

    fn check_signal(&self) -> Result<(), Error> {
        self.caller_aborted()
            .map_or(Ok(()), |reason| Err(Error::Aborted(reason)))
    }

    /// Why a fetch or body read failed: the caller's abort, `destroy()`, a refusal of
    /// its token (rule 2 extended: `superseded`), our timeout (the attempt's `signal`
    /// aborted otherwise), or the network.
    fn classify(&self, session: &Session, signal: &AbortSignal, superseded: bool) -> Error {
        if let Some(reason) = self.caller_aborted() {
            Error::Aborted(reason)
        } else if session.is_destroyed() {
            SdkError::ClientDestroyed.into()
        } else if superseded {
            Error::Superseded
        } else if signal.aborted() {
            SdkError::RequestTimeout.into()
        } else {
            SdkError::Network.into()
        }
    }

    /// `fetch` of one attempt: its token, its signal, the response.
    async fn fetch(
        &self,
        wire: &Wire,
        bearer: &JsValue,
        signal: &AbortSignal,
    ) -> Result<Response, JsValue> {
        let none = JsValue::UNDEFINED;
        let body = self.body.as_ref().unwrap_or(&none);
        let sent = js::fetch_attempt(&wire.url, &wire.method, &self.headers, bearer, body, signal)?;
        Ok(JsFuture::from(sent).await?.unchecked_into())
    }

    async fn attempt(
        &self,
        session: &Session,
        wire: &Wire,
        generation: u32,
        bearer: &JsValue,
        mut unanswered: Unanswered,
        refresh_to_come: bool,
    ) -> Result<Reply, Error> {
        // One controller per attempt: its deadline (the session's deadline timer),
        // `destroy()`, and a 401 refusing this token while the attempt has no answer
        // yet all abort it.
        let own = unanswered.controller.signal();
        let signal = match &self.signal {
            Some(caller) => {
                js::abort_signal_any(&Array::of2(caller, &own)).unwrap_or_else(|_| own.clone())
            }
            None => own.clone(),
        };
        let response = self.fetch(wire, bearer, &signal).await;
        let superseded = unanswered.answer();
        let failed = |_| self.classify(session, &own, superseded);
        let response = response.map_err(failed)?;
        // Rule 2 extended, as early as the status is known: a 401 for the current token
        // with a callback aborts the other requests still waiting on that token, and
        // holds back the next ones until its refresh (`refresh_to_come`: this call has
        // not had its refresh, rule 4; else the refusal is final).
        let status = response.status();
        // `redirect: 'manual'`: a browser gives an opaque redirect (status 0), Node the
        // 3xx itself. Either is refused, never followed and never retried.
        if status == 0 || (300..400).contains(&status) && has_location(&response) {
            return Err(SdkError::Redirect.into());
        }
        let refusal = status == 401 && session.generation() == generation && session.has_callback();
        if refusal {
            session.refused(generation, refresh_to_come);
        }
        let reading = response.text().map_err(failed)?;
        let text = JsFuture::from(reading).await.map_err(|e| {
            if refusal {
                // A 401 cut mid-body is a network failure, not a refusal (rule 7).
                session.refusal_cut(generation);
            }
            failed(e)
        })?;
        Ok(Reply {
            status,
            text: text.unchecked_into(),
            headers: response.headers(),
            attempts: 0,
            bearer: bearer.clone(),
            method: self.method,
            url: wire.url.clone(),
        })
    }

    /// Waits `ms` before a retry; the caller's signal and `destroy()` cut it short.
    async fn pause(&self, session: &Session, ms: u32) -> Result<(), Error> {
        let lifetime = session.lifetime_signal();
        let signals = Array::of1(&lifetime);
        if let Some(s) = &self.signal {
            signals.push(s);
        }
        let stop = js::abort_signal_any(&signals).unwrap_or(lifetime);
        if !deadline(ms, stop).await {
            self.check_signal()?;
            session.alive()?;
        }
        Ok(())
    }

    /// Sends under the refresh rules (at most one refresh and one resend for a 401)
    /// and rule 9's retries; `ApiError` and `NetworkError` carry `attempts`.
    ///
    /// # Errors
    /// Every error of the contract's table, or the caller's abort reason.
    pub async fn send(&self, session: &Session) -> Result<Reply, Error> {
        let mut sent = Vec::new();
        match self.send_counting(session, &mut sent).await {
            Ok(reply) => Ok(Reply {
                attempts: sent.len() as u32,
                ..reply
            }),
            Err(e) => Err(e.with_attempts(sent.len() as u32, self.method, || {
                self.named_url(session, &sent)
            })),
        }
    }

    /// The URL for an error's message, without any token the call was sent with or the
    /// session holds now (a page may put one in a path; js/errors.js also hides anything
    /// shaped like a JWT).
    fn named_url(&self, session: &Session, sent: &[JsValue]) -> JsValue {
        let current = session.bearer().ok().map(|(_, bearer)| bearer);
        sent.iter()
            .chain(current.as_ref())
            .fold(JsValue::from_str(&self.url), |url, bearer| {
                js::redact(&url, bearer)
            })
    }

    /// [`Call::send`]'s loop; `sent` gets the `Bearer` value of each attempt that went out.
    async fn send_counting(
        &self,
        session: &Session,
        sent: &mut Vec<JsValue>,
    ) -> Result<Reply, Error> {
        self.check_signal()?;
        let began = session.settled();
        let refusals = session.refusals();
        session.ready_to_send(self.signal.as_ref()).await?;
        let wire = Wire {
            url: JsValue::from_str(&self.url),
            method: JsValue::from_str(self.method),
        };
        let mut resends = Resends {
            began,
            ..Resends::default()
        };
        // Started while a refresh for a refused token ran: it waited for it (rule 2).
        resends.note_refusal(session, refusals);
        let mut retries = 0;
        // Rule 2: a refresh for a refused token that fails from now on is this call's
        // error too, also while it waits out a retry's delay (rule 9).
        let started = session.settled();
        loop {
            self.check_signal()?;
            // Rule 4: a call that waited for the refresh of a refused token is sent once
            // with the new one; refused again, it does not start another refresh.
            let (generation, bearer, unanswered) = session
                .turn(self.method, self.signal.as_ref(), started, &mut resends)
                .await?;
            // Read as the attempt goes out (no await since its turn was granted).
            let since = session.settled();
            sent.push(bearer.clone());
            let refresh_to_come = !resends.after_401;
            let attempt = self.attempt(
                session,
                &wire,
                generation,
                &bearer,
                unanswered,
                refresh_to_come,
            );
            let (status, reply) = match attempt.await {
                Ok(reply) => (reply.status, Ok(reply)),
                // Rule 2 extended: a 401 refused this token before we had an answer;
                // it counts as that 401.
                Err(Error::Superseded) => (401, Err(Error::Superseded)),
                Err(e) => (0, Err(e)),
            };
            let (outcome, retry_after, failure) = match reply {
                Ok(reply) if retry::retryable(Outcome::Status(status)) => {
                    let retry_after = reply.header("retry-after");
                    (Outcome::Status(status), retry_after, reply.error(None))
                }
                // Rule 2 extended: another call's 401 refused this attempt's token
                // while it was out, after this call's own resend (a retry of it, rule
                // 9). Not refused itself, it waits once for that call's refresh and
                // goes out again.
                Err(Error::Superseded) if resends.after_401 && !resends.rescued => {
                    resends.rescued = true;
                    session.rescue(started, self.signal.as_ref()).await?;
                    continue;
                }
                Ok(_) | Err(Error::Superseded) => {
                    let current = session.generation() == generation;
                    let has_callback = session.has_callback();
                    match after_response(status, current, resends.after_401, has_callback) {
                        Next::Done | Next::Fail(Failure::Api) => {
                            return reply.and_then(Reply::done)
                        }
                        Next::Fail(Failure::Expired) if !has_callback => {
                            return Err(SdkError::NoTokenCallback.into())
                        }
                        Next::Fail(Failure::Expired) => {
                            return Err(SdkError::AccessTokenExpired.into())
                        }
                        // A newer token is there (rule 1), or is on its way. A refresh
                        // that delivered it since this attempt went out, or one it now
                        // waits for, is its one refresh (rule 4); a token the page set,
                        // or a refresh that failed, is not.
                        Next::RetryWithCurrent => {
                            resends.refreshed |= session.renewed_since(since);
                            session.join_flight(self.signal.as_ref()).await?
                        }
                        Next::Refresh => {
                            resends.refreshed = true;
                            session
                                .refresh_after_401(self.signal.as_ref(), since)
                                .await?
                        }
                    }
                    resends.after_401 = true;
                    continue;
                }
                Err(Error::Sdk(SdkError::Network)) => {
                    (Outcome::NetworkError, None, SdkError::Network.into())
                }
                Err(Error::Sdk(SdkError::RequestTimeout)) => {
                    (Outcome::Timeout, None, SdkError::RequestTimeout.into())
                }
                Err(e) => return Err(e),
            };
            let wait_s =
                retry_after.and_then(|v| retry::parse_retry_after(&v, session.server_now()));
            let random = js::random();
            match retry::next_step(
                session.retry(),
                retries,
                outcome,
                wait_s,
                self.may_retry,
                random,
            ) {
                Step::GiveUp => return Err(failure),
                Step::WaitMs(ms) => {
                    self.pause(session, ms).await?;
                    // The token may have come due meanwhile (rules 6 and 8).
                    resends.recheck = true;
                }
            }
            retries += 1;
        }
    }
}
