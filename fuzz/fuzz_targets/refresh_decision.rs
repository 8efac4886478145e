//! The 401 decision driven by random statuses and token changes, the way the async
//! driver follows it: every request ends, after at most two attempts and at most one
//! refresh, whatever the server and the page do.
#![no_main]

use libfuzzer_sys::fuzz_target;
use partner_sdk::core::refresh::{after_response, Failure, Next};

fuzz_target!(|events: Vec<(u16, bool, bool)>| {
    // Each event: (status of this attempt, token changed while in flight, has callback).
    let mut attempts = 0u32;
    let mut refreshes = 0u32;
    let mut retried = false;
    let mut generation = 0u32;
    for &(status, changed, has_callback) in &events {
        let sent_with = generation;
        attempts += 1;
        if changed {
            generation += 1;
        }
        match after_response(status, sent_with == generation, retried, has_callback) {
            Next::Done => {
                assert!((200..300).contains(&status));
                break;
            }
            Next::Fail(Failure::Api) => {
                assert!(status != 401 && !(200..300).contains(&status));
                break;
            }
            Next::Fail(Failure::Expired) => {
                assert_eq!(status, 401);
                assert!(retried || (!has_callback && sent_with == generation));
                break;
            }
            Next::RetryWithCurrent => assert!(!retried && sent_with != generation),
            Next::Refresh => {
                assert!(has_callback && !retried);
                refreshes += 1;
                generation += 1;
            }
        }
        retried = true;
    }
    assert!(attempts <= 2, "more than one retry");
    assert!(refreshes <= 1, "more than one refresh");
});
