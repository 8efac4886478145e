//! Rule 2, extended: a 401 storm costs one refusal per connection, not one per request.
//!
//! The driver numbers tokens: a *generation* that goes up by one each time the client's
//! token changes (`setAccessToken`, `initialize`, a refresh). Each in-flight request
//! remembers the generation it was sent with. When a 401 arrives for generation `g`
//! and a refresh will run, the driver asks [`abort_on_refusal`] for every other
//! in-flight request; those it aborts wait for the refresh like new requests (rule 2)
//! and are then sent once with the new token.

use crate::core::retry::is_idempotent;

/// Whether an in-flight request is aborted and re-queued behind the refresh because a
/// 401 refused the token it was sent with.
///
/// True exactly when all hold:
/// - `refresh_will_run`: a token callback exists and a refresh will run for this
///   refusal (with no callback every refused request rejects on its own, rule 5);
/// - `sent_with_generation == refused_generation`: it went out with the refused token;
/// - `!answered`: its response headers have not arrived yet;
/// - `method` is idempotent (`GET`, `HEAD`, `OPTIONS`, `PUT`, `DELETE`, any letter
///   case). A `POST` or `PATCH` is never aborted: its own answer decides.
pub fn abort_on_refusal(
    method: &str,
    sent_with_generation: u32,
    refused_generation: u32,
    answered: bool,
    refresh_will_run: bool,
) -> bool {
    refresh_will_run
        && !answered
        && sent_with_generation == refused_generation
        && is_idempotent(method)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abort_table() {
        // (method, sent_with, refused, answered, refresh_will_run) -> abort?
        let table = [
            ("GET", 3, 3, false, true, true),
            ("get", 3, 3, false, true, true),
            ("HEAD", 3, 3, false, true, true),
            ("OPTIONS", 3, 3, false, true, true),
            ("PUT", 3, 3, false, true, true),
            ("DELETE", 3, 3, false, true, true),
            ("POST", 3, 3, false, true, false),
            ("PATCH", 3, 3, false, true, false),
            ("post", 3, 3, false, true, false),
            ("GET", 3, 3, true, true, false),
            ("GET", 3, 3, false, false, false),
            ("GET", 2, 3, false, true, false),
            ("GET", 4, 3, false, true, false),
            ("GET", 0, u32::MAX, false, true, false),
            ("", 3, 3, false, true, false),
        ];
        for (method, sent, refused, answered, will_run, want) in table {
            assert_eq!(
                abort_on_refusal(method, sent, refused, answered, will_run),
                want,
                "{method} {sent} {refused} {answered} {will_run}"
            );
        }
    }
}
