// Type-level test of pkg/index.d.ts and pkg/global.d.ts: every option, method, result and
// error class of API.md, as a user writes them. Checked by `tsc --noEmit --strict` in
// scripts/test.sh (never run). `@ts-expect-error` lines prove the types are not `any`.
import {
  AlternativeClient,
  SafeSDK,
  CardEnrollment,
  init,
  ready,
  isPartnerSdkError,
  PartnerSdkError,
  InvalidAccessToken,
  InvalidAccessTokenFormat,
  AccessTokenExpiredError,
  TokenRefreshTimeoutError,
  TokenRefreshError,
  ApiError,
  NetworkError,
  ConfigurationError,
  ClientDestroyedError,
  type AlternativeClientOptions,
  type CardForm,
  type EnrolledCard,
  type CheckResult,
  type InitializeResult,
  type InitInput,
  type PartnerSdkErrorCode,
  type TokenRefreshedEvent,
} from 'partner-sdk';
// The classic script's global `PartnerSDK` (a side-effect-free, type-only import).
import type {} from 'partner-sdk/global';
import { init as initCheckout } from 'partner-sdk/checkout';
import { init as initGatekeeper } from 'partner-sdk/gatekeeper';
import { init as initEnrollment } from 'partner-sdk/enrollment';

declare const jwt: string;

interface Invoice {
  id: string;
  amount: number;
}

async function checkout(): Promise<void> {
  await init();
  await init({ checkout: new URL('https://cdn.example/checkout_bg.wasm'), gatekeeper: fetch('/gatekeeper_bg.wasm') });
  await ready;

  const options: AlternativeClientOptions = {
    accessToken: jwt,
    environment: 'sandbox',
    baseUrl: 'http://localhost:8787',
    onAccessTokenExpired: async () => jwt,
    refreshTimeoutMs: 5000,
    requestTimeoutMs: 30000,
    refreshLeewaySeconds: 30,
    onTokenRefreshed: ({ expiresAt, reason }: TokenRefreshedEvent) => {
      const when: number | null = expiresAt;
      const why: 'expiring' | 'unauthorized' = reason;
      console.info(when, why);
    },
  };
  const client = await AlternativeClient.create(options);
  const viaGetter = await AlternativeClient.create({ getAccessToken: () => jwt });
  viaGetter.destroy();

  // @ts-expect-error both token callbacks at once
  await AlternativeClient.create({ accessToken: jwt, getAccessToken: () => jwt, onAccessTokenExpired: () => jwt });
  // @ts-expect-error neither accessToken nor getAccessToken
  await AlternativeClient.create({ environment: 'production' });
  // @ts-expect-error unknown environment
  await AlternativeClient.create({ accessToken: jwt, environment: 'staging' });
  // @ts-expect-error unknown option
  await AlternativeClient.create({ accessToken: jwt, retries: 3 });

  const invoice = await client.get<Invoice>('/v1/invoices/inv_1001', { query: { expand: ['lines'], page: 1 } });
  const amount: number = invoice.amount;
  const raw: unknown = await client.request('GET', '/v1/invoices/inv_1001', {
    headers: { 'x-trace': '1' },
    signal: AbortSignal.timeout(1000),
  });
  await client.request('post', '/v1/invoices/inv_1001/payments', { body: { amount } });
  // @ts-expect-error not an HTTP method
  await client.request('FETCH', '/x');
  await client.post('/v1/invoices/inv_1001/payments', { amount }, { headers: [['x-a', 'b']] });
  await client.post('/v1/invoices/inv_1001/payments', { amount }, { idempotencyKey: 'order-1' });
  await client.patch('/v1/invoices/inv_1001', { amount }, { idempotencyKey: true });
  // @ts-expect-error idempotencyKey is a string or true
  await client.post('/v1/invoices/inv_1001/payments', { amount }, { idempotencyKey: false });
  const retrying = await AlternativeClient.create({ accessToken: 'a.b.c', retry: { limit: 3 } });
  await AlternativeClient.create({ accessToken: 'a.b.c', retry: false });
  // @ts-expect-error retry.limit is a number
  await AlternativeClient.create({ accessToken: 'a.b.c', retry: { limit: 'many' } });
  const failed = await retrying.get('/x').catch((e: unknown) => e);
  if (failed instanceof ApiError || failed instanceof NetworkError) {
    const sent: number | undefined = failed.attempts;
    void sent;
  }
  if (failed instanceof NetworkError && failed.code === 'INTEGRITY_MISMATCH') void failed;
  await client.put('/v1/things/1', { a: 1 });
  await client.patch('/v1/things/1', { a: 2 });
  await client.delete('/v1/things/1');
  await client.delete('/v1/things/1', { body: { reason: 'duplicate' }, idempotencyKey: true });
  client.setAccessToken(jwt);
  // @ts-expect-error a token is a string
  client.setAccessToken(42);

  const invoiceId: unknown = client.claims?.invoice_id;
  const exp: number | undefined = client.claims?.exp;
  const expiresAt: number | null = client.expiresAt;
  const shown: { expiresAt: number | null } = client.toJSON();
  console.info(raw, invoiceId, exp, expiresAt, shown);
  client.destroy();
}

async function gatekeeper(): Promise<void> {
  const sdk = new SafeSDK({
    apiKey: 'demo-api-key',
    applicationId: 'demo-app',
    applicationVersion: '1.0.0',
    baseUrl: 'http://localhost:8787',
    getAccessToken: async () => jwt,
    refreshTimeoutMs: 5000,
    requestTimeoutMs: 30000,
  });
  // @ts-expect-error apiKey is required
  new SafeSDK({ applicationId: 'a', applicationVersion: '1', baseUrl: 'https://x.test' });

  const { deviceId, registered }: InitializeResult = await sdk.initialize(jwt);
  sdk.setAccessToken(jwt);
  const result: CheckResult = await sdk.check();
  if (result.status === 'AuthenticationFailed') console.warn(result.reason);
  const extra: unknown = result.checkedAt;
  sdk.startPeriodicCheck(5000, (r) => {
    const status: string = r.status;
    if (r.error) console.warn(r.error.code);
    console.info(status);
  });
  sdk.stopPeriodicCheck();
  const current: string | null = sdk.deviceId;
  const shownDevice: { deviceId: string | null } = sdk.toJSON();
  console.info(deviceId, registered, extra, current, shownDevice);
  sdk.destroy();
}

async function enrollment(): Promise<void> {
  const form: CardForm = await CardEnrollment.openForm({
    companyName: 'Demo Shop',
    subaccountId: 'sub_demo',
    baseUrl: 'https://vendor.example',
    getAccessToken: async () => jwt,
    container: document.body,
    onSuccess: (card: EnrolledCard) => console.info(card.last4, card.brand, card.expMonth + card.expYear),
    onError: (error) => console.warn(error.code),
    onCancel: () => console.info('cancelled'),
    refreshTimeoutMs: 5000,
  });
  form.close();
  // @ts-expect-error getAccessToken is required
  await CardEnrollment.openForm({ companyName: 'A', subaccountId: 'b', baseUrl: 'https://x.test' });
  // @ts-expect-error container must be an Element
  await CardEnrollment.openForm({ companyName: 'A', subaccountId: 'b', baseUrl: 'https://x.test', getAccessToken: () => jwt, container: '#x' });
  // @ts-expect-error the card never carries the number
  const leaked: string = ({} as EnrolledCard).number;
  // @ts-expect-error not constructible
  new CardEnrollment();
  const classicForm: CardForm = await PartnerSDK.CardEnrollment.openForm({
    companyName: 'A', subaccountId: 'b', baseUrl: 'https://x.test', getAccessToken: () => jwt,
  });
  classicForm.close();
  console.info(leaked);
}

function explain(e: unknown): string {
  if (e instanceof ApiError) {
    const status: number = e.status;
    const body: unknown = e.body;
    const requestId: string | null = e.requestId;
    return `${e.code} ${status} ${requestId} ${String(body)}`;
  }
  if (e instanceof NetworkError) {
    const code: 'NETWORK_ERROR' | 'REQUEST_TIMEOUT' | 'INTEGRITY_MISMATCH' = e.code;
    return code;
  }
  if (e instanceof ConfigurationError) return `bad ${e.key ?? '?'}`;
  if (e instanceof TokenRefreshError) return `callback failed: ${String(e.cause)}`;
  const others = [
    InvalidAccessToken,
    InvalidAccessTokenFormat,
    AccessTokenExpiredError,
    TokenRefreshTimeoutError,
    ClientDestroyedError,
  ] as const;
  if (others.some((C) => e instanceof C)) return 'token or lifecycle';
  if (isPartnerSdkError(e)) {
    const code: PartnerSdkErrorCode = e.code;
    // The base class's own code (`new PartnerSdkError(message)`), a member of the union.
    if (code === 'PARTNER_SDK_ERROR') return 'base';
    const base: PartnerSdkError = e;
    const asError: Error = base;
    return `${code} ${asError.message}`;
  }
  return 'not ours';
}

async function classic(): Promise<void> {
  await PartnerSDK.ready;
  const client: PartnerSDK.AlternativeClient = await PartnerSDK.AlternativeClient.create({ accessToken: jwt });
  const sdk = new PartnerSDK.SafeSDK({ apiKey: 'k', applicationId: 'a', applicationVersion: '1', baseUrl: 'https://x.test' });
  try {
    await client.get('/v1/invoices/inv_1001');
  } catch (e) {
    if (e instanceof PartnerSDK.ApiError) console.warn(e.status);
    if (PartnerSDK.isPartnerSdkError(e)) console.warn(e.code);
  }
  await PartnerSDK.init();
  sdk.destroy();
}

// The per-class entries' init() takes one source: a URL, a Response, bytes, a compiled
// module, or a promise of one of them.
async function perClassInit(module: WebAssembly.Module, bytes: Uint8Array, where: string | URL, source: InitInput, maybe?: RequestInfo | URL): Promise<void> {
  await initCheckout();
  await initCheckout(undefined);
  await initCheckout(where);
  await initCheckout(source);
  await initCheckout(maybe);
  await initCheckout(Math.random() > 0.5 ? '/checkout_bg.wasm' : new URL('https://cdn.example/checkout_bg.wasm'));
  await initCheckout(Math.random() > 0.5 ? fetch('/checkout_bg.wasm') : new Response('wasm'));
  await initCheckout(bytes.buffer as ArrayBuffer);
  await initGatekeeper(WebAssembly.compile(new Uint8Array(8)));
  await initCheckout('/checkout_bg.wasm');
  await initCheckout(new URL('https://cdn.example/checkout_bg.wasm'));
  await initCheckout(fetch('/checkout_bg.wasm'));
  await initGatekeeper(module);
  await initGatekeeper(bytes);
  await initEnrollment(new Request('/enrollment_bg.wasm'));
  await initEnrollment(Promise.resolve(bytes.buffer));
  // @ts-expect-error the { checkout } object is the main entry's init()
  await initCheckout({ checkout: '/checkout_bg.wasm' });
  // @ts-expect-error not a source
  await initGatekeeper(42);
  // @ts-expect-error nor a promise of one
  await initEnrollment(Promise.resolve({ enrollment: '/x' }));
  // The main entry's init() checks each class's source the same way.
  await init({ checkout: where, gatekeeper: module, enrollment: Promise.resolve(bytes) });
  // @ts-expect-error not a source
  await init({ checkout: 42 });
  // @ts-expect-error a { checkout } object is no source for one class
  await init({ gatekeeper: { checkout: where } });
  // @ts-expect-error wasm-bindgen's own call shape is not this init()'s
  await init({ checkout: { module_or_path: where } });
  // @ts-expect-error no such class
  await init({ checkuot: where });
  // @ts-expect-error the classic global's init() too
  await PartnerSDK.init({ enrollment: 42 });
}

// Options built conditionally: an optional key may be given as `undefined`, as the SDK
// reads it (absent). scripts/test.sh checks this file a second time with
// `--exactOptionalPropertyTypes`, where `?: T` alone would refuse these.
async function optionalAsUndefined(flag: boolean, jwt: string, signal?: AbortSignal): Promise<void> {
  const onExpired = flag ? () => jwt : undefined;
  const client = await AlternativeClient.create({
    accessToken: jwt,
    onAccessTokenExpired: onExpired,
    baseUrl: flag ? 'https://api.example.com' : undefined,
    environment: undefined,
    retry: flag ? { limit: undefined, maxDelayMs: 5000 } : undefined,
    refreshTimeoutMs: undefined,
    onTokenRefreshed: undefined,
  });
  await client.get('/v1/x', { signal, query: undefined, headers: undefined, idempotencyKey: undefined });
  new SafeSDK({ apiKey: 'k', applicationId: 'a', applicationVersion: '1', baseUrl: 'https://x.test', requestTimeoutMs: undefined, getAccessToken: flag ? () => jwt : undefined });
  await CardEnrollment.openForm({
    companyName: 'A', subaccountId: 'b', baseUrl: 'https://x.test', getAccessToken: () => jwt,
    container: flag ? document.body : undefined, onCancel: undefined, refreshTimeoutMs: undefined,
  });
  await init({ checkout: flag ? '/checkout_bg.wasm' : undefined, gatekeeper: undefined });
  // A code of the SDK's own may be given; anything else would break `e.code`'s type.
  void new NetworkError('slow', { code: 'REQUEST_TIMEOUT' });
  // @ts-expect-error not one of the SDK's codes
  void new ApiError('down', { code: 'UPSTREAM_DOWN' });
  throw new NetworkError('offline', { code: undefined, attempts: undefined });
}

export { checkout, gatekeeper, enrollment, explain, classic, perClassInit, optionalAsUndefined };
