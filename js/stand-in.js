// The SafeSDK a page gets from `new SafeSDK(options)` while the Gatekeeper wasm is not
// loaded: the module entry's when its load failed, the classic script's before SafeSDK's
// module has loaded (it loads on demand). Every method forwards to the real SafeSDK,
// which is built with the same options once the wasm is there.
import { ClientDestroyedError } from './errors.js';

/**
 * A SafeSDK whose `initialize()` loads the wasm first (again, after a failure), then
 * builds the real one with `options` and initializes it. So a missing or refused .wasm
 * rejects `initialize()` with its `NetworkError`, and bad options reject it with
 * `ConfigurationError`, instead of the constructor throwing. Until the real one exists,
 * `check()` waits for an `initialize()` under way (or rejects), and `setAccessToken()`
 * and `startPeriodicCheck()` throw, with the constructor's error or `notLoaded()`. Once destroyed, every call rejects or throws
 * `ClientDestroyedError`, and `initialize()` loads nothing.
 * @param {object} options what the page passed to the constructor
 * @param {() => Promise<Function>} loadClass loads the wasm (or waits for its load) and
 *   resolves to the real SafeSDK class
 * @param {() => Error} notLoaded why there is no real SafeSDK yet
 * @param {object} prototype the stand-in's prototype (for `instanceof`)
 * @param {boolean} eager build the real one as soon as the wasm has loaded, not at the
 *   first `initialize()`
 */
export function standIn(options, loadClass, notLoaded, prototype, eager) {
  let sdk;
  let refused; // the real constructor's error (bad options), once it has run
  let destroyed = false;
  let starting; // the load an initialize() started, while there is no real SafeSDK yet
  const load = () => loadClass().then((SafeSDK) => {
    try {
      sdk ??= new SafeSDK(options);
    } catch (error) {
      refused = error;
      throw error;
    }
    if (destroyed) sdk.destroy();
    return sdk;
  });
  const why = () => (destroyed ? new ClientDestroyedError('the client was destroyed') : refused || notLoaded());
  const real = () => {
    if (!sdk) throw why();
    return sdk;
  };
  // Freed before it was built: as destroyed (the real one is then never usable either).
  const free = () => {
    destroyed = true;
    sdk?.free();
  };
  if (eager) load().catch(() => {});
  return Object.defineProperties(Object.create(prototype), {
    initialize: {
      value: (jwt) => {
        if (destroyed && !sdk) return Promise.reject(why());
        const loading = load();
        if (!sdk) starting = loading;
        return loading.then((s) => s.initialize(jwt));
      },
    },
    setAccessToken: { value: (jwt) => real().setAccessToken(jwt) },
    // Made while an initialize() still loads the module: it waits for that load, then
    // for the initialize() itself (as the real one waits for it), or rejects with the
    // load's error.
    check: {
      value: () => {
        if (sdk) return sdk.check();
        return starting && !destroyed ? starting.then((s) => s.check()) : Promise.reject(why());
      },
    },
    startPeriodicCheck: { value: (ms, callback) => real().startPeriodicCheck(ms, callback) },
    stopPeriodicCheck: { value: () => sdk?.stopPeriodicCheck() },
    deviceId: { get: () => (sdk ? sdk.deviceId : null) },
    toJSON: { value: () => ({ deviceId: sdk ? sdk.deviceId : null }) },
    destroy: { value: () => { destroyed = true; sdk?.destroy(); } },
    free: { value: free },
    ...(Symbol.dispose ? { [Symbol.dispose]: { value: free } } : {}),
  });
}
