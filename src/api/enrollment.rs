//! `CardEnrollment`'s Rust half: the token session behind the card form.
//!
//! `js/enrollment.js` draws the dialog and the vendor's frame and carries the
//! `MessageChannel`; this class holds the token and decides every refresh with the
//! same machinery as the other classes (rules 1–8), so the frame only ever gets a
//! token through [`EnrollmentSession::token`].

use crate::core::enrollment;
use crate::core::options::{self, EnrollmentOptions};
use crate::web::error::Error;
use crate::web::options::JsOptions;
use crate::web::session::Session;
use crate::web::{js, promise};
use js_sys::{Object, Promise};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// The most tokens the form remembers as handed to the frame: a card still out may
/// carry one the session has replaced since (a refresh while it was sent).
const HANDED: usize = 8;

/// The token session of one open card form. Internal: pages use `CardEnrollment`.
#[wasm_bindgen]
pub struct EnrollmentSession {
    session: Session,
    options: EnrollmentOptions,
    /// `Bearer <token>` of the latest tokens handed to the frame, oldest first: the
    /// card API's answer is cleaned of each (the frame sends with whichever it holds).
    handed: Rc<RefCell<Vec<JsValue>>>,
}

#[wasm_bindgen]
impl EnrollmentSession {
    /// Validates `openForm`'s options; nothing is shown yet.
    ///
    /// # Errors
    /// `ConfigurationError` naming the key (a `container` that is no object included;
    /// whether it is an `Element` of this page, the JS that draws the form checks).
    pub fn open(options: JsValue) -> Result<EnrollmentSession, JsValue> {
        let mut js = JsOptions::new(options)?;
        let options = options::enrollment(&js.entries()).map_err(Error::from)?;
        let callback = js.function("getAccessToken");
        let session = Session::new(options.common.clone(), callback, None, None)?;
        Ok(EnrollmentSession {
            session,
            options,
            handed: Rc::default(),
        })
    }

    /// The vendor's frame URL for a page at `page_origin` (`location.origin`).
    #[wasm_bindgen(js_name = frameUrl)]
    pub fn frame_url(&self, page_origin: &str) -> String {
        let o = &self.options;
        enrollment::frame_url(
            &o.common.base,
            page_origin,
            &o.company_name,
            &o.subaccount_id,
        )
    }

    /// The only origin the frame's messages may come from.
    #[wasm_bindgen(getter, js_name = vendorOrigin)]
    pub fn vendor_origin(&self) -> String {
        self.options.common.base.origin.clone()
    }

    /// Resolves to the token to send to the frame: refreshed first at launch, when
    /// `refused` (the frame's token got a 401) or when due. Single flight, under
    /// `refreshTimeoutMs`.
    ///
    /// # Errors
    /// `TokenRefreshError`, `TokenRefreshTimeoutError`, `InvalidAccessToken…`, or
    /// `ClientDestroyedError` after `close()`.
    pub fn token(&self, refused: bool) -> Promise {
        let session = self.session.clone();
        let handed = self.handed.clone();
        promise(Box::pin(async move {
            let token = session.token_for_frame(refused).await?;
            // The session's bearer is the token just read (no await since).
            if let Ok((_, bearer)) = session.bearer() {
                let mut handed = handed.borrow_mut();
                if !handed.contains(&bearer) {
                    if handed.len() == HANDED {
                        handed.remove(0);
                    }
                    handed.push(bearer);
                }
            }
            Ok(token)
        }))
    }

    /// `refreshTimeoutMs`, as validated (the default when the page gave none): the page
    /// answers every `need-token` within about twice this, and tells the frame so.
    #[wasm_bindgen(getter, js_name = refreshTimeoutMs)]
    pub fn refresh_timeout_ms(&self) -> u32 {
        self.options.common.refresh_timeout_ms
    }

    /// Milliseconds until the token is due for its proactive refresh, or `null`.
    #[wasm_bindgen(js_name = dueInMs, unchecked_return_type = "number | null")]
    pub fn due_in_ms(&self) -> JsValue {
        self.session
            .due_in_ms()
            .map_or(JsValue::NULL, JsValue::from)
    }

    /// The SDK error for an `{type:'error', code, status?, error?, requestId?}` message
    /// from the frame (any other code is a `NetworkError`). `error` and `requestId` come
    /// from the card API's answer: every token handed to the frame (the card may have
    /// gone out with one a refresh has replaced since), and the session's, is
    /// `[redacted]` in them.
    #[wasm_bindgen(js_name = frameError)]
    pub fn frame_error(&self, message: JsValue) -> JsValue {
        let mut bearers = self.handed.borrow().clone();
        bearers.extend(self.session.bearer().ok().map(|(_, b)| b));
        let clean = |text: JsValue| bearers.iter().fold(text, |t, b| js::redact(&t, b));
        let code = js::get(&message, "code").as_string().unwrap_or_default();
        match enrollment::frame_error(&code) {
            Some(e) => Error::Sdk(e),
            None => {
                let status = js::get(&message, "status").as_f64().unwrap_or(0.0);
                let body = match js::get(&message, "error").as_string() {
                    Some(error) => {
                        let o = Object::new();
                        js::set(&o, "error", &clean(JsValue::from(error)));
                        o.into()
                    }
                    None => JsValue::NULL,
                };
                let request_id = js::get(&message, "requestId");
                Error::Api {
                    status: if (100.0..=599.0).contains(&status) {
                        status as u16
                    } else {
                        0
                    },
                    body,
                    request_id: if request_id.is_string() {
                        clean(request_id)
                    } else {
                        JsValue::NULL
                    },
                    detail: None,
                    attempts: 0,
                    method: "",
                    url: JsValue::UNDEFINED,
                }
            }
        }
        .into()
    }

    /// Forgets the tokens and rejects a pending `token()` with `ClientDestroyedError`.
    pub fn close(&self) {
        self.handed.borrow_mut().clear();
        self.session.destroy();
    }
}
