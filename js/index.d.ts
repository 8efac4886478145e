// Types of partner-sdk: the ES module entry (pkg/index.js) and, through global.d.ts, the
// classic script's global `PartnerSDK`. The doc comments are what editors show on hover;
// the full reference is docs/api.md, shipped in this package.

// ---------------------------------------------------------------- loading

/** Anything `init()` accepts: where the `.wasm` is, its bytes, or a compiled module. */
export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

/**
 * `T` when it is an `InitInput` (or a promise of one), else `never`. TypeScript's DOM types
 * declare `WebAssembly.Module` with no members, so any value would pass for one: an object
 * with keys of its own (`{ checkout: url }`, the shape of `partner-sdk`'s `init`) or a
 * number is not a module, and the per-class `init` refuses it here as it does at run time.
 */
export type CheckedInitInput<T> =
  // Any view of bytes: `Uint8Array` alone means a view of any buffer in TypeScript 5.7+.
  // (Distributes over a union: `string | URL` is checked member by member.)
  T extends undefined | RequestInfo | URL | Response | BufferSource | ArrayBufferView ? T
  : T extends PromiseLike<infer U> ? ([CheckedInitInput<U>] extends [never] ? never : T)
  : T extends WebAssembly.Module ? ([keyof T] extends [never] ? T : never)
  : never;

/**
 * Where each class's `.wasm` is, for `init()` on the entries that hold every class
 * (`partner-sdk` and the classic global). Each class has its own wasm module.
 */
export interface InitSources {
  /** The checkout module (`checkout_bg.wasm`), for `AlternativeClient`. */
  checkout?: InitInput | Promise<InitInput> | undefined;
  /** The Gatekeeper module (`gatekeeper_bg.wasm`), for `SafeSDK`. */
  gatekeeper?: InitInput | Promise<InitInput> | undefined;
  /** The card form's module (`enrollment_bg.wasm`), for `CardEnrollment`. */
  enrollment?: InitInput | Promise<InitInput> | undefined;
}

/**
 * Loads every class's wasm module and resolves when they are ready. Optional: the first
 * `AlternativeClient.create()` loads its module for you, and importing this entry starts
 * all three downloads.
 *
 * Pass `{ checkout, gatekeeper, enrollment }` (each a URL, a `Response`, bytes or a compiled
 * `WebAssembly.Module`) when the `.wasm` files are not hosted beside the entry file.
 *
 * @throws {NetworkError} (as a rejection) when a `.wasm` cannot be fetched (an HTTP error is
 *   named in the message; a download not finished after 60 s is abandoned) or compiled, code
 *   `INTEGRITY_MISMATCH` when its bytes are not this build's.
 * @throws {ConfigurationError} (as a rejection) for anything but such an object (a URL alone
 *   does not say which class it is for), an unknown key, or a class key whose value cannot
 *   be a source (`{ checkout: 42 }`: key `checkout`).
 */
export function init<S extends InitSources = InitSources>(sources?: S & CheckedInitSources<S>): Promise<void>;

/**
 * `S` with each value checked as the per-class `init` checks its one source
 * (`CheckedInitInput`), and any key but the three classes' refused: `{ checkout: 42 }`
 * or `{ checkout: { checkout: url } }` is a compile error here as at run time.
 */
export type CheckedInitSources<S> = {
  [K in keyof S]: K extends keyof InitSources ? CheckedInitInput<S[K]> : never;
};

/**
 * Settles once every class's wasm has loaded (from beside the entry file; the ES module
 * entry waits for the Gatekeeper module on import, so no `init()` can overtake that load:
 * with no `.wasm` beside the entry, await `init(...)` itself). With the classic script it is what
 * loads SafeSDK's module if no `new PartnerSDK.SafeSDK(...)` has yet; awaited first, the
 * SafeSDK constructor checks its options itself (`AlternativeClient.create()` waits by
 * itself).
 */
export const ready: Promise<void>;

// ---------------------------------------------------------------- tokens and options

/**
 * A token callback (`onAccessTokenExpired` or `getAccessToken`): returns a fresh JWT from
 * your backend, or a promise of one. Surrounding whitespace is trimmed. It must settle
 * within `refreshTimeoutMs`; a throw or rejection becomes `TokenRefreshError`.
 */
export type TokenCallback = () => string | PromiseLike<string>;

/**
 * Why a token was replaced: `'expiring'` (refreshed before `exp`, inside
 * `refreshLeewaySeconds`) or `'unauthorized'` (the API answered 401).
 */
export type TokenRefreshReason = 'expiring' | 'unauthorized';

/** Handed to `onTokenRefreshed` once per successful refresh. Never holds the token. */
export interface TokenRefreshedEvent {
  /** The new token's `exp` (seconds since the epoch), or `null` when it has none. */
  expiresAt: number | null;
  /** Why the token was refreshed: `'expiring'` or `'unauthorized'`. */
  reason: TokenRefreshReason;
}

/** The `retry` option's object form; missing members take their defaults. */
export interface RetryOptions {
  /** How many retries one call may make after its first attempt (0 to 10, default 2). */
  limit?: number | undefined;
  /**
   * The longest wait before a retry, in ms (default 10000). A `Retry-After` longer than
   * this is not waited for: the call rejects at once with the `ApiError`. Without
   * `Retry-After`, the wait is exponential backoff with full jitter from 250 ms.
   */
  maxDelayMs?: number | undefined;
}

/** The options both classes share. */
export interface CommonOptions {
  /**
   * How long a token callback may take to settle, in ms (whole number, default 5000).
   * Past it, every waiting call rejects with `TokenRefreshTimeoutError`.
   */
  refreshTimeoutMs?: number | undefined;
  /**
   * Deadline of each HTTP attempt, in ms (whole number, default 30000). Past it, the call
   * rejects with `NetworkError` code `REQUEST_TIMEOUT`.
   */
  requestTimeoutMs?: number | undefined;
  /**
   * With a token callback, a token whose `exp` is this close is refreshed before the next
   * request goes out, in seconds (0 to 86400, default 30).
   */
  refreshLeewaySeconds?: number | undefined;
  /**
   * Retries for transient failures (408, 429, 500, 502, 503, 504, failed fetches and
   * timed-out attempts) of
   * idempotent methods, and of `POST`/`PATCH` calls that carry an `idempotencyKey`.
   * Default on: `{ limit: 2, maxDelayMs: 10000 }`; `true` means the defaults, `false`
   * turns retries off, a partial object is merged with the defaults. 401s never use
   * up `limit` (the refresh rules handle them).
   */
  retry?: boolean | RetryOptions | undefined;
  /**
   * Called once after each successful refresh, with the new `expiresAt` and the `reason`.
   * What it returns is ignored; what it throws (or its promise rejects with) is reported
   * as an uncaught error of the page (`reportError`; in Node, an uncaught exception), and
   * the SDK goes on.
   */
  onTokenRefreshed?: ((event: TokenRefreshedEvent) => void) | undefined;
}

/**
 * Where the token comes from: `accessToken`, and at most one token callback.
 * `getAccessToken` may stand in for `accessToken`: `create()` then calls it once.
 */
export type AlternativeTokenSource =
  | {
      /** The JWT your backend minted for this checkout. Kept in memory only. */
      accessToken: string;
      /** Called when the token is due or refused (401); resolves to a new JWT. */
      onAccessTokenExpired?: TokenCallback | undefined;
      /** Not with `onAccessTokenExpired`: give at most one token callback. */
      getAccessToken?: undefined;
    }
  | {
      /** The JWT your backend minted; optional with `getAccessToken`. Kept in memory only. */
      accessToken?: string | undefined;
      /**
       * Called by `create()` when there is no `accessToken`, and whenever the token is due
       * or refused (401); resolves to a new JWT.
       */
      getAccessToken: TokenCallback;
      /** Not with `getAccessToken`: give at most one token callback. */
      onAccessTokenExpired?: undefined;
    };

/**
 * Which vendor API: `'production'` (default, `https://public-api.alternativepayments.io`)
 * or `'sandbox'` (`https://sandbox-public-api.alternativepayments.io`).
 */
export type Environment = 'production' | 'sandbox';

/**
 * `AlternativeClient.create()` options. Unknown keys, wrong types, both token callbacks,
 * or neither `accessToken` nor `getAccessToken` reject with `ConfigurationError`.
 */
export type AlternativeClientOptions = CommonOptions & AlternativeTokenSource & {
  /** Which vendor API to call (default `'production'`); `baseUrl` overrides it. */
  environment?: Environment | undefined;
  /**
   * The API root: an absolute `https:` URL (`http:` only for `localhost`, `127.0.0.1`,
   * `[::1]`); a trailing `/` is removed. Overrides `environment`.
   */
  baseUrl?: string | undefined;
};

/**
 * `new SafeSDK()` options: the four strings are required and non-empty; at most one token
 * callback. Bad options throw `ConfigurationError` naming the key.
 */
export type SafeSDKOptions = CommonOptions & {
  /** Your Gatekeeper application's key, sent as `x-api-key` on every request. */
  apiKey: string;
  /** The Gatekeeper application id (a path segment, percent-encoded). */
  applicationId: string;
  /** Your application's version (a path segment, percent-encoded). */
  applicationVersion: string;
  /**
   * The Gatekeeper API root: an absolute `https:` URL (`http:` only for `localhost`,
   * `127.0.0.1`, `[::1]`); a trailing `/` is removed.
   */
  baseUrl: string;
} & (
  | {
      /** Called when the token is refused (401) or due; resolves to a new JWT. */
      onAccessTokenExpired?: TokenCallback | undefined;
      /** Not with `onAccessTokenExpired`: give at most one token callback. */
      getAccessToken?: undefined;
    }
  | {
      /** Called when the token is refused (401) or due; resolves to a new JWT. */
      getAccessToken?: TokenCallback | undefined;
      /** Not with `getAccessToken`: give at most one token callback. */
      onAccessTokenExpired?: undefined;
    }
);

// ---------------------------------------------------------------- AlternativeClient

/** Methods `request()` accepts, in any case. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

/** One query value; `null` and `undefined` are skipped, arrays repeat the key. */
export type QueryValue = string | number | boolean | null | undefined;

/** The last argument of every request method. Other keys reject with `ConfigurationError`. */
export interface RequestOptions {
  /**
   * Sent as JSON, with `Content-Type: application/json`. A value JSON would send as
   * something else (a `FormData`, `Blob`, `Map`, typed array or `Promise` anywhere in
   * it, as `{}`; a function or symbol, as nothing) rejects with `ConfigurationError`.
   */
  body?: unknown;
  /** Extra headers (anything `new Headers()` accepts); `Authorization` is always the SDK's own. */
  headers?: HeadersInit | undefined;
  /** Query parameters added to the URL; `null`/`undefined` skipped, arrays repeat the key. */
  query?: Record<string, QueryValue | readonly QueryValue[]> | undefined;
  /** Aborting rejects the call with the signal's reason, as `fetch` does; it also ends a wait before a retry. */
  signal?: AbortSignal | undefined;
  /**
   * Sent as `Idempotency-Key` on every attempt of this call, unchanged; `true` makes a
   * fresh random UUID (version 4). It lets `POST`/`PATCH` be retried safely. A string
   * that is empty or only spaces, tabs, CR or LF is refused (`ConfigurationError`).
   */
  idempotencyKey?: string | true | undefined;
}

/** `RequestOptions` for methods that take the body as an argument. */
export type RequestOptionsWithoutBody = Omit<RequestOptions, 'body'>;

/** A decoded token payload. The SDK never verifies it: the API does. */
export interface AccessTokenClaims {
  /** Expiry, in seconds since the epoch. */
  exp?: number;
  /** Not before, in seconds since the epoch. */
  nbf?: number;
  /** Issued at, in seconds since the epoch. */
  iat?: number;
  /** The customer the checkout token is for. */
  customer_id?: string;
  /** The invoice the checkout token is for. */
  invoice_id?: string;
  /** The partner that minted the token. */
  partner_id?: string;
  /** The OAuth client that minted the token. */
  client_id?: string;
  /** Any other claim, as decoded. */
  [claim: string]: unknown;
}

/**
 * The checkout API client. It holds one short-lived JWT in memory only, sends it only to
 * its API's origin, and refreshes it through your token callback, once for all waiting
 * calls. Create it with `AlternativeClient.create(options)`.
 */
export class AlternativeClient {
  /** Not for use: `new AlternativeClient()` throws `ConfigurationError`; call `create()`. */
  private constructor();
  /**
   * Validates `options` and resolves to a client, loading the wasm first if needed.
   * Rejects with `ConfigurationError` naming the key, `InvalidAccessToken` /
   * `InvalidAccessTokenFormat` for a malformed token, `NetworkError` when the wasm cannot
   * load, or (with `getAccessToken` and no `accessToken`) `TokenRefreshError` /
   * `TokenRefreshTimeoutError`.
   */
  static create(options: AlternativeClientOptions): Promise<AlternativeClient>;
  /**
   * Sends `method` to `baseUrl + path` with `Authorization: Bearer <token>`; resolves to
   * the parsed JSON body (`null` if empty). `path` starts with `/` or is an absolute URL
   * of the API's own origin; anything else rejects with `ConfigurationError` and sends
   * nothing. A 401 refreshes the token once and resends; other failures reject with
   * `ApiError`, `NetworkError` or `AccessTokenExpiredError`.
   */
  request<T = unknown>(method: HttpMethod | Lowercase<HttpMethod>, path: string, init?: RequestOptions): Promise<T>;
  /** `GET baseUrl + path`; resolves to the parsed JSON body. See `request()`. */
  get<T = unknown>(path: string, init?: RequestOptionsWithoutBody): Promise<T>;
  /** `POST baseUrl + path` with `body` as JSON; resolves to the parsed JSON body. See `request()`. */
  post<T = unknown>(path: string, body?: unknown, init?: RequestOptionsWithoutBody): Promise<T>;
  /** `PUT baseUrl + path` with `body` as JSON; resolves to the parsed JSON body. See `request()`. */
  put<T = unknown>(path: string, body?: unknown, init?: RequestOptionsWithoutBody): Promise<T>;
  /** `PATCH baseUrl + path` with `body` as JSON; resolves to the parsed JSON body. See `request()`. */
  patch<T = unknown>(path: string, body?: unknown, init?: RequestOptionsWithoutBody): Promise<T>;
  /**
   * `DELETE baseUrl + path` (with `init.body` as JSON, if given); resolves to the parsed
   * JSON body. See `request()`.
   */
  delete<T = unknown>(path: string, init?: RequestOptions): Promise<T>;
  /**
   * Replaces the token, synchronously. Throws `InvalidAccessToken` /
   * `InvalidAccessTokenFormat` and keeps the old token when the new one is malformed.
   */
  setAccessToken(jwt: string): void;
  /** A fresh copy of the token's decoded payload on every read; `null` after `destroy()`. */
  readonly claims: AccessTokenClaims | null;
  /** The token's `exp` in seconds since the epoch, or `null` when it has none. */
  readonly expiresAt: number | null;
  /**
   * Forgets the token, aborts requests in flight and cancels timers; every pending and
   * later call rejects with `ClientDestroyedError`.
   */
  destroy(): void;
  /** What `JSON.stringify(client)` shows: `{ expiresAt }`, never the token. */
  toJSON(): { expiresAt: number | null };
}

// ---------------------------------------------------------------- SafeSDK

/** What `initialize()` resolves to. */
export interface InitializeResult {
  /** This browser profile's device id for the application. */
  deviceId: string;
  /** `true` when this call registered the device; `false` when it was already known. */
  registered: boolean;
}

/**
 * A check's status: the server's (such as `'Ok'`), or `'AuthenticationFailed'` when no
 * accepted token could be had.
 */
export type CheckStatus = 'Ok' | 'AuthenticationFailed' | (string & {});

/** The server's check answer, or `{ status: 'AuthenticationFailed', reason }`. */
export interface CheckResult {
  /** `'Ok'`, another status from the server, or `'AuthenticationFailed'`. */
  status: CheckStatus;
  /** With `'AuthenticationFailed'`: the error code, such as `'ACCESS_TOKEN_EXPIRED'`. */
  reason?: string;
  /** Any other field of the server's answer (such as `deviceId`, `checkedAt`). */
  [field: string]: unknown;
}

/** Handed to the periodic callback; a rejected check arrives as `status: 'Error'` with `error`. */
export interface PeriodicCheckResult extends CheckResult {
  /** As for `check()`, or `'Error'` when that check rejected. */
  status: CheckStatus | 'Error';
  /** With `'Error'`: what the check rejected with. */
  error?: PartnerSdkError;
}

/**
 * The Gatekeeper device client: registers this browser as a device of your application
 * once per browser profile, then runs device checks with a short-lived JWT.
 */
export class SafeSDK {
  /**
   * Validates the options synchronously; throws `ConfigurationError` naming the key. If
   * the Gatekeeper wasm is not loaded (the classic script loads it on the first
   * `new PartnerSDK.SafeSDK()`; a module entry whose load failed), it returns without
   * checking, and `initialize()` waits for the wasm (loading it again after a failure),
   * then rejects with why (`NetworkError`) or with a bad option (`ConfigurationError`).
   */
  constructor(options: SafeSDKOptions);
  /**
   * Checks and stores the token, and registers this device the first time in this browser
   * profile (the id is kept in `localStorage`, never the token). Rejects with
   * `InvalidAccessToken` / `InvalidAccessTokenFormat` for a malformed token (nothing is
   * sent), and with `ApiError` or `NetworkError` when registration fails.
   */
  initialize(jwt: string): Promise<InitializeResult>;
  /**
   * Rotates the token without registering again; throws `InvalidAccessToken` /
   * `InvalidAccessTokenFormat` and keeps the old one when it is malformed. Use this, not
   * `initialize()`, to rotate.
   */
  setAccessToken(jwt: string): void;
  /**
   * Runs one device check; resolves to the server's answer. A token still refused after
   * the refresh, or a failed refresh, resolves to `{ status: 'AuthenticationFailed',
   * reason }`. Made while `initialize()` is still under way, it waits for it (a refused
   * token resolves as above; another failure rejects with that error; an `initialize()`
   * refused at once for its token's shape never got under way); after an `initialize()`
   * whose registration failed, it registers the device first. Rejects with
   * `ConfigurationError` when no `initialize()` came before it, and with
   * `ApiError` / `NetworkError` for other failures (`ApiError` also for a 2xx whose body
   * is not a JSON object).
   */
  check(): Promise<CheckResult>;
  /**
   * Runs `check()` every `intervalMs` (at least 1000), one at a time, handing each result
   * to `callback`; a rejected check arrives as `status: 'Error'`. A callback that throws
   * does not stop it: its error is reported as an uncaught error of the page
   * (`reportError`; in Node, an uncaught exception), as a throwing `setInterval` callback
   * is. Replaces a running schedule.
   */
  startPeriodicCheck(intervalMs: number, callback: (result: PeriodicCheckResult) => void): void;
  /**
   * Ends the periodic check, and aborts a check of it still under way (its request, a
   * retry it waits to send); no result arrives after it.
   */
  stopPeriodicCheck(): void;
  /** The registered device id, or `null` before `initialize()`. */
  readonly deviceId: string | null;
  /**
   * Forgets the token, stops the periodic check and aborts requests; later calls reject
   * with `ClientDestroyedError`.
   */
  destroy(): void;
  /** What `JSON.stringify(sdk)` shows: `{ deviceId }`, never the token. */
  toJSON(): { deviceId: string | null };
}

// ---------------------------------------------------------------- CardEnrollment

/** What `onSuccess` gets: the stored card, never its number or security code. */
export interface EnrolledCard {
  /** The vendor's id of the stored card. */
  cardId: string;
  /** The last four digits of the number. */
  last4: string;
  /** `'visa'`, `'mastercard'`, `'amex'`, `'discover'` or `'unknown'`. */
  brand: string;
  /** The expiry month, 1 to 12. */
  expMonth: number;
  /** The expiry year, four digits. */
  expYear: number;
}

/**
 * The DOM's `Element` where the project's types include it (`lib: ["dom"]`), else `never`:
 * so that a project without the DOM types (a Web Worker's, say) still type-checks.
 */
type DomElement = typeof globalThis extends { Element: { prototype: infer E } } ? E : never;

/**
 * `CardEnrollment.openForm()` options. Bad options reject with `ConfigurationError`
 * naming the key, before anything is shown.
 */
export interface CardEnrollmentOptions {
  /** Your company's name, shown in the form (at most 100 characters). */
  companyName: string;
  /** The sub-account the card is enrolled for (a path segment, percent-encoded). */
  subaccountId: string;
  /**
   * Resolves to a JWT with the card-enrollment scope (from your backend's card-enrollment
   * credentials: a set that can enrol cards and nothing else). Called when the form opens, and whenever the token is due or refused.
   * It must settle within `refreshTimeoutMs`.
   */
  getAccessToken: TokenCallback;
  /**
   * The vendor's API root, which also serves the form (`{baseUrl}/enrollment/form`): an
   * absolute `https:` URL (`http:` only for `localhost`, `127.0.0.1`, `[::1]`). Your
   * page's Content-Security-Policy must allow its origin in `frame-src`.
   */
  baseUrl: string;
  /** Where to put the form (an `Element`); by default a modal dialog over the page. */
  container?: DomElement | undefined;
  /** The card was stored. The form has closed. */
  onSuccess?: ((card: EnrolledCard) => void) | undefined;
  /**
   * Something failed (`ApiError`, `NetworkError`, `AccessTokenExpiredError`,
   * `TokenRefreshError`, `TokenRefreshTimeoutError`, or `InvalidAccessToken` /
   * `InvalidAccessTokenFormat` when `getAccessToken` gave something that is no JWT); the
   * form stays open for a retry.
   */
  onError?: ((error: PartnerSdkError) => void) | undefined;
  /** The user closed the form (the × button, the form's own Cancel button, or Escape). Not called by `close()`. */
  onCancel?: (() => void) | undefined;
  /** How long `getAccessToken` may take, in ms (whole number, default 5000). */
  refreshTimeoutMs?: number | undefined;
}

/** An open card form. */
export interface CardForm {
  /** Removes the form, its listeners and its channel; `onCancel` is not called. */
  close(): void;
}

/**
 * The vendor's hosted card form. The number, expiry and security code are typed into a
 * frame served by the vendor's origin, so no script of your page can read them; the
 * SDK hands the frame its token over a private channel and refreshes it as needed.
 */
export class CardEnrollment {
  /** Not for use: `new CardEnrollment()` throws `ConfigurationError`; call `openForm()`. */
  private constructor();
  /**
   * Validates `options`, loads the wasm if needed, and shows the form; resolves to its
   * handle once the frame is in the page (without waiting for it to load). A frame that
   * does not answer within 10 s reaches `onError` with `NetworkError`.
   */
  static openForm(options: CardEnrollmentOptions): Promise<CardForm>;
}

// ---------------------------------------------------------------- errors

/** Every stable `code` an SDK error carries. */
export type PartnerSdkErrorCode =
  | 'PARTNER_SDK_ERROR'
  | 'INVALID_ACCESS_TOKEN'
  | 'INVALID_ACCESS_TOKEN_FORMAT'
  | 'ACCESS_TOKEN_EXPIRED'
  | 'TOKEN_REFRESH_TIMEOUT'
  | 'TOKEN_REFRESH_FAILED'
  | 'API_ERROR'
  | 'NETWORK_ERROR'
  | 'REQUEST_TIMEOUT'
  | 'INTEGRITY_MISMATCH'
  | 'INVALID_CONFIGURATION'
  | 'CLIENT_DESTROYED';

/** Options of the error constructors (for tests and mocks; the SDK fills them itself). */
export interface PartnerSdkErrorOptions {
  /** The underlying error. */
  cause?: unknown;
  /** Overrides the class's default `code` (one of the SDK's codes: `e.code` is typed so). */
  code?: PartnerSdkErrorCode | undefined;
  /** For `ApiError`: the HTTP status. */
  status?: number | undefined;
  /** For `ApiError`: the response body. */
  body?: unknown;
  /** For `ApiError`: the `x-request-id` header. */
  requestId?: string | null | undefined;
  /** For `ConfigurationError`: the option or argument at fault. */
  key?: string | undefined;
  /** For `ApiError` and `NetworkError`: how many times the call was sent. */
  attempts?: number | undefined;
}

/**
 * Base class of every error the SDK throws: `instanceof PartnerSdkError` and
 * `instanceof Error` both hold. No message, `cause` or property the SDK writes contains a
 * token (a `TokenRefreshError`'s `cause` is what your token callback threw, untouched).
 */
export class PartnerSdkError extends Error {
  constructor(message?: string, options?: PartnerSdkErrorOptions);
  /** A stable code for programs to branch on; the message is for people. */
  readonly code: PartnerSdkErrorCode;
  /** The underlying error, where there is one (see `TokenRefreshError`). */
  cause?: unknown;
}
/** The token is not a string, or is empty after trimming whitespace. */
export class InvalidAccessToken extends PartnerSdkError {
  readonly name: 'InvalidAccessToken';
  readonly code: 'INVALID_ACCESS_TOKEN';
}
/**
 * The token is not a well-formed JWT (three base64url segments, JSON header and payload,
 * an `alg` other than `none`, numeric `exp`/`nbf`/`iat`); the message names the check.
 */
export class InvalidAccessTokenFormat extends PartnerSdkError {
  readonly name: 'InvalidAccessTokenFormat';
  readonly code: 'INVALID_ACCESS_TOKEN_FORMAT';
}
/**
 * The API refused the token (401) and there is no token callback, or it refused the new
 * token again after the one refresh.
 */
export class AccessTokenExpiredError extends PartnerSdkError {
  readonly name: 'AccessTokenExpiredError';
  readonly code: 'ACCESS_TOKEN_EXPIRED';
}
/** The token callback did not settle within `refreshTimeoutMs`; the old token stays. */
export class TokenRefreshTimeoutError extends PartnerSdkError {
  readonly name: 'TokenRefreshTimeoutError';
  readonly code: 'TOKEN_REFRESH_TIMEOUT';
}
/** The token callback threw or rejected; what it threw is in `cause`; the old token stays. */
export class TokenRefreshError extends PartnerSdkError {
  readonly name: 'TokenRefreshError';
  readonly code: 'TOKEN_REFRESH_FAILED';
}
/** The API answered a non-2xx status other than 401, or a 2xx whose body is not JSON. */
export class ApiError extends PartnerSdkError {
  readonly name: 'ApiError';
  readonly code: 'API_ERROR';
  /** The HTTP status (0 on an `ApiError` constructed without `status`). */
  readonly status: number;
  /**
   * The parsed JSON body (text when it is not JSON, `null` when empty). On the card
   * form's errors, only `{ error }` (the vendor's error code) or `null`: the vendor's
   * whole answer stays in its frame with the card.
   */
  readonly body: unknown;
  /** The `x-request-id` response header, for support tickets, or `null`. */
  readonly requestId: string | null;
  /**
   * How many times the call was sent, retries and the resend after a 401 included.
   * Absent on the card form's errors: its frame, not the SDK, sends the card.
   */
  readonly attempts?: number;
}
/**
 * The request failed before an answer (`NETWORK_ERROR`: no connection, CORS, a cut
 * connection, a redirect (never followed or retried), or the wasm could not load) or an attempt took longer than
 * `requestTimeoutMs` (`REQUEST_TIMEOUT`).
 */
export class NetworkError extends PartnerSdkError {
  readonly name: 'NetworkError';
  /** `INTEGRITY_MISMATCH`: the `.wasm` bytes are not the ones this build pinned. */
  readonly code: 'NETWORK_ERROR' | 'REQUEST_TIMEOUT' | 'INTEGRITY_MISMATCH';
  /** How many times a request call was sent (absent when the wasm failed to load). */
  readonly attempts?: number;
}
/** Bad options, a bad path or request argument, or calls in the wrong order. */
export class ConfigurationError extends PartnerSdkError {
  readonly name: 'ConfigurationError';
  readonly code: 'INVALID_CONFIGURATION';
  /** The option or argument at fault. */
  readonly key?: string;
}
/** The client was destroyed: the call came during or after `destroy()`. */
export class ClientDestroyedError extends PartnerSdkError {
  readonly name: 'ClientDestroyedError';
  readonly code: 'CLIENT_DESTROYED';
}

/**
 * True for any partner-sdk error, even one thrown by another copy of the bundle on the
 * same page (where `instanceof` would say no).
 */
export function isPartnerSdkError(error: unknown): error is PartnerSdkError;
