// partner-sdk, ESM entry. The wasm sits beside this file and is loaded at import
// (top-level await), so `new SafeSDK(...)` can validate synchronously. Call `init(url)`
// to pre-load or to host the .wasm elsewhere.
import initWasm, { AlternativeClient, SafeSDK } from './partner_sdk.js';
import { NetworkError } from './errors.js';

// The public error surface (makeError and ignoreRejection stay internal).
export {
  PartnerSdkError, InvalidAccessToken, InvalidAccessTokenFormat, AccessTokenExpiredError,
  TokenRefreshTimeoutError, TokenRefreshError, ApiError, NetworkError, ConfigurationError,
  ClientDestroyedError, isPartnerSdkError,
} from './errors.js';
export { AlternativeClient, SafeSDK };

let loading;

/**
 * Loads the wasm module once. Optional: the first use loads it for you.
 * @param {RequestInfo | URL | Response | BufferSource | WebAssembly.Module} [moduleOrUrl]
 * @returns {Promise<void>}
 */
export function init(moduleOrUrl) {
  if (!loading || moduleOrUrl !== undefined) {
    loading = initWasm(moduleOrUrl === undefined ? undefined : { module_or_path: moduleOrUrl });
    loading.catch(() => {
      loading = undefined;
    });
  }
  return loading.then(() => undefined);
}

// A .wasm that cannot be fetched or compiled surfaces as the SDK's NetworkError.
async function load() {
  try {
    await init();
  } catch (cause) {
    throw new NetworkError('partner-sdk could not load its wasm module', { cause });
  }
}

const create = AlternativeClient.create;
/** @param {object} options */
AlternativeClient.create = async function (options) {
  await load();
  return create.call(this, options);
};

/** Settles once the wasm beside this file has loaded (as `PartnerSDK.ready` does). */
export const ready = init();
ready.catch(() => {});

try {
  await ready;
} catch {
  // The .wasm is not beside this file: the page calls init(url) itself.
}
