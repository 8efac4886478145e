// partner-sdk, ESM entry. The wasm sits beside this file and is loaded at import
// (top-level await), so `new SafeSDK(...)` can validate synchronously. Call `init(url)`
// to pre-load or to host the .wasm elsewhere.
import { AlternativeClient, SafeSDK } from './partner_sdk.js';
import { init } from './loader.js';

// The public error surface (makeError and ignoreRejection stay internal).
export {
  PartnerSdkError, InvalidAccessToken, InvalidAccessTokenFormat, AccessTokenExpiredError,
  TokenRefreshTimeoutError, TokenRefreshError, ApiError, NetworkError, ConfigurationError,
  ClientDestroyedError, isPartnerSdkError,
} from './errors.js';
export { AlternativeClient, SafeSDK, init };

/** Settles once the wasm beside this file has loaded (as `PartnerSDK.ready` does). */
export const ready = init();
ready.catch(() => {});

try {
  await ready;
} catch {
  // The .wasm is not beside this file: the page calls init(url) itself.
}
