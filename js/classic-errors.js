// errors.js as gatekeeper.classic.js sees it: the classes of the classic script that
// imported it (`PartnerSDK`), so its errors are `instanceof PartnerSDK.ApiError`.
const sdk = globalThis.PartnerSDK;
export const { makeError, notify, fetchAttempt, redact, setTimer, clearTimer, settleOf, anySignal, jsonBody } = sdk[Symbol.for('partner-sdk.classic')];
export const {
  PartnerSdkError, InvalidAccessToken, InvalidAccessTokenFormat, AccessTokenExpiredError,
  TokenRefreshTimeoutError, TokenRefreshError, ApiError, NetworkError, ConfigurationError,
  ClientDestroyedError, isPartnerSdkError,
} = sdk;
// SafeSDK's turns, bundled into gatekeeper.classic.js itself (partner-sdk.js has none).
export { takeTurn } from './turns.js';
export function useTurns() {}
