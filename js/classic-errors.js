// errors.js as gatekeeper.classic.js sees it: the classes of the classic script that
// imported it (`PartnerSDK`), so its errors are `instanceof PartnerSDK.ApiError`.
const sdk = globalThis.PartnerSDK;
const shared = sdk[Symbol.for('partner-sdk.classic')];
// The helpers below are partner-sdk.js's: from another build (a copy cached before an
// upgrade), their set may differ and this module's wasm would not link.
if (shared.build !== __PARTNER_SDK_BUILD__) {
  throw new Error('partner-sdk.js and this module come from different releases: serve every file of pkg/ from one release');
}
export const { makeError, notify, fetchAttempt, redact, setTimer, clearTimer, settleOf, anySignal, jsonBody } = shared;
export const {
  PartnerSdkError, InvalidAccessToken, InvalidAccessTokenFormat, AccessTokenExpiredError,
  TokenRefreshTimeoutError, TokenRefreshError, ApiError, NetworkError, ConfigurationError,
  ClientDestroyedError, isPartnerSdkError,
} = sdk;
// SafeSDK's turns, bundled into gatekeeper.classic.js itself (partner-sdk.js has none).
export { takeTurn } from './turns.js';
export function useTurns() {}
