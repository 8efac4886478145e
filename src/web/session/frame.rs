//! The card form's side of the session: its frame sends the requests, so the session
//! only hands it a token, refreshed first when needed.

use super::Session;
use crate::core::error::SdkError;
use crate::core::refresh::Reason;
use crate::web::error::Error;
use crate::web::now_seconds;
use wasm_bindgen::JsValue;

impl Session {
    /// The token the card form's frame should hold, as a JS string for the channel (made
    /// straight from the session's copy: no other one in the wasm's memory).
    ///
    /// Refreshes first (single flight, rule 2) when there is no token yet (the launch),
    /// when the frame's token was `refused` (rule 1), or when the current one is due
    /// (rules 6 and 8, at most once per token).
    ///
    /// # Errors
    /// The refresh's error (`TokenRefreshError`, `TokenRefreshTimeoutError`, a token
    /// error), or `ClientDestroyedError` once closed.
    pub async fn token_for_frame(&self, refused: bool) -> Result<JsValue, Error> {
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
            .map(|c| JsValue::from_str(c.token.secret()))
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
