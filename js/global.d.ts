// The classic script's global: `<script src=".../partner-sdk.js">` defines `PartnerSDK`.
// Reference it with `/// <reference types="partner-sdk/global" />` or `import type {} from 'partner-sdk/global'`.
import * as SDK from './index.js';

declare global {
  /** partner-sdk, loaded by a classic `<script>` tag: the same exports as the ESM entry. */
  namespace PartnerSDK {
    export import AlternativeClient = SDK.AlternativeClient;
    export import SafeSDK = SDK.SafeSDK;
    export import PartnerSdkError = SDK.PartnerSdkError;
    export import InvalidAccessToken = SDK.InvalidAccessToken;
    export import InvalidAccessTokenFormat = SDK.InvalidAccessTokenFormat;
    export import AccessTokenExpiredError = SDK.AccessTokenExpiredError;
    export import TokenRefreshTimeoutError = SDK.TokenRefreshTimeoutError;
    export import TokenRefreshError = SDK.TokenRefreshError;
    export import ApiError = SDK.ApiError;
    export import NetworkError = SDK.NetworkError;
    export import ConfigurationError = SDK.ConfigurationError;
    export import ClientDestroyedError = SDK.ClientDestroyedError;
    export import isPartnerSdkError = SDK.isPartnerSdkError;
    export import init = SDK.init;
    /** Settles once the wasm has loaded; await it before `new PartnerSDK.SafeSDK(...)`. */
    export import ready = SDK.ready;
  }
}

export {};
