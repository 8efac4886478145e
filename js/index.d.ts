// Types of partner-sdk (pkg/index.js and the classic global, see global.d.ts).
// The contract is ../shared/API.md; doc comments here are what editors show.

// ---------------------------------------------------------------- loading

/** Anything `init()` accepts: where the `.wasm` is, its bytes, or a compiled module. */
export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

/**
 * Loads the wasm module once. Optional: the first `create()` / `initialize()` loads it.
 * Pass a URL (or bytes, or a module) when the `.wasm` is not hosted beside the entry file.
 */
export function init(moduleOrUrl?: InitInput | Promise<InitInput>): Promise<void>;

/**
 * Settles once the wasm has loaded from beside the entry file. The classic script needs
 * `await PartnerSDK.ready` before `new SafeSDK(...)`; ESM imports wait for it themselves.
 */
export const ready: Promise<void>;

// ---------------------------------------------------------------- tokens and options

/** A token callback: resolves to a fresh JWT (a trailing newline is trimmed). */
export type TokenCallback = () => string | PromiseLike<string>;

/** Why a token was replaced: it was about to expire, or the API refused it. */
export type TokenRefreshReason = 'expiring' | 'unauthorized';

/** Handed to `onTokenRefreshed` once per successful refresh. Never holds the token. */
export interface TokenRefreshedEvent {
  /** The new token's `exp` (seconds since the epoch), or `null` when it has none. */
  expiresAt: number | null;
  reason: TokenRefreshReason;
}

/** The options both classes share. */
export interface CommonOptions {
  /** How long a token callback may take, in ms (default 5000). */
  refreshTimeoutMs?: number;
  /** Per HTTP attempt, in ms (default 30000). */
  requestTimeoutMs?: number;
  /** Refresh this long before `exp` when a callback exists, in s (default 30). */
  refreshLeewaySeconds?: number;
  /** Called once after each successful refresh. */
  onTokenRefreshed?: (event: TokenRefreshedEvent) => void;
}

/** At most one token callback; `getAccessToken` may stand in for `accessToken`. */
export type AlternativeTokenSource =
  | { accessToken: string; onAccessTokenExpired?: TokenCallback; getAccessToken?: undefined }
  | { accessToken?: string; getAccessToken: TokenCallback; onAccessTokenExpired?: undefined };

/** Where the API lives: `'production'` (default) or `'sandbox'`. */
export type Environment = 'production' | 'sandbox';

/** `AlternativeClient.create()` options. */
export type AlternativeClientOptions = CommonOptions & AlternativeTokenSource & {
  environment?: Environment;
  /** Absolute `https:` URL (`http:` only for localhost); overrides `environment`. */
  baseUrl?: string;
};

/** `new SafeSDK()` options: the four strings are required and non-empty. */
export type SafeSDKOptions = CommonOptions & {
  apiKey: string;
  applicationId: string;
  applicationVersion: string;
  baseUrl: string;
} & (
  | { onAccessTokenExpired?: TokenCallback; getAccessToken?: undefined }
  | { getAccessToken?: TokenCallback; onAccessTokenExpired?: undefined }
);

// ---------------------------------------------------------------- AlternativeClient

/** Methods `request()` accepts (any case). */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

/** One query value; `null` and `undefined` are skipped, arrays repeat the key. */
export type QueryValue = string | number | boolean | null | undefined;

/** The last argument of every request method. */
export interface RequestOptions {
  /** Sent as JSON with `Content-Type: application/json`. */
  body?: unknown;
  /** Extra headers; `Authorization` is always the SDK's own. */
  headers?: HeadersInit;
  query?: Record<string, QueryValue | readonly QueryValue[]>;
  /** Aborting rejects with the signal's reason, as `fetch` does. */
  signal?: AbortSignal;
}

/** `RequestOptions` for methods that take the body as an argument. */
export type RequestOptionsWithoutBody = Omit<RequestOptions, 'body'>;

/** A decoded token payload: the SDK never verifies it, the API does. */
export interface AccessTokenClaims {
  exp?: number;
  nbf?: number;
  iat?: number;
  customer_id?: string;
  invoice_id?: string;
  partner_id?: string;
  client_id?: string;
  [claim: string]: unknown;
}

/** A checkout API client holding a short-lived JWT in memory only. */
export class AlternativeClient {
  private constructor();
  /**
   * Validates `options` and resolves to a client, loading the wasm first if needed.
   * Rejects with `ConfigurationError` naming the key, `InvalidAccessToken(Format)`, or
   * (with `getAccessToken` and no `accessToken`) `TokenRefreshError(TimeoutError)`.
   */
  static create(options: AlternativeClientOptions): Promise<AlternativeClient>;
  /** Sends `method` to `baseUrl + path`; resolves to the parsed JSON body (`null` if empty). */
  request<T = unknown>(method: HttpMethod | Lowercase<HttpMethod>, path: string, init?: RequestOptions): Promise<T>;
  get<T = unknown>(path: string, init?: RequestOptionsWithoutBody): Promise<T>;
  post<T = unknown>(path: string, body?: unknown, init?: RequestOptionsWithoutBody): Promise<T>;
  put<T = unknown>(path: string, body?: unknown, init?: RequestOptionsWithoutBody): Promise<T>;
  patch<T = unknown>(path: string, body?: unknown, init?: RequestOptionsWithoutBody): Promise<T>;
  delete<T = unknown>(path: string, init?: RequestOptionsWithoutBody): Promise<T>;
  /** Replaces the token synchronously; throws and keeps the old one when it is malformed. */
  setAccessToken(jwt: string): void;
  /** A fresh copy of the token's payload; `null` after `destroy()`. */
  readonly claims: AccessTokenClaims | null;
  /** The token's `exp` in seconds since the epoch, or `null`. */
  readonly expiresAt: number | null;
  /** Forgets the token and aborts everything; later calls reject with `ClientDestroyedError`. */
  destroy(): void;
  /** What `JSON.stringify(client)` shows: never the token. */
  toJSON(): { expiresAt: number | null };
}

// ---------------------------------------------------------------- SafeSDK

/** What `initialize()` resolves to; `registered` is false when the device was known. */
export interface InitializeResult {
  deviceId: string;
  registered: boolean;
}

/** A check's status: the server's, or `AuthenticationFailed` when no token is accepted. */
export type CheckStatus = 'Ok' | 'AuthenticationFailed' | (string & {});

/** The server's check answer, or `{ status: 'AuthenticationFailed', reason }`. */
export interface CheckResult {
  status: CheckStatus;
  reason?: string;
  [field: string]: unknown;
}

/** Handed to the periodic callback; a rejected check arrives as `status: 'Error'` with `error`. */
export interface PeriodicCheckResult extends CheckResult {
  status: CheckStatus | 'Error';
  error?: PartnerSdkError;
}

/** The Gatekeeper device client. */
export class SafeSDK {
  /** Validates synchronously; throws `ConfigurationError` naming the key. */
  constructor(options: SafeSDKOptions);
  /** Stores the token and registers this device once per browser profile. */
  initialize(jwt: string): Promise<InitializeResult>;
  /** Rotates the token without registering again; throws when it is malformed. */
  setAccessToken(jwt: string): void;
  /** Runs one device check; rejects with `ConfigurationError` before `initialize()`. */
  check(): Promise<CheckResult>;
  /** Runs `check()` every `intervalMs` (>= 1000), one at a time; replaces a running schedule. */
  startPeriodicCheck(intervalMs: number, callback: (result: PeriodicCheckResult) => void): void;
  stopPeriodicCheck(): void;
  /** The registered device id, or `null` before `initialize()`. */
  readonly deviceId: string | null;
  /** Forgets the token, stops checks, aborts requests. */
  destroy(): void;
}

// ---------------------------------------------------------------- errors

/** Every stable `code` an SDK error carries. */
export type PartnerSdkErrorCode =
  | 'INVALID_ACCESS_TOKEN'
  | 'INVALID_ACCESS_TOKEN_FORMAT'
  | 'ACCESS_TOKEN_EXPIRED'
  | 'TOKEN_REFRESH_TIMEOUT'
  | 'TOKEN_REFRESH_FAILED'
  | 'API_ERROR'
  | 'NETWORK_ERROR'
  | 'REQUEST_TIMEOUT'
  | 'INVALID_CONFIGURATION'
  | 'CLIENT_DESTROYED';

/** Options of the error constructors (for tests and mocks; the SDK fills them itself). */
export interface PartnerSdkErrorOptions {
  cause?: unknown;
  code?: string;
  status?: number;
  body?: unknown;
  requestId?: string | null;
  key?: string;
}

/** Base class of every error the SDK throws. */
export class PartnerSdkError extends Error {
  constructor(message?: string, options?: PartnerSdkErrorOptions);
  readonly code: PartnerSdkErrorCode;
  cause?: unknown;
}
/** The token is not a string, or is empty after trimming. */
export class InvalidAccessToken extends PartnerSdkError {
  readonly name: 'InvalidAccessToken';
  readonly code: 'INVALID_ACCESS_TOKEN';
}
/** The token breaks a JWT shape rule; the message names the rule. */
export class InvalidAccessTokenFormat extends PartnerSdkError {
  readonly name: 'InvalidAccessTokenFormat';
  readonly code: 'INVALID_ACCESS_TOKEN_FORMAT';
}
/** Refused with no token callback, or refused again after the one refresh. */
export class AccessTokenExpiredError extends PartnerSdkError {
  readonly name: 'AccessTokenExpiredError';
  readonly code: 'ACCESS_TOKEN_EXPIRED';
}
/** The token callback did not settle within `refreshTimeoutMs`. */
export class TokenRefreshTimeoutError extends PartnerSdkError {
  readonly name: 'TokenRefreshTimeoutError';
  readonly code: 'TOKEN_REFRESH_TIMEOUT';
}
/** The token callback threw or rejected; what it threw is in `cause`. */
export class TokenRefreshError extends PartnerSdkError {
  readonly name: 'TokenRefreshError';
  readonly code: 'TOKEN_REFRESH_FAILED';
}
/** Any other non-2xx answer. */
export class ApiError extends PartnerSdkError {
  readonly name: 'ApiError';
  readonly code: 'API_ERROR';
  /** The HTTP status. */
  readonly status: number;
  /** The parsed JSON body (text when it is not JSON, `null` when empty). */
  readonly body: unknown;
  /** The `x-request-id` response header, for support tickets. */
  readonly requestId: string | null;
}
/** `fetch` failed (`NETWORK_ERROR`) or an attempt took longer than `requestTimeoutMs`. */
export class NetworkError extends PartnerSdkError {
  readonly name: 'NetworkError';
  readonly code: 'NETWORK_ERROR' | 'REQUEST_TIMEOUT';
}
/** Bad options, a bad path, or calls in the wrong order. */
export class ConfigurationError extends PartnerSdkError {
  readonly name: 'ConfigurationError';
  readonly code: 'INVALID_CONFIGURATION';
  /** The option or argument at fault. */
  readonly key?: string;
}
/** The client was destroyed. */
export class ClientDestroyedError extends PartnerSdkError {
  readonly name: 'ClientDestroyedError';
  readonly code: 'CLIENT_DESTROYED';
}

/** True for any partner-sdk error, even one thrown by another copy of the bundle. */
export function isPartnerSdkError(error: unknown): error is PartnerSdkError;
