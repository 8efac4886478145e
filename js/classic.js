// partner-sdk, classic-script entry: bundled to pkg/partner-sdk.js, which defines the
// global `PartnerSDK`. The wasm is found beside the script via document.currentScript.
import initWasm, { AlternativeClient, SafeSDK as WasmSafeSDK } from './partner_sdk.js';
import { ConfigurationError, NetworkError } from './errors.js';

// The public error surface (makeError and ignoreRejection stay internal).
export {
  PartnerSdkError, InvalidAccessToken, InvalidAccessTokenFormat, AccessTokenExpiredError,
  TokenRefreshTimeoutError, TokenRefreshError, ApiError, NetworkError, ConfigurationError,
  ClientDestroyedError, isPartnerSdkError,
} from './errors.js';
export { AlternativeClient };

const script = typeof document !== 'undefined' ? document.currentScript : null;
const defaultUrl = new URL('partner_sdk_bg.wasm', script && script.src ? script.src : location.href);
let loading;
let loaded = false;

/**
 * Loads the wasm module once; the first `create()` does it for you.
 * @param {RequestInfo | URL | Response | BufferSource | WebAssembly.Module} [moduleOrUrl]
 */
export function init(moduleOrUrl) {
  if (!loading || moduleOrUrl !== undefined) {
    loading = initWasm({ module_or_path: moduleOrUrl === undefined ? defaultUrl : moduleOrUrl });
    loading.then(
      () => { loaded = true; },
      () => { loading = undefined; },
    );
  }
  return loading.then(() => undefined);
}

/** Resolves once the wasm has loaded (it starts loading when this script runs). */
export const ready = init();
ready.catch(() => {});

// A .wasm that cannot be fetched or compiled surfaces as the SDK's NetworkError.
async function load() {
  try {
    await init();
  } catch (cause) {
    throw new NetworkError('partner-sdk could not load its wasm module', { cause });
  }
}

const create = AlternativeClient.create;
AlternativeClient.create = async function (options) {
  await load();
  return create.call(this, options);
};

/** `new SafeSDK(...)` validates synchronously, so it needs the wasm: await `PartnerSDK.ready`. */
export const SafeSDK = new Proxy(WasmSafeSDK, {
  construct(target, args, newTarget) {
    if (!loaded) {
      throw new ConfigurationError('partner-sdk is still loading: await PartnerSDK.ready before new SafeSDK()', { key: 'SafeSDK' });
    }
    return Reflect.construct(target, args, newTarget);
  },
});
