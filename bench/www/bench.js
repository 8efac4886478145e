// The in-page half of figures 2, 3, 4, 6 and 7. run.mjs calls these through `window.bench`
// and does all the statistics itself on the raw numbers returned here.
// First: wraps WebAssembly.instantiate* so the SDK's instance (and its memory) is kept.
import { instances, memoryOf, wasmMemoryBytes as capturedMemoryBytes } from './capture-wasm.js';
// The checkout entry only: figures 2–4 and 6 use AlternativeClient (index.js re-exports
// this same class, and would also load SafeSDK's wasm).
import { AlternativeClient, ready } from '/pkg/checkout.js';
import { jwtDecode } from './vendor/jwt-decode.js';

const ORIGIN = location.origin;
const INVOICE_PATH = '/v1/invoices/inv_1001';
const INVOICE_URL = ORIGIN + INVOICE_PATH;
await ready;
if (instances.length !== 1 || !memoryOf(instances[0])) {
  throw new Error(`expected the checkout wasm instance with its memory, captured ${instances.length} instances`);
}

// ------------------------------------------------------------------ sandbox helpers

async function post(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return response.json();
}

/** A real checkout JWT for inv_1001 from the sandbox's test controls. */
async function mint(ttl = 3600) {
  return (await post('/__sandbox/mint', { kind: 'checkout', invoiceId: 'inv_1001', ttl })).token;
}

/** Every token issued so far is refused from now on. */
const revoke = () => post('/__sandbox/revoke');
const counters = async () => (await fetch('/__sandbox/counters')).json();
/** Sandbox fault injection (sandbox/README.md): here only `delay_ms`, as server latency. */
const faults = (spec) => post('/__sandbox/faults', spec);
const clearFaults = async () => {
  const response = await fetch('/__sandbox/faults', { method: 'DELETE' });
  if (!response.ok) throw new Error(`DELETE /__sandbox/faults answered ${response.status}`);
  return response.json();
};

function checkInvoice(body) {
  if (!body || body.id !== 'inv_1001') throw new Error(`unexpected body ${JSON.stringify(body)}`);
}

/** The baseline: what a page writes without an SDK. */
async function plainGet(token) {
  const response = await fetch(INVOICE_URL, { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' });
  if (!response.ok) throw new Error(`plain fetch answered ${response.status}`);
  return response.json();
}

// ------------------------------------------------------------------ 2. per-request overhead

/**
 * `blocks` blocks of `perBlock` sequential requests for each side, the side that goes first
 * alternating per block. Returns every request's time and each block's ours/plain ratio.
 */
async function overhead({ blocks, perBlock, warmup }) {
  const token = await mint();
  const client = await AlternativeClient.create({ accessToken: token, baseUrl: ORIGIN });
  const sides = { ours: () => client.get(INVOICE_PATH), plain: () => plainGet(token) };
  for (const side of Object.values(sides)) {
    for (let i = 0; i < warmup; i += 1) checkInvoice(await side());
  }
  const times = { ours: [], plain: [] };
  const blockRatios = [];
  for (let b = 0; b < blocks; b += 1) {
    const order = b % 2 === 0 ? ['ours', 'plain'] : ['plain', 'ours'];
    const total = {};
    for (const name of order) {
      total[name] = 0;
      for (let i = 0; i < perBlock; i += 1) {
        const t0 = performance.now();
        const body = await sides[name]();
        const ms = performance.now() - t0;
        checkInvoice(body);
        times[name].push(ms);
        total[name] += ms;
      }
    }
    blockRatios.push(total.ours / total.plain);
  }
  client.destroy();
  return { times, blockRatios };
}

// ------------------------------------------------------------------ 3. refresh storm

/**
 * What a page writes by hand without an SDK: fetch with the current token; on a 401, one
 * shared refresh (single flight), then one retry. A 401 on a token that has already been
 * replaced retries without refreshing, as the SDK's rule 1 does.
 */
function plainClient(token, refresh) {
  let refreshing = null;
  return {
    async get() {
      const sent = token;
      let response = await fetch(INVOICE_URL, { headers: { Authorization: `Bearer ${sent}` }, cache: 'no-store' });
      if (response.status === 401) {
        if (token === sent) {
          refreshing ??= refresh().then((fresh) => { token = fresh; }).finally(() => { refreshing = null; });
        }
        await refreshing;
        response = await fetch(INVOICE_URL, { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' });
      }
      if (!response.ok) throw new Error(`plain fetch answered ${response.status}`);
      return response.json();
    },
  };
}

/** `kind` 'ours' (AlternativeClient) or 'plain' (plainClient), with a counting callback. */
async function refreshingClient(kind, counter) {
  const refresh = async () => {
    counter.callbacks += 1;
    return mint();
  };
  const accessToken = await mint();
  if (kind === 'plain') return { ...plainClient(accessToken, refresh), destroy() {} };
  const client = await AlternativeClient.create({ accessToken, baseUrl: ORIGIN, onAccessTokenExpired: refresh });
  return { get: () => client.get(INVOICE_PATH), destroy: () => client.destroy() };
}

/**
 * `n` concurrent GETs on a revoked token; the callback mints a fresh one. Returns the time
 * to all-settled, callback and success counts, and what the server saw.
 */
async function refreshStorm(n, kind = 'ours', delayMs = 0) {
  const counter = { callbacks: 0 };
  const client = await refreshingClient(kind, counter);
  await revoke();
  // Server latency for every API request of this run (at most 2n for plain: n refused + n
  // retries), the same for both sides; what is left over is cleared after the run.
  if (delayMs > 0) await faults({ path: INVOICE_PATH, count: 2 * n + 10, delay_ms: delayMs });
  const before = await counters();
  const t0 = performance.now();
  const settled = await Promise.allSettled(Array.from({ length: n }, () => client.get()));
  const ms = performance.now() - t0;
  const after = await counters();
  if (delayMs > 0) await clearFaults();
  client.destroy();
  const errors = {};
  let fulfilled = 0;
  for (const s of settled) {
    if (s.status === 'fulfilled') {
      checkInvoice(s.value);
      fulfilled += 1;
    } else {
      const key = (s.reason && (s.reason.code || s.reason.name)) || String(s.reason);
      errors[key] = (errors[key] || 0) + 1;
    }
  }
  return {
    kind,
    n,
    delayMs,
    ms,
    callbacks: counter.callbacks,
    fulfilled,
    errors,
    serverRequests: after.api_requests - before.api_requests,
    server401s: after.unauthorized - before.unauthorized,
  };
}

// ------------------------------------------------------------------ 7. clock skew

/**
 * The page's clock is `skewS` seconds off the server's (page − server): the sandbox's clock is
 * shifted by −skewS (POST /__sandbox/clock), so every token it mints from here on carries
 * iat/exp of the shifted clock while the page's `Date.now()` stays real. A `ttl`-second
 * checkout token, a client whose callback mints a new one (counted), then `requests`
 * sequential GETs. Returns callbacks, requests and 401s at the server, and errors. The clock
 * is put back to 0 before returning (the driver resets it again after the figure).
 */
async function clockSkew({ skewS, ttl, durationMs, spacingMs }) {
  await post('/__sandbox/clock', { offset_s: -skewS });
  try {
    const counter = { callbacks: 0 };
    const accessToken = await mint(ttl);
    const client = await AlternativeClient.create({
      accessToken,
      baseUrl: ORIGIN,
      onAccessTokenExpired: async () => {
        counter.callbacks += 1;
        return mint(ttl);
      },
    });
    const before = await counters();
    const errors = {};
    let fulfilled = 0;
    let requests = 0;
    const t0 = performance.now();
    // One GET every spacingMs through the token's due time (exp − 30 s leeway, by the
    // server's clock), and past it: one proactive refresh is the whole expected cost.
    while (performance.now() - t0 < durationMs) {
      requests += 1;
      try {
        checkInvoice(await client.get(INVOICE_PATH));
        fulfilled += 1;
      } catch (e) {
        const key = (e && (e.code || e.name)) || String(e);
        errors[key] = (errors[key] || 0) + 1;
      }
      await new Promise((resolve) => setTimeout(resolve, spacingMs));
    }
    const ms = performance.now() - t0;
    const after = await counters();
    client.destroy();
    return {
      skewS,
      serverOffsetS: -skewS,
      ttl,
      requests,
      fulfilled,
      errors,
      ms,
      callbacks: counter.callbacks,
      serverRequests: after.api_requests - before.api_requests,
      server401s: after.unauthorized - before.unauthorized,
    };
  } finally {
    await post('/__sandbox/clock', { offset_s: 0 });
  }
}

// ------------------------------------------------------------------ 4. JWT validate + decode

function base64url(text) {
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomHex(bytes) {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Tokens shaped like the sandbox's checkout JWTs (same header and claims), random signature. */
function makeTokens(n) {
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const now = Math.floor(Date.now() / 1000);
  return Array.from({ length: n }, (_, i) => {
    const customer = `cus_${randomHex(6)}`;
    const iat = now - (i % 600);
    const payload = {
      iss: 'partner-sandbox',
      sub: customer,
      client_id: 'api_client_dev',
      token_use: 'checkout',
      partner_id: `partner_${randomHex(4)}`,
      customer_id: customer,
      invoice_id: `inv_${100000 + i}`,
      iat,
      exp: iat + 900,
      jti: `r0-${randomHex(12)}`,
    };
    const signature = base64url(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
    return `${header}.${base64url(JSON.stringify(payload))}.${signature}`;
  });
}

/**
 * The same `n` tokens through each decoder, `rounds` times, sides alternating. Ours has no
 * standalone decoder: `setAccessToken` (validates header and payload) then `claims`
 * (a fresh copy of the payload) on one client. Returns ms per round per side.
 */
async function jwt({ n, rounds }) {
  const tokens = makeTokens(n);
  const client = await AlternativeClient.create({ accessToken: tokens[0], baseUrl: ORIGIN });
  const sides = {
    ours: () => tokens.reduce((sum, t) => {
      client.setAccessToken(t);
      return sum + client.claims.exp;
    }, 0),
    jwtDecode: () => tokens.reduce((sum, t) => sum + jwtDecode(t).exp, 0),
    // Extra columns for the profile: ours split in two, and jwt-decode doing header + payload.
    oursSetOnly: () => tokens.reduce((sum, t) => {
      client.setAccessToken(t);
      return sum + 1;
    }, 0),
    jwtDecodeHeaderToo: () => tokens.reduce((sum, t) => {
      const header = jwtDecode(t, { header: true });
      return sum + (header.alg === 'none' ? NaN : jwtDecode(t).exp);
    }, 0),
  };
  const expected = tokens.reduce((sum, t) => sum + JSON.parse(atob(t.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))).exp, 0);
  const ms = Object.fromEntries(Object.keys(sides).map((k) => [k, []]));
  for (let r = -1; r < rounds; r += 1) { // round -1 warms up the JIT
    const names = Object.keys(sides);
    if (r % 2 !== 0) names.reverse();
    for (const name of names) {
      const t0 = performance.now();
      const sum = sides[name]();
      const elapsed = performance.now() - t0;
      if (name !== 'oursSetOnly' && sum !== expected) throw new Error(`${name} decoded wrong claims`);
      if (r >= 0) ms[name].push(elapsed);
    }
  }
  client.destroy();
  return { n, ms };
}

// ------------------------------------------------------------------ 6. leaks

let leak = null;

/** One long-lived client, ours or plain (see refreshingClient), for leakRun. */
async function leakSetup(kind) {
  const counter = { callbacks: 0 };
  leak = { counter, client: await refreshingClient(kind, counter) };
}

/**
 * `requests` requests, `concurrency` at a time; before `refreshes` evenly spaced batches the
 * tokens are revoked, so each of those batches costs exactly one refresh.
 */
async function leakRun({ requests, refreshes, concurrency }) {
  const batches = Math.ceil(requests / concurrency);
  const every = refreshes > 0 ? Math.floor(batches / refreshes) : Infinity;
  const callbacksBefore = leak.counter.callbacks;
  let sent = 0;
  for (let b = 0; b < batches; b += 1) {
    if (b % every === 0 && (b / every) < refreshes) await revoke();
    const size = Math.min(concurrency, requests - sent);
    const bodies = await Promise.all(Array.from({ length: size }, () => leak.client.get()));
    bodies.forEach(checkInvoice);
    sent += size;
  }
  return { sent, refreshes: leak.counter.callbacks - callbacksBefore };
}

/** The checkout wasm's linear memory, in bytes (loaded in both pages; only ours uses it). */
const wasmMemoryBytes = () => capturedMemoryBytes();

window.bench = { overhead, refreshStorm, jwt, leakSetup, leakRun, wasmMemoryBytes, clockSkew, faults, clearFaults };
