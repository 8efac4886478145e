//! The Gatekeeper device: registration once per browser profile, and device checks.
//! URLs, the storage key and the interval rule come from [`crate::core::gatekeeper`].

use crate::core::error::SdkError;
use crate::core::gatekeeper::{self as protocol, API_KEY_HEADER, EMPTY_BODY};
use crate::core::options::SafeOptions;
use crate::core::refresh::Reason;
use crate::web::error::Error;
use crate::web::flight::Flight;
use crate::web::send::Call;
use crate::web::session::Session;
use crate::web::timer::{aborted, race, Either};
use crate::web::{js, storage};
use js_sys::{Function, Object};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Headers};

/// What a Gatekeeper client holds besides the session.
pub struct Device {
    /// The token session.
    pub session: Session,
    options: SafeOptions,
    id: RefCell<Option<String>>,
    /// The `initialize()` under way, if any: a `check()` made before it resolved waits
    /// for it (a shop that does not await `initialize()`).
    pending: RefCell<Option<Rc<Flight>>>,
    /// An `initialize()` has accepted its token: a `check()` made after its
    /// registration failed registers the device itself.
    started: Cell<bool>,
}

thread_local! {
    /// The registrations in progress on this page, by storage key: an `initialize()`
    /// (of any `SafeSDK` of the same API and application) that finds no id while
    /// another one registers waits for it instead of registering the device again.
    /// The owner (a `Device`'s address) tells whose error a waiter shares.
    static REGISTERING: RefCell<Vec<(String, Rc<Flight>, usize)>> = const { RefCell::new(Vec::new()) };

    /// By storage key, the ids a 404 made a client of this page register, until a check
    /// with one succeeds: a 404 for such an id is the check's error, not one more device
    /// (a route that answers 404 whatever the device), whichever of the page's clients
    /// registered it. Once the server has known an id, a later 404 for it registers again.
    static RENEWED: RefCell<Vec<(String, String)>> = const { RefCell::new(Vec::new()) };
}

/// How many renewed ids the page keeps (the oldest goes first): one per client that
/// holds an id of its own (no storage to share one), far more than a page has.
const RENEWED_KEPT: usize = 16;

fn renewed_here(key: &str, id: &str) -> bool {
    RENEWED.with(|r| r.borrow().iter().any(|(k, v)| k == key && v == id))
}

fn record_renewed(key: &str, id: &str) {
    RENEWED.with(|r| {
        let mut list = r.borrow_mut();
        if list.len() >= RENEWED_KEPT {
            list.remove(0);
        }
        list.push((key.to_owned(), id.to_owned()));
    });
}

fn forget_renewed(key: &str, id: &str) {
    RENEWED.with(|r| r.borrow_mut().retain(|(k, v)| !(k == key && v == id)));
}

fn registering(key: &str) -> Option<(Rc<Flight>, usize)> {
    REGISTERING.with(|r| {
        let list = r.borrow();
        list.iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, f, owner)| (f.clone(), *owner))
    })
}

/// This tab's turn to register (see [`Device::register_in_turn`]). Dropping it, also
/// with the registration's future (`destroy()`), lets the profile's other tabs go on,
/// handing them `registered`: the id this tab registered, if it did.
struct Turn {
    release: Option<Function>,
    registered: Option<String>,
}

impl Drop for Turn {
    fn drop(&mut self) {
        if let Some(release) = self.release.take() {
            let id = self.registered.take().map(JsValue::from);
            let _ = js::call(&release, id.as_ref());
        }
    }
}

/// `{ status, reason }`: what a check resolves to when it could not authenticate, and
/// what the periodic callback gets for a check that failed.
pub fn status_object(status: &str, reason: &str) -> Object {
    let o = Object::new();
    js::set(&o, "status", &JsValue::from_str(status));
    js::set(&o, "reason", &JsValue::from_str(reason));
    o
}

impl Device {
    /// A device with no id yet.
    pub fn new(session: Session, options: SafeOptions) -> Self {
        Device {
            session,
            options,
            id: RefCell::new(None),
            pending: RefCell::new(None),
            started: Cell::new(false),
        }
    }

    /// The registered id, if any.
    pub fn id(&self) -> Option<String> {
        self.id.borrow().clone()
    }

    /// A Gatekeeper POST. With `idempotent`, it carries a fresh `Idempotency-Key`, so
    /// rule 9 may retry it (every device check does).
    fn call(
        &self,
        url: String,
        idempotent: bool,
        signal: Option<&AbortSignal>,
    ) -> Result<Call, Error> {
        let bad = || Error::config("apiKey", "must be a valid header value");
        let headers = Headers::new().map_err(|_| bad())?;
        headers
            .set(API_KEY_HEADER, &self.options.api_key)
            .map_err(|_| bad())?;
        headers
            .set("content-type", "application/json")
            .map_err(|_| bad())?;
        let key = idempotent.then(js::random_uuid).flatten();
        if let Some(key) = &key {
            headers.set("idempotency-key", key).map_err(|_| bad())?;
        }
        Ok(Call {
            method: "POST",
            url,
            headers,
            body: Some(JsValue::from_str(EMPTY_BODY)),
            signal: signal.cloned(),
            may_retry: key.is_some(),
        })
    }

    /// Stores the token and registers the device unless this profile knows its id.
    /// Resolves to `{ deviceId, registered }`. Calls at once register once: the one that
    /// registers resolves `registered: true`, the others wait for it and resolve
    /// `registered: false` with the same id (or reject with its error).
    ///
    /// # Errors
    /// Token errors, `ApiError`, `NetworkError`, `ClientDestroyedError`.
    pub async fn initialize(&self, jwt: JsValue) -> Result<JsValue, Error> {
        self.session.alive()?;
        self.session.set_token(&jwt)?;
        self.started.set(true);
        // (Not a token refresh: the flight's reason and generation are never read.) Set
        // in this future's first poll: a `check()` called right after `initialize()`
        // finds it, because the task queue runs futures in the order they were spawned.
        let flight = Flight::new(Reason::Unauthorized, 0);
        *self.pending.borrow_mut() = Some(flight.clone());
        let result = self.registered(None).await;
        {
            let mut pending = self.pending.borrow_mut();
            if pending.as_ref().is_some_and(|f| Rc::ptr_eq(f, &flight)) {
                *pending = None;
            }
        }
        let (id, registered) = result.inspect_err(|e| flight.settle(Err(e.clone())))?;
        let known = self.known(id, registered);
        flight.settle(Ok(()));
        Ok(known)
    }

    /// The id for a `check()`: the one held, or the one the `initialize()` under way
    /// gets (its error if it fails). After an `initialize()` whose registration failed
    /// (a 503, a timeout), the check registers the device itself, as after a 404.
    async fn initialized(&self) -> Result<String, Error> {
        let pending = self.pending.borrow().clone();
        match (self.id(), pending) {
            // (No race with `destroy()`: it ends that `initialize()` at once, its
            // registration's request and waits included, and so this wait.)
            (None, Some(flight)) => flight.wait().await?,
            (None, None) if self.started.get() => {
                let (id, registered) = self.registered(None).await?;
                self.known(id, registered);
            }
            _ => {}
        }
        self.id()
            .ok_or_else(|| Error::misuse("check", "call initialize() before check()"))
    }

    /// This profile's device id, and whether this call registered it: the id held, the
    /// stored one, the one a registration under way gets, or a new registration. An id
    /// equal to `stale` (one the server no longer knows) is none of these.
    async fn registered(&self, stale: Option<&str>) -> Result<(String, bool), Error> {
        let key = protocol::storage_key(&self.options);
        let fresh = |id: &String| Some(id.as_str()) != stale;
        loop {
            self.session.alive()?;
            // A stored id that cannot be one (empty, `.`, `..`: left by other code, or
            // by hand) is registered again rather than used for every check.
            let stored = || storage::get(&key).filter(|id| protocol::usable_device_id(id));
            if let Some(id) = self.id().filter(fresh).or_else(|| stored().filter(fresh)) {
                return Ok((id, false));
            }
            if let Some((flight, owner)) = registering(&key) {
                // This client's own registration failed: so does this call. Another
                // client's (its own token, or destroyed) is no answer: look again.
                // `destroy()` ends the wait at once (the other client's goes on).
                let lifetime = aborted(self.session.lifetime_signal());
                let Either::Left(shared) = race(flight.wait(), lifetime).await else {
                    return Err(SdkError::ClientDestroyed.into());
                };
                if owner == self.address() {
                    shared?;
                }
                continue;
            }
            // A registration is not a token refresh: the flight's reason and generation
            // are never read.
            let flight = Flight::new(Reason::Unauthorized, 0);
            let owner = self.address();
            REGISTERING.with(|r| r.borrow_mut().push((key.clone(), flight.clone(), owner)));
            let registered = self.register_in_turn(&key, stale).await;
            // Held before the waiters wake, so that they find it without storage.
            if let Ok((id, _)) = &registered {
                *self.id.borrow_mut() = Some(id.clone());
            }
            REGISTERING.with(|r| r.borrow_mut().retain(|(k, _, _)| *k != key));
            flight.settle(registered.as_ref().map(|_| ()).map_err(Clone::clone));
            return registered;
        }
    }

    /// Registers the device, taking turns with the profile's other tabs (a Web Lock
    /// named by the storage key): a tab whose turn comes after another one registered
    /// (a restored session starting several tabs at once) uses that id instead, handed
    /// over with the turn or found in storage. The wait for the turn ends with
    /// `destroy()`, or after 2 × `requestTimeoutMs` + 3 × `refreshTimeoutMs` + 4 s;
    /// then this tab registers without it.
    async fn register_in_turn(
        &self,
        key: &str,
        stale: Option<&str>,
    ) -> Result<(String, bool), Error> {
        // No longer than the holder's registration can take (its reads and writes of
        // the handover, 2 s each; a refresh and an attempt, twice with a 401, and one
        // more refresh if another call's 401 comes in between): a tab holding the lock
        // longer is suspended (in the background), and this one registers without it.
        let config = self.session.config();
        let wait = config
            .request_timeout_ms
            .saturating_add(config.refresh_timeout_ms)
            .saturating_mul(2)
            .saturating_add(config.refresh_timeout_ms)
            .saturating_add(4_000)
            .min(i32::MAX as u32);
        let given = match js::take_turn(key, &self.session.lifetime_signal(), wait) {
            Ok(turn) => JsFuture::from(turn).await.unwrap_or(JsValue::UNDEFINED),
            Err(_) => JsValue::UNDEFINED,
        };
        let mut turn = Turn {
            release: js::get(&given, "0").dyn_into::<Function>().ok(),
            registered: None,
        };
        self.session.alive()?;
        let usable = |id: &String| protocol::usable_device_id(id) && Some(id.as_str()) != stale;
        let handed = js::get(&given, "1").as_string().filter(usable);
        if let Some(id) = handed {
            storage::set(key, &id);
            return Ok((id, false));
        }
        if let Some(id) = storage::get(key).filter(usable) {
            return Ok((id, false));
        }
        let id = self.register(key).await?;
        // Only an id registered just now is known to the server; one found in storage
        // (another tab's) may be lost too.
        if stale.is_some() {
            record_renewed(key, &id);
        }
        turn.registered = Some(id.clone());
        Ok((id, true))
    }

    fn address(&self) -> usize {
        self as *const Self as usize
    }

    /// A device the server no longer knows (a 404 for its checks): registers again
    /// (once for calls at once), and holds and stores the new id in place of `stale`.
    /// If that fails, `stale` stays: the next check tries again.
    async fn register_again(&self, stale: &str) -> Result<String, Error> {
        let (id, _) = self.registered(Some(stale)).await?;
        *self.id.borrow_mut() = Some(id.clone());
        Ok(id)
    }

    /// `POST …/devices`: the new id, stored for this profile.
    async fn register(&self, key: &str) -> Result<String, Error> {
        let reply = self
            .call(protocol::devices_url(&self.options), false, None)?
            .send(&self.session)
            .await?;
        // An id that repeats the token (an API echoing the request) would be stored and
        // sent in every check's URL: it is no id.
        let id = js::get(&reply.json()?, "deviceId")
            .as_string()
            .filter(|id| protocol::usable_device_id(id) && !reply.repeats_token(id));
        let id =
            id.ok_or_else(|| reply.error(Some("the registration response has no deviceId")))?;
        storage::set(key, &id);
        Ok(id)
    }

    /// Keeps `id` as this device's and builds `{ deviceId, registered }`.
    fn known(&self, id: String, registered: bool) -> JsValue {
        let result = Object::new();
        js::set(&result, "deviceId", &JsValue::from_str(&id));
        js::set(&result, "registered", &JsValue::from_bool(registered));
        *self.id.borrow_mut() = Some(id);
        result.into()
    }

    /// Runs one device check. A refused token (after the refresh rules) resolves to
    /// `{ status: 'AuthenticationFailed', reason }`. A 404 (the server lost or deleted
    /// the device) registers the device again and checks once more with the new id;
    /// only once per registered id: a 404 for an id this page registered so (by this
    /// client or another of the page) is the check's error until a check with that id
    /// has succeeded. An id another tab stored meanwhile is used first, and if the
    /// server does not know it either, this client registers its own.
    ///
    /// Made while `initialize()` is still under way, it waits for it first. `signal`
    /// (the periodic schedule's end) aborts its request and its retry's wait; a
    /// registration it waits for, or starts for a lost device, is shared with other
    /// callers and finishes.
    ///
    /// # Errors
    /// `ConfigurationError` with no `initialize()` before it; that `initialize()`'s
    /// error when it fails; `ApiError` (also for a 2xx whose body
    /// is not a JSON object: empty, `null`, a number, an array); `NetworkError`.
    pub async fn check(&self, signal: Option<&AbortSignal>) -> Result<JsValue, Error> {
        self.session.alive()?;
        let mut id = match self.initialized().await {
            Ok(id) => id,
            // The registration it waited for could not authenticate: so could not it.
            Err(e) if e.is_authentication_failure() => {
                return Ok(status_object("AuthenticationFailed", e.code()).into())
            }
            Err(e) => return Err(e),
        };
        let key = protocol::storage_key(&self.options);
        let mut sent = self.send_check(&id, signal).await;
        // At most twice: the id found in storage in place of the lost one may be lost
        // too (another tab stored it), and then this client registers its own.
        for _ in 0..2 {
            if renewed_here(&key, &id) || !matches!(sent, Err(Error::Api { status: 404, .. })) {
                break;
            }
            match self.register_again(&id).await {
                Ok(new) => {
                    id = new;
                    sent = self.send_check(&id, signal).await;
                }
                // (A registration that fails, a 404 too, is not tried twice.)
                Err(e) => {
                    sent = Err(e);
                    break;
                }
            }
        }
        match sent {
            Ok(reply) => {
                forget_renewed(&key, &id);
                let body = reply.json()?;
                if body.is_object() && js::is_array(&body) == Ok(false) {
                    return Ok(body);
                }
                Err(reply.error(Some("the check response is not a JSON object")))
            }
            Err(e) if e.is_authentication_failure() => {
                Ok(status_object("AuthenticationFailed", e.code()).into())
            }
            Err(e) => Err(e),
        }
    }

    async fn send_check(
        &self,
        id: &str,
        signal: Option<&AbortSignal>,
    ) -> Result<crate::web::send::Reply, Error> {
        let call = self.call(protocol::checks_url(&self.options, id), true, signal)?;
        call.send(&self.session).await
    }
}
