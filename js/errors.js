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
      if (options.status !== undefined) {
        this.status = options.status;
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
export function makeError(code, message, key, status, body, requestId, cause, attempts) {
  const options = { code };
  if (key) options.key = key;
  if (attempts) options.attempts = attempts;
  // An ApiError always has them (status 0: a card-form error that named none).
  if (status || code === 'API_ERROR') Object.assign(options, { status, body, requestId });
  if (code === 'TOKEN_REFRESH_FAILED') options.cause = cause;
  return new (shared[code] || PartnerSdkError)(message, options);
}

/**
 * @internal Called from Rust: one attempt's `fetch`, in one call from wasm instead of
 * one per option. Rust decides everything (URL, token, signal, when to call it); this
 * only puts `Authorization` on the caller's normalised headers and never follows a redirect.
 */
export function fetchAttempt(url, method, headers, authorization, body, signal) {
  headers.set('authorization', authorization);
  const init = { method, headers, body, signal, redirect: 'error' };
  if (fetch !== seenFetch) {
    seenFetch = fetch;
    nativeFetch = isNative(fetch);
  }
  return nativeFetch ? fetch(url, init) : wrappedFetch(url, init, signal);
}

// The `fetch` last looked at, and whether it is the browser's own. A page (a monitoring
// script, an interceptor) may have replaced it with a wrapper: only then does an attempt
// pay for the guards of `wrappedFetch`.
let seenFetch;
let nativeFetch = false;

function isNative(f) {
  try {
    return /\{\s*\[native code\]\s*\}\s*$/.test(Function.prototype.toString.call(f));
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
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    awaited(url, init).then(resolve, reject);
  });
}

// Reads a Response's status, and throws for anything that is not a genuine Response
// (a Proxy of one, a mock): the browser's own brand check.
const statusOf = typeof Response === 'function'
  ? Object.getOwnPropertyDescriptor(Response.prototype, 'status')?.get
  : undefined;

/**
 * What the wrapper gave, as a genuine `Response` the SDK can read without running page
 * code: a genuine one as it is; anything else (a Proxy of one, a test's mock) is read
 * here, through its own `status`, `headers` and `text()`, into a new `Response`. A throw
 * there, or a value no `Response` can be made of, is a failed fetch (`NetworkError`).
 */
async function awaited(url, init) {
  const response = await fetch(url, init);
  try {
    statusOf.call(response);
    return response;
  } catch {
    // not a genuine Response: read below
  }
  if (typeof response !== 'object' || response === null) throw new TypeError('fetch gave no Response');
  const status = response.status;
  const text = await response.text();
  if (typeof text !== 'string') throw new TypeError('fetch gave a body that is not text');
  const empty = status === 204 || status === 205 || status === 304;
  return new Response(empty ? null : text, { status, headers: new Headers(response.headers ?? undefined) });
}

/**
 * @internal Called from Rust: every timer the SDK sets. `kind` 0: `setTimeout`; 1: a
 * `setTimeout` that in Node does not keep the process alive by itself (request
 * deadlines: a request in flight does); 2: `setInterval`. If a page made `setTimeout`
 * throw, the handler runs in a microtask instead: a wait ends early, never hangs. The
 * id is what `clearTimer` takes.
 */
export function setTimer(handler, ms, kind) {
  try {
    const id = (kind === 2 ? setInterval : setTimeout)(handler, ms);
    if (kind === 1 && typeof id === 'object' && id !== null && typeof id.unref === 'function') id.unref();
    return id;
  } catch {
    if (kind !== 2) Promise.resolve().then(handler);
    return undefined;
  }
}

/** @internal Called from Rust: clears a timer or interval of `setTimer`. */
export function clearTimer(id) {
  try {
    clearTimeout(id);
  } catch {
    // a page's clearTimeout threw: the timer's handler finds its Rust side gone
  }
}

/**
 * @internal Called from Rust: a promise of what a token callback returned. A thenable is
 * adopted in a job of its own, so whatever its `then` does, throwing included, settles
 * this promise instead of running inside the SDK's call.
 */
export function settleOf(value) {
  return new Promise((resolve) => resolve(value));
}

/** @internal Called from Rust: keeps a page callback's rejected promise from going unhandled. */
export function ignoreRejection(value) {
  try {
    // Reading `then` runs the page's getter, if it has one: inside the try too.
    if (value !== null && (typeof value === 'object' || typeof value === 'function') && typeof value.then === 'function') {
      value.then(undefined, () => {});
    }
  } catch {
    // a hostile thenable: nothing to do
  }
}
