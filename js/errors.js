// The error classes of partner-sdk. Rust builds every error it throws through
// `makeError`, the one conversion point; messages come from Rust. Every ESM entry
// imports this one module; `isPartnerSdkError` also recognises errors of another copy.
// It also holds the few helpers the wasm calls (marked @internal): one module, so an
// ES module page loads no extra file for them.

const BRAND = Symbol.for('partner-sdk.error');

function classes() {
  /** Base class of every error the SDK throws. */
  class PartnerSdkError extends Error {
    constructor(message, options = {}) {
      const Class = new.target;
      super(message || Class.name, 'cause' in options ? { cause: options.cause } : undefined);
      this.name = Class.name;
      this.code = options.code || Class.code;
      if (options.key !== undefined) this.key = options.key;
      if (options.attempts !== undefined) this.attempts = options.attempts;
      // An ApiError always has these, also one a test makes without them.
      if (options.status !== undefined || Class.code === 'API_ERROR') {
        this.status = options.status === undefined ? 0 : options.status;
        this.body = options.body === undefined ? null : options.body;
        this.requestId = options.requestId == null ? null : options.requestId;
      }
    }

    /** True on every partner-sdk error, even one from another copy of the bundle. */
    get [BRAND]() {
      return true;
    }
  }
  PartnerSdkError.code = 'PARTNER_SDK_ERROR';
  // The minifier renames classes: `name` is what pages and stack traces show.
  Object.defineProperty(PartnerSdkError, 'name', { value: 'PartnerSdkError' });
  const all = { PartnerSdkError };
  for (const [name, code] of [
    ['InvalidAccessToken', 'INVALID_ACCESS_TOKEN'],
    ['InvalidAccessTokenFormat', 'INVALID_ACCESS_TOKEN_FORMAT'],
    ['AccessTokenExpiredError', 'ACCESS_TOKEN_EXPIRED'],
    ['TokenRefreshTimeoutError', 'TOKEN_REFRESH_TIMEOUT'],
    ['TokenRefreshError', 'TOKEN_REFRESH_FAILED'],
    ['ApiError', 'API_ERROR'],
    ['NetworkError', 'NETWORK_ERROR'],
    ['ConfigurationError', 'INVALID_CONFIGURATION'],
    ['ClientDestroyedError', 'CLIENT_DESTROYED'],
  ]) {
    const Class = class extends PartnerSdkError {};
    Object.defineProperty(Class, 'name', { value: name });
    Class.code = code;
    all[name] = all[code] = Class;
  }
  all.REQUEST_TIMEOUT = all.INTEGRITY_MISMATCH = all.NetworkError;
  return Object.freeze(all);
}

const shared = classes();

export const {
  PartnerSdkError, InvalidAccessToken, InvalidAccessTokenFormat, AccessTokenExpiredError,
  TokenRefreshTimeoutError, TokenRefreshError, ApiError, NetworkError, ConfigurationError,
  ClientDestroyedError,
} = shared;

/** True when `error` is a partner-sdk error, from this copy of the bundle or another. */
export function isPartnerSdkError(error) {
  return typeof error === 'object' && error !== null && error[BRAND] === true;
}

/** @internal Called from Rust: builds the error for `code`. */
export function makeError(code, message, key, status, body, requestId, cause, attempts, method, url) {
  // An option or argument key can be anything the page wrote, a token included
  // (`{ [token]: 1 }`): a JWT shape in it, or in the message that names it, is redacted.
  message = hideJwts(requestMessage(message, body, method, url));
  const options = { code };
  if (key) options.key = hideJwts(key);
  if (attempts) options.attempts = attempts;
  // An ApiError always has them (status 0: a card-form error that named none).
  if (status || code === 'API_ERROR') Object.assign(options, { status, body, requestId });
  if (code === 'TOKEN_REFRESH_FAILED') options.cause = cause;
  return new (shared[code] || PartnerSdkError)(message, options);
}

/**
 * An `ApiError`'s or a request's `NetworkError`'s message: the request (`method` and
 * `url`, shown without the URL's origin, query and fragment), then Rust's `message`, then
 * the API's own code for the error, from the JSON body's `error` or `code` when that
 * reads as one: `GET /v1/invoices/inv_9: the API answered with status 404 (not_found)`.
 * Other errors (no `method`, no body) keep Rust's message.
 */
function requestMessage(message, body, method, url) {
  const apiCode = body !== null && typeof body === 'object'
    ? [body.error, body.code].find((v) => typeof v === 'string' && /^[\w.:-]{1,64}$/.test(v)) : undefined;
  if (apiCode !== undefined) message += ` (${apiCode})`;
  if (!method) return message;
  // The token this reply was sent with is `[redacted]` already; a token an earlier
  // attempt of the call carried (before a refresh), and anything else shaped like a JWT,
  // is made so by makeError's `hideJwts`.
  const path = String(url).replace(/^[^:/?#]+:\/\/[^/?#]*/, '').replace(/[?#][^]*$/, '');
  return `${method} ${path || '/'}: ${message}`;
}

/**
 * `text` with anything shaped like a JWT made `[redacted]`: a base64url JSON header
 * (`ey…`, or `ew…` when the JSON starts with a line break) and two more dot-joined
 * base64url runs; a `[redacted]` segment Rust wrote counts as one.
 */
function hideJwts(text) {
  return text.replace(/(?:\[redacted\]|e[wy][\w-]{5,})(?:\.(?:\[redacted\]|[\w-]{8,})){2}/g, '[redacted]');
}

const abortedOf = typeof AbortSignal === 'function' ? Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'aborted')?.get : undefined;
const tagOf = Object.prototype.toString;
// Objects JSON sends as what they hold: plain ones, and the wrappers of its primitives.
const JSON_TAGS = ['[object Object]', '[object Number]', '[object String]', '[object Boolean]'];

/**
 * @internal Called from Rust: a request's `body` as JSON text. Throws for a value JSON
 * would quietly send as something else, anywhere in the body: a FormData, Blob, Map,
 * URLSearchParams, typed array, stream or Promise as `{}`, `NaN` or `Infinity` as
 * `null`, a function or symbol as nothing (`null` in an array).
 */
export function jsonBody(value) {
  const text = JSON.stringify(value, function (key, v) {
    const type = typeof v;
    // The value before its `toJSON` (a Node `Buffer` would go out as `{ type: 'Buffer',
    // data: [...] }`), read without running a getter a second time.
    const own = Object.getOwnPropertyDescriptor(this, key);
    if ((own && ArrayBuffer.isView(own.value)) || type === 'function' || type === 'symbol' || (type === 'number' && !Number.isFinite(v))
      || (v !== null && type === 'object' && !Array.isArray(v) && !JSON_TAGS.includes(tagOf.call(v)))) {
      throw new TypeError();
    }
    return v;
  });
  if (typeof text !== 'string') throw new TypeError();
  return text;
}

/**
 * @internal Called from Rust: `AbortSignal.any(signals)`, or the same built here where
 * it is missing (Node 20.0–20.2, Safari before 17.4, Firefox before 124) or leaks (Node:
 * its `AbortSignal.any` keeps a dead entry on a long-lived signal for every signal ever
 * joined to it, nodejs/node#55351, so a server's shutdown signal passed to every call
 * would grow without end). Throws unless every item is a genuine `AbortSignal`: a
 * look-alike or a Proxy fails the `aborted` getter's brand check. As with the native one,
 * a signal that outlives the joined one (a page's long-lived signal, a client's lifetime)
 * does not keep it.
 */
export function anySignal(signals) {
  // Checked here too: Node's own AbortSignal.any takes any object with `aborted`.
  const states = signals.map((signal) => (abortedOf ? abortedOf.call(signal) : signal.aborted));
  if (AbortSignal.any && !IN_NODE) return AbortSignal.any(signals);
  const controller = new AbortController();
  const joined = controller.signal;
  const first = states.indexOf(true);
  if (first >= 0) {
    controller.abort(signals[first].reason);
    return joined;
  }
  controllers.set(joined, controller);
  const weak = typeof WeakRef === 'function' ? new WeakRef(controller) : holding(controller);
  for (const signal of signals) follow(signal, weak);
  return joined;
}

const IN_NODE = typeof process === 'object' && process !== null && typeof process.versions?.node === 'string';

// anySignal's fallback. Each joined signal keeps its controller (`controllers`); a signal
// it follows has one listener of ours, whatever the number of signals joined to it, and
// reaches their controllers only weakly: a joined signal is collected with its call, and
// its entry goes at the next sweep (the list is swept whenever it has doubled since the
// last one, so adding stays cheap on average). One listener, so Node never warns of
// listeners piling up on a long-lived signal.
const controllers = new WeakMap();
const followers = new WeakMap();
function follow(signal, weak) {
  let list = followers.get(signal);
  if (!list) {
    list = { weak: [], sweepAt: 16 };
    followers.set(signal, list);
    signal.addEventListener('abort', () => {
      for (const w of list.weak.splice(0)) w.deref()?.abort(signal.reason);
    }, { once: true });
  }
  if (list.weak.length >= list.sweepAt) {
    list.weak = list.weak.filter((w) => w.deref() !== undefined);
    list.sweepAt = Math.max(16, list.weak.length * 2);
  }
  list.weak.push(weak);
}
function holding(value) {
  return { deref: () => value };
}

/**
 * @internal Called from Rust: `text` without the token of `authorization` (`Bearer <token>`)
 * or any of its segments of 8 characters or more, for an `ApiError` made from an answer
 * that repeats them (a proxy's error page listing the request's headers). A JSON text is
 * also checked as parsed, so a token spelled with escapes (`\u0065yJ…`) is caught; such a
 * text comes back re-serialised.
 */
export function redact(text, authorization) {
  const token = authorization.slice(7);
  const parts = [token, ...token.split('.')].filter((part) => part.length > 7);
  const clean = (t) => parts.reduce((out, part) => out.split(part).join('[redacted]'), t);
  const raw = String(text);
  let value;
  try {
    value = JSON.parse(raw);
  } catch {
    return clean(raw); // not JSON: escapes mean nothing in it
  }
  // JSON: checked as parsed, before any text is cut out (that could split an escape
  // such as `\u0033` from a segment starting with `3`, and leave the text unparsable).
  try {
    const json = JSON.stringify(value);
    const cleaned = clean(json);
    return cleaned === json ? clean(raw) : cleaned; // (clean(raw): a duplicate key's lost value)
  } catch {
    return '[redacted]'; // JSON too deep to write again, so too deep to check
  }
}

/**
 * @internal Called from Rust: one attempt's `fetch`, in one call from wasm instead of
 * one per option. Rust decides everything (URL, token, signal, when to call it); this
 * only puts `Authorization` on the caller's normalised headers, never follows a redirect,
 * and bypasses the HTTP cache (`no-store`, where the runtime takes it): Chromium lets one
 * request per URL through its cache at a time, so identical GETs sent at once would wait
 * for each other inside `fetch`, their `requestTimeoutMs` running; and a token-bearing
 * answer is never stored.
 */
export function fetchAttempt(url, method, headers, authorization, body, signal) {
  headers.set('authorization', authorization);
  // 'manual', not 'error': the SDK sees the redirect (status 0 in a browser) and says
  // so, instead of a failed fetch it would retry.
  const init = { method, headers, body, signal, redirect: 'manual' };
  if (noStore()) init.cache = 'no-store';
  if (fetch !== seenFetch) {
    seenFetch = fetch;
    nativeFetch = isNative(fetch);
  }
  return nativeFetch ? fetch(url, init) : wrappedFetch(url, init, signal);
}

// Whether this runtime's `fetch` takes `cache: 'no-store'`: browsers and Node do; a
// Cloudflare Worker with a compatibility date before 2024-11-11 throws for any `cache`.
let storeless;
function noStore() {
  if (storeless === undefined) {
    try {
      new Request('https://partner-sdk.invalid/', { cache: 'no-store' });
      storeless = true;
    } catch {
      storeless = false;
    }
  }
  return storeless;
}

// The `fetch` last looked at, and whether it is the browser's own. A page (a monitoring
// script, an interceptor) may have replaced it with a wrapper: only then does an attempt
// pay for the guards of `wrappedFetch`.
let seenFetch;
let nativeFetch = false;

// The browser's own `fetch` reads `function fetch() { [native code] }`. A bound function
// or a Proxy also reads as native code, but without the name: those are wrappers.
const sourceOf = Function.prototype.toString;
function isNative(f) {
  try {
    return /^function fetch\(\)\s*\{\s*\[native code\]\s*\}$/.test(sourceOf.call(f));
  } catch {
    return false;
  }
}

/**
 * A page's `fetch` wrapper, guarded: an abort of `signal` ends the wait even if the
 * wrapper did not pass it on; a genuine promise is adopted by `await` without running a
 * `then` of its own (which could throw), any other thenable in a job of its own.
 */
function wrappedFetch(url, init, signal) {
  return new Promise((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    // Removed once settled: a listener would keep the attempt's joined signal, and with
    // it this call's URL and body, for as long as a caller's long-lived signal lives.
    const settle = (then) => (value) => {
      signal.removeEventListener('abort', abort);
      then(value);
    };
    awaited(url, init).then(settle(resolve), settle(reject));
  });
}

// The Response accessors as the browser (or Node) defines them: read through these, a
// Proxy's traps or an own getter on the object are never what answers.
const proto = typeof Response === 'function' ? Response.prototype : {};
const accessor = (name) => Object.getOwnPropertyDescriptor(proto, name)?.get;
const [statusOf, headersOf, bodyOf, usedOf] = ['status', 'headers', 'body', 'bodyUsed'].map(accessor);

/**
 * What the wrapper gave, as a new genuine `Response` the SDK reads without running page
 * code. A genuine one (it passes the accessors' brand checks) keeps its streaming body;
 * anything else (a Proxy the browser refuses, a test's mock) is read here, through its
 * own `status`, `headers` and `text()`. A throw there, or a value no `Response` can be
 * made of, is a failed fetch (`NetworkError`).
 */
async function awaited(url, init) {
  const response = await fetch(url, init);
  let status, headers, body;
  try {
    [status, headers, body] = [statusOf.call(response), headersOf.call(response), bodyOf.call(response)];
    // A body the wrapper read already (its `text()` then rejects below): a failed fetch.
    if (usedOf.call(response)) throw new TypeError();
    // An opaque redirect, which no new Response can copy: the SDK refuses it as it is.
    if (status === 0) return response;
  } catch {
    // (`undefined`, `null` or a primitive throws here too: a failed fetch.)
    status = response.status;
    headers = response.headers ?? undefined;
    body = await response.text();
    if (typeof body !== 'string') throw new TypeError();
  }
  const empty = status === 204 || status === 205 || status === 304;
  // A stream ends with the attempt's signal, as the body of the runtime's own fetch
  // does: its deadline, the caller's abort and destroy() also end a body that stalls.
  if (body && typeof body !== 'string' && typeof TransformStream === 'function') {
    body = body.pipeThrough(new TransformStream(), { signal: init.signal });
  }
  return new Response(empty ? null : body, { status, headers: new Headers(headers) });
}

/**
 * @internal Called from Rust: every timer the SDK sets. `kind` 0: `setTimeout`;
 * 2: `setInterval`. Never throws: if the page
 * made `setTimeout` (or `setInterval`) throw, the timer runs on `AbortSignal.timeout`
 * instead. The id is what `clearTimer` takes.
 */
export function setTimer(handler, ms, kind) {
  // A timer that fires after a page's clearTimeout threw finds its handler gone (the
  // wasm closure throws): that stays here.
  const run = () => {
    try {
      handler();
    } catch {
      // nothing left to run
    }
  };
  try {
    return (kind === 2 ? setInterval : setTimeout)(run, ms);
  } catch {
    return signalTimer(run, ms, kind === 2);
  }
}

/** A timer on `AbortSignal.timeout(ms)`, repeating when `repeat`; `undefined` without one. */
function signalTimer(run, ms, repeat) {
  const timer = { cleared: false };
  const arm = () => {
    AbortSignal.timeout(ms).addEventListener('abort', () => {
      if (timer.cleared) return;
      if (repeat) arm();
      run();
    }, { once: true });
  };
  try {
    arm();
    return timer;
  } catch {
    return undefined;
  }
}

/** @internal Called from Rust: clears a timer or interval of `setTimer`. Never throws. */
export function clearTimer(id) {
  if (typeof id === 'object' && id !== null && id.cleared === false) {
    id.cleared = true;
    return;
  }
  try {
    clearTimeout(id);
  } catch {
    try {
      clearInterval(id); // the same ids, in browsers and Node
    } catch {
      // the page's clearTimeout threw: the timer may still fire, and `run` absorbs it
    }
  }
}

/**
 * @internal Called from Rust: a promise of what a token callback returned. A thenable is
 * adopted in a job of its own, so whatever its `then` does, throwing included, settles
 * this promise instead of running inside the SDK's call. `cut` aborted (the SDK stopped
 * waiting: the deadline, `destroy()`) settles it with `undefined`, so a callback that
 * never settles keeps nothing of the SDK.
 */
export function settleOf(value, cut) {
  return new Promise((resolve, reject) => {
    new Promise((adopt) => adopt(value)).then(resolve, reject);
    if (cut) cut.addEventListener('abort', () => resolve(), { once: true });
  });
}

/**
 * @internal Calls a page's notification callback (`onTokenRefreshed`, a periodic check's
 * callback, the card form's `onSuccess`, `onError`, `onCancel`) with `arg`. What it throws,
 * or what the promise it returns rejects with, is the page's own error: it is reported as
 * an uncaught error is (`reportError`: the window's `error` event and the console), as a
 * throwing `setInterval` callback or event listener is, and never reaches the SDK. Node
 * has no `reportError`: there it is thrown on the next tick, an uncaught exception (the
 * process's `uncaughtException` event; the end of a process that has no handler), as
 * Node's own `EventTarget` reports a throwing listener. Never throws.
 */
export function notify(callback, arg) {
  try {
    const value = callback(arg);
    // Reading `then` runs the page's getter, if it has one: inside the try too.
    if (value !== null && (typeof value === 'object' || typeof value === 'function') && typeof value.then === 'function') {
      value.then(undefined, report);
    }
  } catch (error) {
    report(error);
  }
}

function report(error) {
  try {
    if (typeof globalThis.reportError === 'function') globalThis.reportError(error);
    else if (IN_NODE) process.nextTick(() => { throw error; });
  } catch {
    // a page that replaced reportError with one that throws
  }
}

// SafeSDK's turns across tabs (js/turns.js), installed by the Gatekeeper entry so that
// pages without SafeSDK do not download them. Until then: no lock.
let turns = () => Promise.resolve([() => {}]);

/** @internal Called from Rust (SafeSDK's device registration): see js/turns.js. */
export function takeTurn(key, signal, ms) {
  return turns(key, signal, ms);
}

/** @internal The Gatekeeper entry installs js/turns.js's `takeTurn`. */
export function useTurns(f) {
  turns = f;
}
