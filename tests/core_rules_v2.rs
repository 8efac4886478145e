#![cfg(not(target_arch = "wasm32"))]
//! Properties of the version 2 rules (API.md rules 8, 9 and 2 extended), on the pure
//! core: a simulated shopper with a wrong clock, a backend that mints tokens, and the
//! decisions the async driver follows.

use partner_sdk::core::clock::Clock;
use partner_sdk::core::expiry;
use partner_sdk::core::proactive::TokenState;
use partner_sdk::core::refresh::{after_response, Failure, Next};
use partner_sdk::core::retry::{
    backoff_ms, next_step, parse_retry_after, Outcome, RetryPolicy, Step,
};
use partner_sdk::core::storm::abort_on_refusal;
use proptest::prelude::*;

const LEEWAY: f64 = 30.0;
const START: f64 = 1_700_000_000.0;

#[derive(Clone, Copy)]
struct Token {
    id: usize,
    iat: Option<f64>,
    exp: f64,
}

/// One client against a backend that mints `iat = now`, `exp = now + lifetime`.
struct Sim {
    /// The server's real time.
    t: f64,
    skew: f64,
    lifetime: f64,
    latency: f64,
    with_iat: bool,
    /// Ignore rule 8 (for the control test): the page's clock is taken as the server's.
    trust_page: bool,
    clock: Clock,
    state: TokenState,
    token: Token,
    callbacks: Vec<u32>,
    refusals: u32,
    /// The last proactive refresh delivered a token already due: rule 8 sends it as it
    /// is on the next request.
    delivered_due: bool,
    /// Requests that refreshed proactively right after such a token (a loop).
    looped: u32,
    /// Proactive refreshes.
    proactive: u32,
}

impl Sim {
    fn new(skew: f64, lifetime: f64, latency: f64, with_iat: bool) -> Self {
        let mut sim = Sim {
            t: START,
            skew,
            lifetime,
            latency,
            with_iat,
            trust_page: false,
            clock: Clock::new(),
            state: TokenState::default(),
            token: Token {
                id: 0,
                iat: None,
                exp: 0.0,
            },
            callbacks: Vec::new(),
            refusals: 0,
            delivered_due: false,
            looped: 0,
            proactive: 0,
        };
        sim.mint_and_accept(false);
        sim
    }

    fn page_now(&self) -> f64 {
        self.t + self.skew
    }

    /// The backend mints a token; it reaches the page `latency` seconds later.
    fn mint_and_accept(&mut self, by_proactive_refresh: bool) {
        let minted = self.t;
        self.t += self.latency;
        self.token = Token {
            id: self.callbacks.len(),
            iat: self.with_iat.then_some(minted),
            exp: minted + self.lifetime,
        };
        self.callbacks.push(0);
        let exp = Some(self.token.exp);
        if !self.trust_page {
            self.clock
                .observe_token(self.token.iat, exp, LEEWAY, self.page_now());
        }
        let due = expiry::is_due(exp, self.clock.server_now(self.page_now()), LEEWAY);
        self.state.accepted(false, by_proactive_refresh, due);
        self.delivered_due = by_proactive_refresh && due;
    }

    fn callback(&mut self, by_proactive_refresh: bool) {
        if let Some(n) = self.callbacks.get_mut(self.token.id) {
            *n += 1;
        }
        self.mint_and_accept(by_proactive_refresh);
    }

    /// One request: the proactive check, the send, a 401 and its one resend.
    fn request(&mut self) {
        let now = self.clock.server_now(self.page_now());
        let use_as_is = std::mem::take(&mut self.delivered_due);
        if self
            .state
            .refresh_before_send(Some(self.token.exp), now, LEEWAY, true)
        {
            self.looped += u32::from(use_as_is);
            self.proactive += 1;
            self.callback(true);
        }
        if self.token.exp <= self.t {
            self.refusals += 1;
            self.callback(false);
        }
    }
}

fn run(skew: f64, lifetime: f64, latency: f64, with_iat: bool, gaps: &[f64]) -> Sim {
    let mut sim = Sim::new(skew, lifetime, latency, with_iat);
    for gap in gaps {
        sim.t += gap;
        sim.request();
    }
    sim
}

/// Proactive refreshes made by a second request at the very instant of each request:
/// a client that refreshes per request (v1 with a wrong clock) makes one almost every
/// time; a correct one never does, once the first has refreshed what was due.
fn refreshes_by_a_second_request(sim: &mut Sim, gaps: &[f64]) -> u32 {
    let mut repeated = 0;
    for gap in gaps {
        sim.t += gap;
        sim.request();
        let before = sim.proactive;
        sim.request();
        repeated += sim.proactive - before;
    }
    repeated
}

proptest! {
    /// Rule 8's outcome: with the page's clock off by up to ±24 h, no request calls back
    /// for a token another request has just refreshed, and none reaches the API with an
    /// expired token.
    #[test]
    fn any_skew_one_callback_per_token_and_no_refusal(
        skew in -86_400.0f64..86_400.0,
        lifetime in 61.0f64..7200.0,
        latency in 0.0f64..10.0,
        gaps in prop::collection::vec(0.0f64..3000.0, 1..80),
    ) {
        let sim = run(skew, lifetime, latency, true, &gaps);
        prop_assert_eq!(sim.refusals, 0);
        // Not one callback per request: a second request at the same instant never
        // refreshes, whatever the page's clock says.
        let mut twice = Sim::new(skew, lifetime, latency, true);
        prop_assert_eq!(refreshes_by_a_second_request(&mut twice, &gaps), 0);
        prop_assert_eq!(twice.refusals, 0);
        if gaps.iter().sum::<f64>() > lifetime {
            prop_assert!(sim.callbacks.len() > 1, "the token outlived its exp");
        }
    }

    /// Even a backend whose tokens are born due (lifetime under the leeway) never makes
    /// a loop: a token a proactive refresh delivered due goes out as it is, and a
    /// request costs at most two callbacks (the proactive one, then the 401 for the
    /// token it delivered, already expired).
    #[test]
    fn short_lived_tokens_cost_at_most_one_callback_each(
        skew in -86_400.0f64..86_400.0,
        lifetime in 0.0f64..61.0,
        latency in 0.0f64..10.0,
        with_iat: bool,
        gaps in prop::collection::vec(0.0f64..100.0, 1..80),
    ) {
        let sim = run(skew, lifetime, latency, with_iat, &gaps);
        // A token a proactive refresh delivered already due goes out as it is.
        prop_assert_eq!(sim.looped, 0, "refreshed again at once: {:?}", sim.callbacks);
        let total: u32 = sim.callbacks.iter().sum();
        prop_assert!(total as usize <= 2 * gaps.len());
    }

    /// The clock is total: no input makes the offset non-finite.
    #[test]
    fn clock_offset_stays_finite(
        iat in prop::option::of(any::<f64>()),
        exp in prop::option::of(any::<f64>()),
        leeway in any::<f64>(),
        page in any::<f64>(),
    ) {
        let mut clock = Clock::new();
        clock.observe_token(iat, exp, leeway, page);
        prop_assert!(clock.offset_s.is_finite());
    }

    /// Backoff stays within `[0, min(maxDelayMs, 250 × 2^i)]` for every input.
    #[test]
    fn backoff_bounded(i in any::<u32>(), r in any::<f64>(), max in any::<u32>()) {
        let ms = backoff_ms(i, r, max);
        let ceiling = if i < 32 { (250u64 << i).min(u64::from(max)) } else { u64::from(max) };
        prop_assert!(u64::from(ms) <= ceiling);
    }

    /// A call is sent at most `1 + limit` times for transient failures, and every wait
    /// is within `maxDelayMs`.
    #[test]
    fn retries_are_bounded(
        limit in 0u32..=10,
        max_delay_ms in any::<u32>(),
        retry_after in prop::option::of(any::<f64>()),
        r in 0.0f64..1.0,
    ) {
        let policy = Some(RetryPolicy { limit, max_delay_ms });
        let mut used = 0;
        while let Step::WaitMs(ms) =
            next_step(policy, used, Outcome::Status(503), retry_after, true, r)
        {
            prop_assert!(ms <= max_delay_ms);
            used += 1;
            prop_assert!(used <= limit);
        }
    }

    /// `Retry-After` never panics and never gives a negative or NaN wait: for any text,
    /// for delta-seconds of any length and for HTTP dates around `now` (the last two
    /// always parse).
    #[test]
    fn retry_after_total(
        value in prop_oneof![
            ".{0,40}",
            "[0-9]{1,25}",
            (0u32..7, 1u32..29, 0usize..12, 1970u32..2100, 0u32..24, 0u32..60, 0u32..60)
                .prop_map(|(d, day, m, y, h, min, sec)| {
                    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
                    const MONTHS: [&str; 12] =
                        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
                    format!("{}, {day:02} {} {y} {h:02}:{min:02}:{sec:02} GMT", DAYS[d as usize], MONTHS[m])
                }),
        ],
        now in prop_oneof![any::<f64>(), 0.0f64..4_102_444_800.0],
    ) {
        let parsed = parse_retry_after(&value, now);
        let well_formed = value.bytes().all(|b| b.is_ascii_digit()) && !value.is_empty()
            || value.ends_with(" GMT") && now.is_finite();
        if well_formed {
            prop_assert!(parsed.is_some(), "{value:?} at {now}");
        }
        if let Some(s) = parsed {
            prop_assert!(s >= 0.0, "{value:?} at {now}: {s}");
        }
    }

    /// Delta-seconds round-trip.
    #[test]
    fn retry_after_seconds(n in any::<u32>(), now in any::<f64>()) {
        prop_assert_eq!(parse_retry_after(&n.to_string(), now), Some(f64::from(n)));
    }
}

/// The control: without rule 8, a page 20 min behind sends expired tokens.
#[test]
fn without_the_clock_a_slow_page_is_refused() {
    let mut sim = Sim::new(-1200.0, 900.0, 0.0, true);
    sim.trust_page = true;
    sim.clock = Clock::new();
    for _ in 0..10 {
        sim.t += 300.0;
        sim.request();
    }
    assert!(sim.refusals > 0);
    let fixed = run(-1200.0, 900.0, 0.0, true, &[300.0; 10]);
    assert_eq!(fixed.refusals, 0);
}

/// The control for a fast page: a day ahead and without rule 8, every token looks due
/// on arrival, so requests a minute apart call back on every other one (the one after
/// sends the token delivered due as it is); with it, about once per token lifetime.
#[test]
fn without_the_clock_a_fast_page_calls_back_on_every_other_request() {
    let mut sim = Sim::new(86_400.0, 900.0, 0.0, true);
    sim.trust_page = true;
    sim.clock = Clock::new();
    sim.state = TokenState::default();
    for _ in 0..40 {
        sim.t += 60.0;
        sim.request();
    }
    assert!(sim.proactive >= 15, "{}", sim.proactive);
    let fixed = run(86_400.0, 900.0, 0.0, true, &[60.0; 40]);
    assert!(fixed.proactive <= 3, "{}", fixed.proactive);
    assert_eq!(fixed.refusals, 0);
}

/// The backend hands the same short-lived token back: one more callback, then it is
/// sent as it is until a 401 (with or without `iat`).
#[test]
fn same_short_lived_token_costs_one_more_callback() {
    for iat in [Some(START - 880.0), None] {
        let mut clock = Clock::new();
        let mut state = TokenState::default();
        let exp = Some(START + 20.0);
        // The token arrives fresh, 15 min before its exp.
        clock.observe_token(iat, exp, LEEWAY, START - 880.0);
        state.accepted(false, false, false);
        let mut callbacks = 0;
        for step in 0..100 {
            let page = START + f64::from(step);
            if state.refresh_before_send(exp, clock.server_now(page), LEEWAY, true) {
                callbacks += 1;
                // The backend's cache returns the same token again.
                clock.observe_token(iat, exp, LEEWAY, page);
                let due = expiry::is_due(exp, clock.server_now(page), LEEWAY);
                state.accepted(true, true, due);
            }
        }
        assert_eq!(callbacks, 1, "{iat:?}");
    }
}

/// Rule 2 extended: N concurrent GETs on a refused token are aborted (not answered
/// yet) and each is sent once more; a POST in flight is left alone.
#[test]
fn storm_resends_each_request_once() {
    let methods = ["GET", "GET", "PUT", "POST", "DELETE", "PATCH", "HEAD"];
    let mut sends: Vec<u32> = vec![1; methods.len()];
    for (method, sent) in methods.iter().zip(sends.iter_mut()) {
        // An aborted attempt counts as that 401 (the request loop in web/send.rs).
        if abort_on_refusal(method, 7, 7, false, true)
            && after_response(401, true, false, true) == Next::Refresh
        {
            *sent += 1;
            // The resend with the new token is refused again: no third send.
            assert_eq!(
                after_response(401, true, true, true),
                Next::Fail(Failure::Expired)
            );
        }
    }
    assert_eq!(sends, [2, 2, 2, 1, 2, 1, 2]);
}
