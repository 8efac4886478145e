//! The JWT shape rules on arbitrary input: never a panic, never a leak.
#![no_main]

use libfuzzer_sys::fuzz_target;
use partner_sdk::core::error::SdkError;
use partner_sdk::core::json::SerdeJson;
use partner_sdk::core::jwt;

fuzz_target!(|data: &str| {
    let trimmed = data.trim_matches(|c: char| c.is_ascii_whitespace() || c == '\u{0B}');
    match jwt::parse(data, &SerdeJson) {
        Ok(token) => {
            assert_eq!(token.token.secret(), trimmed);
            assert_eq!(trimmed.split('.').count(), 3);
            assert!(!format!("{token:?}").contains(trimmed));
        }
        Err(rule) => {
            // The message is the rule's fixed sentence, whatever the input: it cannot
            // hold the token or any piece of it.
            let error = SdkError::from(rule);
            assert_eq!(error.to_string(), rule.message());
            assert_eq!(error.message(), rule.message());
        }
    }
});
