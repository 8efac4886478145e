// The one way an entry waits for its wasm: `init()` loads it once and every entry
// point awaits that same promise. The loader knows the SHA-384 of the .wasm this
// build produced and refuses any other bytes, whoever hosts them.
import { ConfigurationError, NetworkError } from './errors.js';

const failed = (code, message, cause) => new NetworkError(message, { code, cause });
const NOT_LOADED = 'partner-sdk could not load its wasm module';
// A .wasm download that stalls (a host that accepts the connection and never answers)
// fails after this long, rather than leaving every create() pending. It covers the whole
// download (a pinned fetch settles once the body is in): generous for slow links.
const LOAD_MS = 60000;
/** The signal of one .wasm fetch: its deadline, where the runtime has `AbortSignal.timeout`. */
const loadDeadline = () => (AbortSignal.timeout ? AbortSignal.timeout(LOAD_MS) : undefined);
// Served as application/wasm: compiled while it streams; otherwise handed over as bytes
// (streaming compilation would refuse it and wasm-bindgen would warn on the console).
// (Exactly `application/wasm`, as streaming compilation requires: no parameters.)
const isWasm = (response) => /^\s*application\/wasm\s*$/i.test(response.headers.get('content-type') || '');

/** A file that is not there (an error page, an opaque answer): its status and where, no query. */
/** ` for <origin><path>` of a URL, Request or Response; `''` when it has none. */
function named(from) {
  if (from == null) return ''; // bytes
  try {
    const text = String(typeof from === 'object' && 'url' in from ? from.url : from);
    if (!text) return ''; // a Response made in the page
    // Resolved as `fetch` resolves it (a page's `<base href>` included).
    const url = new URL(text, globalThis.document?.baseURI ?? globalThis.location?.href);
    // Not a `data:` or `blob:` URL: no host to name, and a data: URL holds the whole file.
    return /^https?:$/.test(url.protocol) ? ` for ${url.origin}${url.pathname}` : '';
  } catch {
    return ''; // a page's object whose getters throw
  }
}

function httpFailure(response) {
  return failed('NETWORK_ERROR', `${NOT_LOADED}: ${response.status ? `HTTP ${response.status}` : 'no readable answer'}${named(response)}`);
}

/**
 * Node: a .wasm that is not where the entry reads it (a bundle that copied only the JS)
 * is named, with the way out; anything else is the plain message, its cause attached.
 */
/** `value instanceof Class`, false for a value that throws when asked (a revoked Proxy). */
const isA = (value, Class) => {
  try {
    return value instanceof Class;
  } catch {
    return false;
  }
};

function missingFile(cause) {
  let path;
  try {
    path = cause instanceof Error && cause.code === 'ENOENT' && cause.path;
  } catch {
    // (a page's rejection value whose getters throw: the plain message)
  }
  return typeof path === 'string'
    ? `${NOT_LOADED}: no file at ${path} (ship the package's .wasm beside the entry, or pass its bytes to init())`
    : NOT_LOADED;
}

// The kinds of object an `init()` source can be (by tag, so also from another realm).
const SOURCE = /^\[object (String|URL|TrustedScriptURL|Request|Response|ArrayBuffer|WebAssembly\.Module)\]$/;
const tagOf = (value) => Object.prototype.toString.call(value);
/** What no `init()` source can be: not a string, buffer, promise or one of `SOURCE` (`42`, `{}`, `[]`, a `Map`). */
export const unusable = (source) => {
  try {
    return !(typeof source === 'string' || ArrayBuffer.isView(source)
      || typeof source?.then === 'function' || SOURCE.test(tagOf(source)));
  } catch {
    return true; // (a revoked Proxy, a `then` getter that throws)
  }
};
const badInit = () => new ConfigurationError(
  'invalid option `init`: must be a URL, Request, Response, BufferSource or WebAssembly.Module',
  { key: 'init' },
);
// What a load that another one overtook resolves to: the module is there already.
const LOADED = {};
const late = (cause) => failed('NETWORK_ERROR', `${NOT_LOADED} within ${LOAD_MS / 1000} s`, cause);
const mismatch = (from) => failed('INTEGRITY_MISMATCH', `partner-sdk refused the .wasm${named(from)}: its SHA-384 is not the one this build pinned`);

/** `sha384-<base64>` of `bytes`. */
async function digest(bytes) {
  // Browsers give WebCrypto to secure contexts only (a phone on a LAN dev server is not one).
  if (!globalThis.crypto?.subtle) throw failed('NETWORK_ERROR', `${NOT_LOADED}: checking it needs crypto.subtle, which a page has only on https: or localhost`);
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-384', bytes));
  let text = '';
  for (const byte of hash) text += String.fromCharCode(byte);
  return `sha384-${btoa(text)}`;
}

async function checked(bytes, integrity, from) {
  if ((await digest(bytes)) !== integrity) throw mismatch(from);
  return bytes;
}

/**
 * Fetches with `integrity` (the browser refuses other bytes; the fetch settles once the
 * whole body has arrived and been checked), or awaits `started`, that same fetch begun
 * earlier. The browser's error does not say why a pinned fetch failed (a cut connection
 * and a wrong byte look alike), so the file is fetched once more without the pin and
 * hashed here: this build's bytes are used (the first try failed on the way), other
 * wasm bytes are `INTEGRITY_MISMATCH`, no file (or no wasm) is a network failure.
 * Without WebCrypto the pinned fetch is tried once more instead.
 */
async function pinnedFetch(input, integrity, started) {
  let response;
  try {
    response = await (started || fetch(input, { integrity, signal: loadDeadline() }));
  } catch (cause) {
    // Only the deadline aborts this fetch (some runtimes say AbortError rather than its reason).
    if (cause && (cause.name === 'TimeoutError' || cause.name === 'AbortError')) {
      throw late(cause);
    }
    const plain = await fetch(input, { signal: loadDeadline() }).catch(() => null);
    // A 404: a file that is not there.
    if (plain && !plain.ok) throw httpFailure(plain);
    const bytes = plain && (await plain.arrayBuffer().catch(() => null));
    if (!bytes) throw failed('NETWORK_ERROR', NOT_LOADED, cause);
    // Not wasm at all (a dev server's page for a missing file): a file that is not there.
    if (new Uint8Array(bytes, 0, Math.min(4, bytes.byteLength)).join() !== '0,97,115,109') {
      throw failed('NETWORK_ERROR', NOT_LOADED, cause);
    }
    if (globalThis.crypto?.subtle) return checked(bytes, integrity, input);
    // No WebCrypto (a page on plain http): the browser checks once more. Refused again
    // with wasm there, the bytes are not ours.
    return fetch(input, { integrity, signal: loadDeadline() }).then(
      (again) => (isWasm(again) ? again : again.arrayBuffer()),
      () => {
        throw mismatch(input);
      },
    );
  }
  return isWasm(response) ? response : response.arrayBuffer();
}

/** What the wasm-bindgen init gets from `source`: a checked Response, checked bytes, or a Module. */
async function verified(source, integrity) {
  source = await source; // a page's promise, or the Node entries' default: a promise of the file's bytes
  // By tag, as `unusable` decides: a Response or buffer from another realm is one too.
  const tag = tagOf(source);
  if (tag === '[object WebAssembly.Module]') return source; // the caller vouches for it
  if (tag === '[object Response]') {
    // An error page is a file that is not there, not a file that was changed.
    if (!source.ok) throw httpFailure(source);
    return checked(await source.arrayBuffer(), integrity, source);
  }
  // Any view as bytes: WebAssembly takes a typed array, not a DataView.
  if (ArrayBuffer.isView(source)) return checked(new Uint8Array(source.buffer, source.byteOffset, source.byteLength), integrity);
  if (tag === '[object ArrayBuffer]') return checked(source, integrity);
  if (unusable(source)) throw badInit(); // (a promise of one)
  return pinnedFetch(source, integrity);
}

/**
 * The default location of a .wasm, corrected for dev servers that pre-bundle the
 * package elsewhere: Vite 7 serves it from node_modules/.vite/deps/, where the file is
 * not, so look in the package's own pkg/ folder instead.
 * @param {URL} url `new URL('<file>', import.meta.url)`, the form bundlers ship as an asset
 */
export function besidePackage(url) {
  const file = url.pathname.slice(url.pathname.lastIndexOf('/') + 1);
  return url.pathname.includes('/node_modules/.vite/deps/')
    ? new URL(`../../partner-sdk/pkg/${file}`, url)
    : url;
}

/**
 * `where()`, the default source; when the entry's own URL cannot locate a file (a
 * CommonJS bundle has no `import.meta.url`, a `data:` or `blob:` module has no folder), a
 * rejected promise of the `NetworkError` saying what to do, so that the import succeeds,
 * `ready` and `create()` reject, and `init(bytes)` can still load it.
 * @param {() => unknown} where
 */
function besideEntry(where) {
  try {
    return where();
  } catch (cause) {
    return Promise.reject(failed('NETWORK_ERROR', `${NOT_LOADED}: this entry's own URL cannot locate the .wasm (pass its URL or bytes to init())`, cause));
  }
}

/**
 * A loader for one wasm module.
 * @param {(input: object) => Promise<unknown>} initWasm the wasm-bindgen init of that module
 * @param {() => unknown} where the default source of its .wasm (beside the entry)
 * @param {string} integrity `sha384-…` of the .wasm this build produced
 * @param {Promise<Response>} [early] `fetch(where(), { integrity })`, started before the
 *   loader existed (partner-sdk.js's first statement): the first default load uses it
 */
export function loader(initWasm, where, integrity, early) {
  let loading; // what init() without a source waits for: the latest load under way, or the loaded one
  let loaded = false;
  let failure;
  const unsettled = new WeakSet(); // the `loading` values still under way
  let onLoaded;
  const whenLoaded = new Promise((resolve) => {
    onLoaded = resolve;
  });
  /**
   * `bytes`, or `late()` once the load deadline has passed (a page's promise or Response
   * whose body never ends must not leave every create() pending), or `LOADED` as soon as
   * another load has loaded the module (its timer then holds nothing, in Node too).
   */
  function inTime(bytes) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(late()), LOAD_MS);
      const done = (settle) => (value) => {
        clearTimeout(timer);
        settle(value);
      };
      bytes.then(done(resolve), done(reject));
      whenLoaded.then(() => done(resolve)(LOADED));
    });
  }
  /**
   * Loads the wasm once. Optional: the first use loads it for you. Once loaded, later
   * calls keep that module; a failed load can be tried again (with another source).
   * @param {RequestInfo | URL | Response | BufferSource | WebAssembly.Module} [source]
   */
  function init(source) {
    // Refused before anything changes: a load under way goes on, a loaded module stays.
    if (source !== undefined && unusable(source)) return Promise.reject(badInit());
    if (loaded) {
      // The module stays and the source goes unused: a promise of one that rejects
      // later (init(fetch(url)) after the load) must not be an unhandled rejection.
      try {
        Promise.resolve(source).catch(() => {});
      } catch {
        // (a promise whose `constructor` getter throws: nothing to watch)
      }
      return loading;
    }
    if (loading && source === undefined) return loading;
    const previous = loading;
    // The early fetch serves one default load; a retry fetches again.
    const started = source === undefined ? early : undefined;
    if (source === undefined) early = undefined;
    const from = source === undefined ? besideEntry(where) : source;
    const attempt = inTime(started ? pinnedFetch(from, integrity, started) : verified(from, integrity))
      .then((module_or_path) => module_or_path === LOADED || initWasm({ module_or_path }))
      .then(
        () => {
          loaded = true;
          loading = attempt;
          onLoaded();
        },
        (cause) => {
          unsettled.delete(joined);
          // A promise of something that is no source (init(Promise.resolve(42))) is the
          // caller's mistake: the load it replaced, if still under way, is the one again.
          if (isA(cause, ConfigurationError) && source !== undefined) {
            if (loading === joined) loading = unsettled.has(previous) ? previous : undefined;
            throw cause;
          }
          // Only the latest attempt decides: an older default load failing after
          // init(url) started must not undo it.
          if (loading === joined) loading = undefined;
          failure = isA(cause, NetworkError) ? cause : failed('NETWORK_ERROR', missingFile(cause), cause);
          throw failure;
        },
      );
    // Calls without a source wait for this load; if it is refused that way, for what
    // init() gives then (the load it replaced, or a new one). Loaded meanwhile by
    // another load (the default one, while a page's init(fetch(…)) still waits): they
    // go on at once.
    const joined = Promise.race([whenLoaded, attempt.catch((cause) => {
      if (loaded) return undefined;
      return isA(cause, ConfigurationError) && source !== undefined ? init() : Promise.reject(cause);
    })]);
    joined.catch(() => {});
    unsettled.add(joined);
    loading = joined;
    return attempt;
  }
  /**
   * Starts the default load (unless one is under way or done) and settles once the
   * module has loaded, or rejects with the latest load's failure: a load that an
   * `init(source)` overtook does not decide, also when it fails first. What an entry
   * exports as `ready`.
   */
  function ready() {
    const follow = (current) => current.then(() => undefined, (cause) => {
      if (loaded) return undefined;
      if (loading && loading !== current) return follow(loading);
      throw cause;
    });
    init();
    return follow(loading);
  }
  /** Why a class cannot be constructed yet: the load's failure, or still loading. */
  function notLoaded() {
    return failure && !loading ? failure : new ConfigurationError(
      'the wasm is still loading: await ready (or init()) first',
      { key: 'SafeSDK' },
    );
  }
  return { init, ready, isLoaded: () => loaded, notLoaded };
}
