// partner-sdk, classic-script entry: bundled to pkg/partner-sdk.js, which defines the
// global `PartnerSDK`. The wasm is found beside the script via document.currentScript.
import { AlternativeClient, SafeSDK as WasmSafeSDK } from './partner_sdk.js';
import { ConfigurationError } from './errors.js';
import { init, isLoaded, setDefaultSource } from './loader.js';

// The public error surface (makeError and ignoreRejection stay internal).
export {
  PartnerSdkError, InvalidAccessToken, InvalidAccessTokenFormat, AccessTokenExpiredError,
  TokenRefreshTimeoutError, TokenRefreshError, ApiError, NetworkError, ConfigurationError,
  ClientDestroyedError, isPartnerSdkError,
} from './errors.js';
export { AlternativeClient, init };

const script = typeof document !== 'undefined' ? document.currentScript : null;
setDefaultSource(new URL('partner_sdk_bg.wasm', script && script.src ? script.src : location.href));

/** Resolves once the wasm has loaded (it starts loading when this script runs). */
export const ready = init();
ready.catch(() => {});

/** `new SafeSDK(...)` validates synchronously, so it needs the wasm: await `PartnerSDK.ready`. */
export const SafeSDK = new Proxy(WasmSafeSDK, {
  construct(target, args, newTarget) {
    if (!isLoaded()) {
      throw new ConfigurationError('partner-sdk is still loading: await PartnerSDK.ready before new SafeSDK()', { key: 'SafeSDK' });
    }
    return Reflect.construct(target, args, newTarget);
  },
});
