//! Re-entrancy: page code that calls back into the SDK. Every public method of each
//! class is called from inside every callback the SDK runs (the token callback,
//! `onTokenRefreshed`, the periodic check's callback, a query value's `toString`, a
//! body's `toJSON`) and while requests are in flight. Every call must end in a result
//! or a typed error, never in a borrow error, a trap or an unhandled rejection.
//!
//! One driver, [`drive`], runs the rounds for both classes; what differs between them
//! is the method that pokes every method ([`poke_client`], [`poke_sdk`]) and the
//! set-up of a round ([`client_round`], [`sdk_round`]).
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use js_sys::{Promise, Reflect};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Every outcome of every call made by the re-entrancy tests.
#[derive(Default)]
struct Outcomes {
    launched: Cell<u32>,
    settled: RefCell<Vec<Result<JsValue, JsValue>>>,
    thrown: RefCell<Vec<(String, JsValue)>>,
    /// Nesting guard for page code that the SDK runs inside its own exports.
    depth: Cell<u32>,
}

impl Outcomes {
    /// Records a synchronous call; a returned Promise is tracked to its end.
    fn sync(self: &Rc<Self>, what: &str, r: Result<JsValue, JsValue>) {
        match r {
            Ok(v) if v.is_instance_of::<Promise>() => self.track(v.unchecked_into()),
            Ok(_) => {}
            Err(e) => self.thrown.borrow_mut().push((what.to_owned(), e)),
        }
    }

    /// Attaches handlers at once (so nothing goes unhandled) and records the outcome.
    fn track(self: &Rc<Self>, p: Promise) {
        self.launched.set(self.launched.get() + 1);
        let (ok, err) = (self.clone(), self.clone());
        let on_ok = js_fn1(move |v| {
            ok.settled.borrow_mut().push(Ok(v));
            JsValue::UNDEFINED
        });
        let on_err = js_fn1(move |e| {
            err.settled.borrow_mut().push(Err(e));
            JsValue::UNDEFINED
        });
        call(&p, "then", &[on_ok, on_err]).unwrap();
    }

    async fn all_settled(&self, what: &str) {
        wait_until(what, 15_000.0, || {
            self.settled.borrow().len() as u32 == self.launched.get()
        })
        .await;
    }

    /// Every rejection and throw is a partner-sdk error or an expected abort, and none
    /// is an aliasing error or a trap.
    fn assert_all_typed(&self) {
        let settled = self.settled.borrow();
        let rejected = settled.iter().filter_map(|r| r.as_ref().err());
        let thrown = self.thrown.borrow();
        for e in rejected.chain(thrown.iter().map(|(_, e)| e)) {
            if let Err(why) = typed(e) {
                let during: Vec<&str> = thrown.iter().map(|(w, _)| w.as_str()).collect();
                panic!("{why} (sync throws during: {during:?})");
            }
        }
    }
}

/// Ok when `e` is a partner-sdk error or an AbortError, never an aliasing error.
fn typed(e: &JsValue) -> Result<(), String> {
    let field = |k: &str| {
        if e.is_object() {
            Reflect::get(e, &k.into()).ok().and_then(|v| v.as_string())
        } else {
            None
        }
    };
    let message = field("message").unwrap_or_else(|| format!("{e:?}"));
    for bad in [
        "recursive use of an object",
        "already borrowed",
        "already mutably borrowed",
        "unreachable",
        "null pointer passed to rust",
        "closure invoked",
    ] {
        if message.contains(bad) {
            return Err(format!("aliasing error or trap: {message}"));
        }
    }
    let brand = e.is_object()
        && Reflect::get(e, &js_sys::Symbol::for_("partner-sdk.error").into())
            .ok()
            .and_then(|v| v.as_bool())
            == Some(true);
    if brand || field("name").as_deref() == Some("AbortError") {
        Ok(())
    } else {
        Err(format!("not a partner-sdk error: {message}"))
    }
}

/// Calls every public method of an AlternativeClient (and destroys `second`).
fn poke_client(o: &Rc<Outcomes>, c: &JsValue, second: &JsValue, token: &str) {
    let body = obj(&[("amount", 1.into())]);
    let aborted = web_sys::AbortController::new().unwrap();
    let with_signal = obj(&[("signal", aborted.signal().into())]);
    let calls: Vec<(&str, &str, Vec<JsValue>)> = vec![
        ("get", "get", vec![INVOICE.into()]),
        ("post", "post", vec![PAYMENTS.into(), body.clone()]),
        (
            "request",
            "request",
            vec!["GET".into(), INVOICE.into(), obj(&[])],
        ),
        ("put", "put", vec![INVOICE.into(), body.clone()]),
        ("patch", "patch", vec![INVOICE.into(), body]),
        ("delete", "delete", vec![INVOICE.into()]),
        ("get+signal", "get", vec![INVOICE.into(), with_signal]),
        ("bad path", "get", vec!["https://elsewhere.test/x".into()]),
        ("setAccessToken", "setAccessToken", vec![token.into()]),
        ("setAccessToken bad", "setAccessToken", vec!["a.b".into()]),
        ("toJSON", "toJSON", vec![]),
    ];
    for (what, method, args) in calls {
        o.sync(what, call(c, method, &args));
    }
    aborted.abort();
    for key in ["claims", "expiresAt"] {
        o.sync(key, Reflect::get(c, &key.into()));
    }
    o.sync("stringify", js_sys::JSON::stringify(c).map(JsValue::from));
    o.sync("second.destroy", call(second, "destroy", &[]));
    o.sync("second.get", call(second, "get", &[INVOICE.into()]));
    // Page code that the SDK runs inside its own exports (a query value's toString,
    // a body's toJSON) calls every method too, one level deep.
    if o.depth.get() == 0 {
        let nested = {
            let (o, c, second, token) = (o.clone(), c.clone(), second.clone(), token.to_owned());
            js_fn0(move || {
                o.depth.set(o.depth.get() + 1);
                poke_client(&o, &c, &second, &token);
                o.depth.set(o.depth.get() - 1);
                "v".into()
            })
        };
        let hostile = obj(&[("toString", nested.clone()), ("toJSON", nested)]);
        let query = obj(&[("query", obj(&[("q", hostile.clone())]))]);
        o.sync(
            "get+hostile query",
            call(c, "get", &[INVOICE.into(), query]),
        );
        let body = obj(&[("x", hostile)]);
        o.sync(
            "post+hostile body",
            call(c, "post", &[PAYMENTS.into(), body]),
        );
    }
}

/// Calls every public method of a SafeSDK (and destroys `second`).
fn poke_sdk(o: &Rc<Outcomes>, s: &JsValue, second: &JsValue, token: &str) {
    let on_check = js_fn1(|_| JsValue::UNDEFINED);
    o.sync("initialize", call(s, "initialize", &[token.into()]));
    o.sync("check", call(s, "check", &[]));
    o.sync("setAccessToken", call(s, "setAccessToken", &[token.into()]));
    o.sync(
        "setAccessToken bad",
        call(s, "setAccessToken", &[42.into()]),
    );
    o.sync(
        "start bad",
        call(s, "startPeriodicCheck", &[5.into(), on_check.clone()]),
    );
    o.sync(
        "start",
        call(s, "startPeriodicCheck", &[1000.into(), on_check]),
    );
    o.sync("stop", call(s, "stopPeriodicCheck", &[]));
    o.sync("deviceId", Reflect::get(s, &"deviceId".into()));
    o.sync("second.destroy", call(second, "destroy", &[]));
    o.sync("second.check", call(second, "check", &[]));
}

// ---- the driver ----------------------------------------------------------------------

/// Calls every public method of `target` with `token`, and destroys `second`.
type Poke = fn(&Rc<Outcomes>, &JsValue, &JsValue, &str);

/// The tokens the callbacks use; the set-up fills them in (the callbacks run later).
#[derive(Default)]
struct Tokens {
    /// What the token callback answers.
    answer: RefCell<String>,
    /// What the pokes inside the callbacks use, and what a round ends with.
    fresh: RefCell<String>,
}

/// One round, set up by a class.
struct Round {
    /// The instance under test, created with the driver's two callbacks and holding a
    /// token that is now revoked.
    target: JsValue,
    /// A second instance, which every poke destroys.
    second: JsValue,
    /// Another revoked token, for the poke made while requests are in flight.
    revoked: String,
    /// The call (method, arguments) of which 10 are held at the sandbox for 150 ms.
    call: (&'static str, Vec<JsValue>),
}

/// 20 rounds: 10 calls in flight on a revoked token, `poke` while they are held,
/// and `poke` again from inside `onAccessTokenExpired` and `onTokenRefreshed` (every
/// fifth round `onTokenRefreshed` also destroys the target). Every outcome must be
/// typed; afterwards the target works again (`assert_ok`) or is destroyed, and the
/// second instance is destroyed.
async fn drive<F, Fut>(
    class: &str,
    poke: Poke,
    set_up: F,
    assert_ok: fn(&Result<JsValue, JsValue>),
    min_launched: u32,
) where
    F: Fn(Vec<(&'static str, JsValue)>, Rc<Tokens>) -> Fut,
    Fut: Future<Output = Round>,
{
    let watch = RejectionWatch::install();
    let o: Rc<Outcomes> = Rc::default();
    let (expired_calls, refreshed_calls) = (Rc::new(Cell::new(0u32)), Rc::new(Cell::new(0u32)));
    for i in 0..20 {
        let destroy_in_callback = i % 5 == 4;
        let (target, second, tokens): (Slot, Slot, Rc<Tokens>) = Default::default();
        let expired = {
            let (o, target, second, tokens, n) = (
                o.clone(),
                target.clone(),
                second.clone(),
                tokens.clone(),
                expired_calls.clone(),
            );
            js_fn0(move || {
                n.set(n.get() + 1);
                let fresh = tokens.fresh.borrow().clone();
                if let (Some(t), Some(s)) = (target.borrow().clone(), second.borrow().clone()) {
                    poke(&o, &t, &s, &fresh);
                }
                let answer = JsValue::from(tokens.answer.borrow().clone());
                if i % 2 == 0 {
                    answer
                } else {
                    delayed(20, answer).into()
                }
            })
        };
        let refreshed = {
            let (o, target, second, tokens, n) = (
                o.clone(),
                target.clone(),
                second.clone(),
                tokens.clone(),
                refreshed_calls.clone(),
            );
            js_fn1(move |_| {
                n.set(n.get() + 1);
                let fresh = tokens.fresh.borrow().clone();
                if let (Some(t), Some(s)) = (target.borrow().clone(), second.borrow().clone()) {
                    poke(&o, &t, &s, &fresh);
                    if destroy_in_callback {
                        o.sync("destroy", call(&t, "destroy", &[]));
                    }
                }
                JsValue::UNDEFINED
            })
        };
        let callbacks = vec![
            ("onAccessTokenExpired", expired),
            ("onTokenRefreshed", refreshed),
        ];
        let round = set_up(callbacks, tokens.clone()).await;
        *target.borrow_mut() = Some(round.target.clone());
        *second.borrow_mut() = Some(round.second.clone());

        let (method, args) = &round.call;
        let in_flight: Vec<Promise> = (0..10)
            .map(|_| start(&round.target, method, args))
            .collect();
        sleep(30).await;
        // While the 10 are at the sandbox: every method, with a revoked token set.
        poke(&o, &round.target, &round.second, &round.revoked);
        in_flight.into_iter().for_each(|p| o.track(p));
        o.all_settled(&format!("{class}, round {i}")).await;
        // Calls made by callbacks that ran late are settled too.
        sleep(50).await;
        o.all_settled(&format!("{class}, round {i}, late calls"))
            .await;
        o.assert_all_typed();

        let after = call_async(&round.target, method, args).await;
        if destroy_in_callback {
            assert_error(
                &after.unwrap_err(),
                "ClientDestroyedError",
                "CLIENT_DESTROYED",
            );
        } else {
            let fresh = tokens.fresh.borrow().clone();
            call(&round.target, "setAccessToken", &[fresh.into()]).unwrap();
            assert_ok(&call_async(&round.target, method, args).await);
            call(&round.target, "destroy", &[]).unwrap();
        }
        let second_after = call_async(&round.second, method, args).await;
        assert_error(
            &second_after.unwrap_err(),
            "ClientDestroyedError",
            "CLIENT_DESTROYED",
        );
    }
    assert!(
        expired_calls.get() >= 20,
        "onAccessTokenExpired ran {}",
        expired_calls.get()
    );
    assert!(
        refreshed_calls.get() >= 20,
        "onTokenRefreshed ran {}",
        refreshed_calls.get()
    );
    assert!(
        o.launched.get() > min_launched,
        "{} calls",
        o.launched.get()
    );
    clear_faults().await;
    watch.assert_none().await;
}

/// An AlternativeClient round: the client holds A (revoked), its token callback
/// answers B, the pokes inside callbacks set `fresh`; 10 GETs of the invoice in flight.
async fn client_round(callbacks: Vec<(&'static str, JsValue)>, tokens: Rc<Tokens>) -> Round {
    clear_faults().await;
    let a = mint_checkout("inv_1001", 600).await;
    let a2 = mint_checkout("inv_1001", 600).await;
    revoke_all().await;
    let b = mint_checkout("inv_1001", 600).await;
    let fresh = mint_checkout("inv_1001", 600).await;
    let second = checkout_client(&b, &[]).await;
    *tokens.answer.borrow_mut() = b;
    *tokens.fresh.borrow_mut() = fresh;
    let target = checkout_client(&a, &callbacks).await;
    fault(&[
        ("path", INVOICE.into()),
        ("count", 10.into()),
        ("delay_ms", 150.into()),
    ])
    .await;
    Round {
        target,
        second,
        revoked: a2,
        call: ("get", vec![INVOICE.into()]),
    }
}

/// A SafeSDK round: the SDK is initialized with A (then revoked), its token callback
/// answers `fresh`; 10 checks in flight.
async fn sdk_round(callbacks: Vec<(&'static str, JsValue)>, tokens: Rc<Tokens>) -> Round {
    clear_faults().await;
    let a = mint_gatekeeper(600).await;
    let second = safe_sdk(&[]);
    call_async(&second, "initialize", &[a.clone().into()])
        .await
        .unwrap();
    let target = safe_sdk(&callbacks);
    let init = call_async(&target, "initialize", &[a.clone().into()])
        .await
        .unwrap();
    let device = get(&init, "deviceId").as_string().unwrap();
    let a2 = mint_gatekeeper(600).await;
    revoke_all().await;
    let fresh = mint_gatekeeper(600).await;
    *tokens.answer.borrow_mut() = fresh.clone();
    *tokens.fresh.borrow_mut() = fresh;
    fault(&[
        ("path", checks_path(&device).into()),
        ("count", 10.into()),
        ("delay_ms", 150.into()),
    ])
    .await;
    Round {
        target,
        second,
        revoked: a2,
        call: ("check", vec![]),
    }
}

/// A check that came back `Ok`.
fn assert_check_ok(r: &Result<JsValue, JsValue>) {
    let ok = r.as_ref().unwrap();
    assert_eq!(status_of(ok).as_deref(), Some("Ok"), "{ok:?}");
}

// ---- the tests -----------------------------------------------------------------------

#[wasm_bindgen_test]
async fn every_client_method_from_every_callback_and_in_flight_never_aliases() {
    drive(
        "AlternativeClient",
        poke_client,
        client_round,
        assert_invoice,
        20 * 20,
    )
    .await;
}

#[wasm_bindgen_test]
async fn every_safe_sdk_method_from_every_callback_and_in_flight_never_aliases() {
    // Each round launches 10 checks in flight, and more from the pokes.
    drive("SafeSDK", poke_sdk, sdk_round, assert_check_ok, 20 * 10).await;
}

#[wasm_bindgen_test]
async fn every_safe_sdk_method_from_the_periodic_callback_never_aliases() {
    let watch = RejectionWatch::install();
    clear_faults().await;
    let o: Rc<Outcomes> = Rc::default();
    let token = mint_gatekeeper(600).await;
    let second = safe_sdk(&[]);
    let s = safe_sdk(&[]);
    call_async(&s, "initialize", &[token.clone().into()])
        .await
        .unwrap();
    let slot: Slot = Rc::new(RefCell::new(Some(s.clone())));
    let ticks = Rc::new(Cell::new(0u32));
    let self_ref: Rc<RefCell<JsValue>> = Rc::default();
    let (oc, sc, tc, tok, sref) = (
        o.clone(),
        slot.clone(),
        ticks.clone(),
        token.clone(),
        self_ref.clone(),
    );
    let on_check = js_fn1(move |_| {
        tc.set(tc.get() + 1);
        let Some(s) = sc.borrow().clone() else {
            return JsValue::UNDEFINED;
        };
        match tc.get() {
            // Every method (which stops this schedule), then a new schedule with us.
            1 => {
                poke_sdk(&oc, &s, &second, &tok);
                let me = sref.borrow().clone();
                oc.sync(
                    "restart",
                    call(&s, "startPeriodicCheck", &[1000.into(), me]),
                );
            }
            // Destroy from inside the callback: the schedule ends.
            _ => oc.sync("destroy", call(&s, "destroy", &[])),
        }
        JsValue::UNDEFINED
    });
    *self_ref.borrow_mut() = on_check.clone();
    call(&s, "startPeriodicCheck", &[1000.into(), on_check]).unwrap();
    wait_until("two periodic results", 5000.0, || ticks.get() >= 2).await;
    sleep(1300).await;
    assert_eq!(ticks.get(), 2, "no result after destroy");
    o.all_settled("periodic calls").await;
    o.assert_all_typed();
    assert!(o.launched.get() >= 2);
    watch.assert_none().await;
}

/// Restores the page's `Date.now`, `performance.now` and `JSON.parse` when dropped, so a
/// failing test leaves the next one a normal page.
struct WrappedGlobals(js_sys::Function);

impl Drop for WrappedGlobals {
    fn drop(&mut self) {
        let _ = self.0.call0(&JsValue::UNDEFINED);
    }
}

/// Wraps the globals the SDK reads while it works (its clocks and `JSON.parse`) in
/// functions that first read `client`'s getters and `toJSON`, as a page's logging or
/// fake-timer shim might.
fn wrap_globals_to_poke(client: &JsValue) -> WrappedGlobals {
    let restore = js(
        "client",
        "const saved = { now: Date.now, perf: performance.now, parse: JSON.parse };
         let inside = false;
         const poke = () => {
           if (inside) return;
           inside = true;
           try { client.expiresAt; client.claims; JSON.stringify(client); } finally { inside = false; }
         };
         window.__pokes = { now: 0, perf: 0, parse: 0 };
         Date.now = function () { window.__pokes.now += 1; poke(); return saved.now.call(Date); };
         performance.now = function () { window.__pokes.perf += 1; poke(); return saved.perf.call(performance); };
         JSON.parse = function (...args) { window.__pokes.parse += 1; poke(); return saved.parse.apply(JSON, args); };
         return () => { Date.now = saved.now; delete performance.now; JSON.parse = saved.parse; };",
    )
    .call1(&JsValue::UNDEFINED, client)
    .unwrap();
    WrappedGlobals(restore.unchecked_into())
}

#[wasm_bindgen_test]
async fn page_wrapped_clocks_and_json_parse_that_call_back_never_alias() {
    let watch = RejectionWatch::install();
    let (c, a) = live_client(&[]).await;
    let fresh = mint_checkout("inv_1001", 600).await;
    {
        let _wrapped = wrap_globals_to_poke(&c);
        // Each of these reads a clock or parses JSON while it works on the token.
        call(&c, "setAccessToken", &[fresh.clone().into()]).unwrap();
        assert!(get(&c, "claims").is_object());
        assert_invoice(&call_async(&c, "get", &[INVOICE.into()]).await);
        call(&c, "setAccessToken", &[a.into()]).unwrap();
        assert_invoice(&call_async(&c, "get", &[INVOICE.into()]).await);
        // The SDK did go through each wrapped global (so each poke was tried).
        let pokes = run_js("return window.__pokes;");
        for global in ["now", "perf", "parse"] {
            let n = get(&pokes, global).as_f64().unwrap_or(0.0);
            assert!(
                n > 0.0,
                "the SDK never called the wrapped {global}: {pokes:?}"
            );
        }
    }
    // And the instance is whole afterwards.
    assert_invoice(&call_async(&c, "get", &[INVOICE.into()]).await);
    watch.assert_none().await;
}

/// Replaces `window.fetch` with `wrapper` (JS taking the real `fetch` as `real`) until
/// dropped.
struct FetchWrapper(JsValue);

impl FetchWrapper {
    fn install(wrapper: &str) -> FetchWrapper {
        let window: JsValue = web_sys::window().unwrap().into();
        let real = get(&window, "fetch");
        let make = js("real", &format!("return {wrapper};"));
        let wrapped = make.call1(&JsValue::UNDEFINED, &real).unwrap();
        Reflect::set(&window, &"fetch".into(), &wrapped).unwrap();
        FetchWrapper(real)
    }
}

impl Drop for FetchWrapper {
    fn drop(&mut self) {
        let window: JsValue = web_sys::window().unwrap().into();
        let _ = Reflect::set(&window, &"fetch".into(), &self.0);
    }
}

#[wasm_bindgen_test]
async fn a_page_fetch_wrapper_with_a_throwing_then_or_no_response_never_hangs_the_client() {
    let watch = RejectionWatch::install();
    let (c, _) = live_client(&[]).await;
    // More calls than the client keeps unanswered (6): a leaked slot would hold the rest.
    {
        let _hostile = FetchWrapper::install(
            "(...args) => { const p = real(...args); p.then = () => { throw new Error('hostile then'); }; return p; }",
        );
        for _ in 0..8 {
            let r = within(5000, start(&c, "get", &[INVOICE.into()])).await;
            assert_invoice(&r.expect("a request hung behind a throwing then"));
        }
    }
    {
        let _broken = FetchWrapper::install("() => undefined");
        for _ in 0..8 {
            let r = within(5000, start(&c, "get", &[INVOICE.into()])).await;
            let err = r
                .expect("a request hung on a fetch without a Response")
                .unwrap_err();
            assert_error(&err, "NetworkError", "NETWORK_ERROR");
        }
    }
    let r = within(5000, start(&c, "get", &[INVOICE.into()])).await;
    assert_invoice(&r.expect("the client hung"));
    watch.assert_none().await;
}

#[wasm_bindgen_test]
async fn a_page_fetch_wrapper_that_drops_the_signal_still_times_out_and_destroys() {
    let (c, _) = live_client(&[("requestTimeoutMs", 500.into()), ("retry", false.into())]).await;
    let _wrapper =
        FetchWrapper::install("(url, init) => real(url, { ...init, signal: undefined })");
    hold(INVOICE, 4000).await;
    let r = within(3000, start(&c, "get", &[INVOICE.into()])).await;
    let err = r.expect("the deadline did not end the call").unwrap_err();
    assert_error(&err, "NetworkError", "REQUEST_TIMEOUT");
    hold(INVOICE, 4000).await;
    let pending = start(&c, "get", &[INVOICE.into()]);
    sleep(100).await;
    call(&c, "destroy", &[]).unwrap();
    let r = within(2000, pending).await;
    let err = r.expect("destroy() did not end the call").unwrap_err();
    assert_error(&err, "ClientDestroyedError", "CLIENT_DESTROYED");
}

/// Patches page globals with `body` (JS that returns a function undoing it) until dropped.
fn patch_globals(body: &str) -> WrappedGlobals {
    let restore = js("", body).call0(&JsValue::UNDEFINED).unwrap();
    WrappedGlobals(restore.unchecked_into())
}

/// Each `fetch` wrapper answers something that is not a genuine `Response`; `expect_ok`
/// says whether a `Response` can be made of it. Three calls each: before the fix, two
/// such calls stalled the module's task queue, and every later call of every client
/// hung.
#[wasm_bindgen_test]
async fn a_page_fetch_wrapper_answering_a_proxy_or_a_mock_never_stalls_the_module() {
    let watch = RejectionWatch::install();
    let (c, _) = live_client(&[("retry", false.into())]).await;
    let cases = [
        // A Proxy whose getters see the Response itself: read through it.
        (
            "(...a) => real(...a).then((r) => new Proxy(r, { get: (t, k) => { const v = Reflect.get(t, k); return typeof v === 'function' ? v.bind(t) : v; } }))",
            true,
        ),
        // A bare Proxy: its getters run on the Proxy, which the browser refuses
        // ("Illegal invocation"), for the page's own code too.
        ("(...a) => real(...a).then((r) => new Proxy(r, {}))", false),
        (
            "async () => ({ status: 200, headers: new Headers(), text: () => '{\"id\":\"inv_1001\"}' })",
            true,
        ),
        (
            "async () => ({ get status() { throw new Error('hostile status'); }, text: async () => '{}' })",
            false,
        ),
        (
            "async () => ({ status: 200, headers: new Headers(), text: async () => ({}) })",
            false,
        ),
        ("async () => ({ status: 42, text: async () => '{}' })", false),
        // Wrappers whose source reads as native code: a bound function, a Proxy.
        (
            "(async () => ({ get status() { throw new Error('hostile status'); } })).bind(null)",
            false,
        ),
        (
            "new Proxy(real, { apply: (f, self, args) => f(...args).then((r) => new Proxy(r, {})) })",
            false,
        ),
        ("new Proxy(real, { apply: async () => null })", false),
        ("real.bind(globalThis)", true),
    ];
    for (wrapper, expect_ok) in cases {
        let _wrapped = FetchWrapper::install(wrapper);
        for _ in 0..3 {
            let r = within(5000, start(&c, "get", &[INVOICE.into()])).await;
            let r = r.unwrap_or_else(|| panic!("a request hung behind {wrapper}"));
            if expect_ok {
                assert_invoice(&r);
            } else {
                assert_error(&r.unwrap_err(), "NetworkError", "NETWORK_ERROR");
            }
        }
    }
    let r = within(5000, start(&c, "get", &[INVOICE.into()])).await;
    assert_invoice(&r.expect("the client hung afterwards"));
    let (other, _) = live_client(&[]).await;
    let r = within(5000, start(&other, "get", &[INVOICE.into()])).await;
    assert_invoice(&r.expect("a new client hung afterwards"));
    watch.assert_none().await;
}

/// A page whose `performance.now`, `Date.now` and `Math.random` throw: a client is
/// still made, its requests (a retried 503 included) still settle, and nothing stalls.
#[wasm_bindgen_test]
async fn page_clocks_and_random_that_throw_never_stall_a_request() {
    let watch = RejectionWatch::install();
    // A first client adds the request methods to the class (see `create`).
    let (_, token) = live_client(&[]).await;
    fault(&[
        ("path", INVOICE.into()),
        ("count", 1.into()),
        ("status", 503.into()),
    ])
    .await;
    let fresh = mint_checkout("inv_1001", 600).await;
    {
        let _thrown = patch_globals(
            "const saved = { now: Date.now, perf: performance.now, random: Math.random };
             const no = () => { throw new Error('hostile clock'); };
             Date.now = no; performance.now = no; Math.random = no;
             return () => { Date.now = saved.now; delete performance.now; Math.random = saved.random; };",
        );
        let options = obj(&[("accessToken", token.into()), ("baseUrl", sandbox().into())]);
        let c = within(5000, partner_sdk::api::AlternativeClient::create(options))
            .await
            .expect("create() hung")
            .expect("create() failed");
        let r = within(8000, start(&c, "get", &[INVOICE.into()])).await;
        assert_invoice(&r.expect("a retried request hung"));
        call(&c, "setAccessToken", &[fresh.into()]).unwrap();
        assert!(get(&c, "claims").is_object());
    }
    let (c, _) = live_client(&[]).await;
    assert_invoice(&call_async(&c, "get", &[INVOICE.into()]).await);
    watch.assert_none().await;
}

/// Settles `p`, or `None` when it has not settled after `ms`, timed by
/// `AbortSignal.timeout` (for tests that make `setTimeout` throw).
async fn within_by_signal(ms: u32, p: Promise) -> Option<Result<JsValue, JsValue>> {
    let timer = js(
        "ms",
        "return new Promise((done) => AbortSignal.timeout(ms).addEventListener('abort', () => done('__hung__')))",
    )
    .call1(&JsValue::UNDEFINED, &ms.into())
    .unwrap();
    match settle(Promise::race(&js_sys::Array::of2(&p, &timer))).await {
        Ok(v) if v.as_string().as_deref() == Some("__hung__") => None,
        r => Some(r),
    }
}

/// A page whose every `setTimeout` throws: requests end with their response (the
/// request deadline's timer is set again and again, which must not starve the page),
/// a token callback gets its `refreshTimeoutMs`, and a `Retry-After` wait still waits.
#[wasm_bindgen_test]
async fn a_page_set_timeout_that_throws_never_stalls_a_request() {
    let watch = RejectionWatch::install();
    let (a, b) = revoked_then_fresh().await;
    let (callback, calls) = answering(&b);
    let refreshing = checkout_client(&a, &[("onAccessTokenExpired", callback)]).await;
    let (c, _) = live_client(&[]).await;
    fault(&[
        ("path", PAYMENTS.into()),
        ("count", 1.into()),
        ("status", 503.into()),
        ("retry_after_s", 1.into()),
    ])
    .await;
    let paying = checkout_client(&mint_checkout("inv_1001", 600).await, &[]).await;
    {
        let _thrown = patch_globals(
            "const real = setTimeout;
             globalThis.setTimeout = () => { throw new Error('hostile setTimeout'); };
             return () => { globalThis.setTimeout = real; };",
        );
        for _ in 0..3 {
            let r = within_by_signal(5000, start(&c, "get", &[INVOICE.into()])).await;
            assert_invoice(&r.expect("a request hung on a deadline timer that threw"));
        }
        // The 401 → callback → resend path: the callback's deadline is a timer too.
        let r = within_by_signal(5000, start(&refreshing, "get", &[INVOICE.into()])).await;
        assert_invoice(&r.expect("the refresh hung"));
        assert_eq!(calls.get(), 1);
        // A retry after `Retry-After: 1` waits its second.
        let key = obj(&[("idempotencyKey", true.into())]);
        let t0 = js_sys::Date::now();
        let r = within_by_signal(
            8000,
            start(
                &paying,
                "post",
                &[PAYMENTS.into(), obj(&[("amount", 4999.into())]), key],
            ),
        )
        .await
        .expect("the retried payment hung");
        assert!(r.is_ok(), "the retried payment failed: {r:?}");
        let waited = js_sys::Date::now() - t0;
        assert!(
            waited >= 900.0,
            "Retry-After: 1 was not waited ({waited} ms)"
        );
    }
    assert_invoice(&call_async(&c, "get", &[INVOICE.into()]).await);
    watch.assert_none().await;
}

/// A request made while the page had broken every timer API leaves the client's
/// request deadlines working once the timers are back.
#[wasm_bindgen_test]
async fn request_deadlines_work_again_after_a_page_broke_every_timer() {
    let watch = RejectionWatch::install();
    let (c, _) = live_client(&[("requestTimeoutMs", 1000.into()), ("retry", false.into())]).await;
    {
        let _thrown = patch_globals(
            "const saved = [globalThis.setTimeout, globalThis.setInterval, AbortSignal.timeout];
             const no = () => { throw new Error('hostile timer'); };
             globalThis.setTimeout = no; globalThis.setInterval = no; AbortSignal.timeout = no;
             return () => { [globalThis.setTimeout, globalThis.setInterval, AbortSignal.timeout] = saved; };",
        );
        // No timer can be set for its deadline; the answer comes anyway.
        assert_invoice(&settle(start(&c, "get", &[INVOICE.into()])).await);
    }
    hold(INVOICE, 4000).await;
    let r = within(3500, start(&c, "get", &[INVOICE.into()])).await;
    let err = r.expect("the deadline did not end the call").unwrap_err();
    assert_error(&err, "NetworkError", "REQUEST_TIMEOUT");
    watch.assert_none().await;
}
