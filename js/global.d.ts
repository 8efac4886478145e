// The classic script's global: `<script src=".../partner-sdk.js">` defines `PartnerSDK`.
// Reference it with `/// <reference types="partner-sdk/global" />` or `import type {} from 'partner-sdk/global'`.
import * as SDK from './index.js';

declare global {
  /**
   * partner-sdk, loaded by a classic `<script>` tag: the same exports as the ES module
   * entry, under the same names. The wasm starts loading when the script runs.
   */
  namespace PartnerSDK {
    /** The checkout API client; `await PartnerSDK.AlternativeClient.create(options)` waits for the wasm. */
    export import AlternativeClient = SDK.AlternativeClient;
    /** The Gatekeeper device client. Its module loads on the first `new PartnerSDK.SafeSDK(options)`; before it has loaded, bad options reject `initialize()` instead of throwing (`await PartnerSDK.ready` first to have them thrown by the constructor). */
    export import SafeSDK = SDK.SafeSDK;
    /** The vendor's hosted card form; `await PartnerSDK.CardEnrollment.openForm(options)` loads its module. */
    export import CardEnrollment = SDK.CardEnrollment;
    /** Base class of every error the SDK throws. */
    export import PartnerSdkError = SDK.PartnerSdkError;
    /** The token is not a string, or is empty after trimming (`INVALID_ACCESS_TOKEN`). */
    export import InvalidAccessToken = SDK.InvalidAccessToken;
    /** The token is not a well-formed JWT (`INVALID_ACCESS_TOKEN_FORMAT`). */
    export import InvalidAccessTokenFormat = SDK.InvalidAccessTokenFormat;
    /** Refused with no token callback, or refused again after the one refresh (`ACCESS_TOKEN_EXPIRED`). */
    export import AccessTokenExpiredError = SDK.AccessTokenExpiredError;
    /** The token callback did not settle within `refreshTimeoutMs` (`TOKEN_REFRESH_TIMEOUT`). */
    export import TokenRefreshTimeoutError = SDK.TokenRefreshTimeoutError;
    /** The token callback threw or rejected; the original is in `cause` (`TOKEN_REFRESH_FAILED`). */
    export import TokenRefreshError = SDK.TokenRefreshError;
    /** Any other non-2xx answer, with `status`, `body` and `requestId` (`API_ERROR`). */
    export import ApiError = SDK.ApiError;
    /** The request failed (`NETWORK_ERROR`) or an attempt timed out (`REQUEST_TIMEOUT`). */
    export import NetworkError = SDK.NetworkError;
    /** Bad options, a bad path, or calls in the wrong order; `key` names the culprit (`INVALID_CONFIGURATION`). */
    export import ConfigurationError = SDK.ConfigurationError;
    /** A call during or after `destroy()` (`CLIENT_DESTROYED`). */
    export import ClientDestroyedError = SDK.ClientDestroyedError;
    /** True for any partner-sdk error, even one from another copy of the bundle. */
    export import isPartnerSdkError = SDK.isPartnerSdkError;
    /** Loads AlternativeClient's and SafeSDK's wasm (and CardEnrollment's when `enrollment` is given), optionally from `{ checkout, gatekeeper, enrollment }` sources. */
    export import init = SDK.init;
    /** Settles once AlternativeClient's and SafeSDK's modules have loaded (this loads SafeSDK's); after it, `new PartnerSDK.SafeSDK(...)` checks its options in the constructor. CardEnrollment loads its own on `openForm()`. */
    export import ready = SDK.ready;
  }
}

export {};
