// Drives sandbox/enrollment/form.js (the vendor side of the card form channel)
// in Node, against a running sandbox: a minimal DOM stub, a real
// MessageChannel and real fetches. Plays the partner page's side of the
// protocol. Run by tests/it/form_channel.rs:  node form_channel.mjs <vendorUrl>
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import assert from 'node:assert/strict';

const vendor = process.argv[2];
const PARTNER = 'http://localhost:5173';
const HELLO = 'partner-sdk:enrollment:hello';
const CONNECT = 'partner-sdk:enrollment:connect';
const source = readFileSync(new URL('../enrollment/form.js', import.meta.url), 'utf8');

function element(id) {
  const listeners = {};
  const attrs = {};
  return {
    id, value: '', hidden: true, textContent: '', disabled: id === 'submit', selectionStart: null,
    classList: { toggle() {} },
    setAttribute(k, v) { attrs[k] = String(v); },
    removeAttribute(k) { delete attrs[k]; },
    getAttribute(k) { return k in attrs ? attrs[k] : null; },
    addEventListener(type, fn) { (listeners[type] ||= []).push(fn); },
    fire(type, event = {}) { for (const fn of listeners[type] || []) fn({ preventDefault() {}, ...event }); },
    focus() { doc.activeElement = this; },
    setSelectionRange(a) { this.selectionStart = a; },
    reset() { for (const k of ['number', 'expiry', 'cvc']) els[k].value = ''; },
  };
}

const els = Object.fromEntries(
  ['card-form', 'number', 'expiry', 'cvc', 'submit', 'cancel', 'status', 'number-error', 'expiry-error', 'cvc-error']
    .map((id) => [id, element(id)]),
);
const docListeners = {};
const doc = {
  documentElement: { dataset: { partnerOrigin: PARTNER, subaccount: 'sub_demo' }, scrollHeight: 321 },
  body: {},
  activeElement: null,
  getElementById: (id) => els[id] || null,
  addEventListener(type, fn) { (docListeners[type] ||= []).push(fn); },
};

const toParent = [];
const parent = { postMessage(data, target) { toParent.push({ data, target }); } };
const winListeners = {};
const win = {
  parent,
  addEventListener(type, fn) { (winListeners[type] ||= []).push(fn); },
  removeEventListener(type, fn) { winListeners[type] = (winListeners[type] || []).filter((f) => f !== fn); },
};
const requests = [];
const context = vm.createContext({
  window: win, document: doc, setTimeout, clearTimeout, Promise, JSON, RegExp, Number, String, Boolean, Object, Math,
  encodeURIComponent, AbortSignal, AbortController, crypto, Array, Uint32Array,
  fetch: (url, init) => {
    requests.push({ url, init });
    return fetch(vendor + url, init);
  },
});
vm.runInContext(source, context);

// The frame said hello to the partner origin, never '*'.
// (JSON round trip: the objects come from the vm's realm.)
const hello = JSON.parse(JSON.stringify(toParent));
assert.equal(hello.length, 1);
assert.match(hello[0].data.nonce, /^[0-9a-z]{8,}$/, 'a nonce of its own');
assert.deepEqual(hello, [{ data: { type: HELLO, v: 1, nonce: hello[0].data.nonce }, target: PARTNER }]);
const nonce = hello[0].data.nonce;

const fromFrame = [];
let onFrameMessage = null;
function connectEvent(overrides, port) {
  return { origin: PARTNER, source: parent, data: { type: CONNECT, v: 1, nonce }, ports: [port], ...overrides };
}
function postToFrame(event) {
  for (const fn of [...(winListeners.message || [])]) fn(event);
}
const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms));

// Wrong origin, wrong source, wrong type: ignored.
const stray = new MessageChannel();
postToFrame(connectEvent({ origin: 'https://evil.test' }, stray.port2));
postToFrame(connectEvent({ source: {} }, stray.port2));
postToFrame(connectEvent({ data: { type: 'nope', v: 1, nonce } }, stray.port2));
// A connect answering another document's hello (handled late, after a reload). (One
// with no nonce, from an SDK that predates it, is taken: tests/e2e/enrollment.test.mjs.)
postToFrame(connectEvent({ data: { type: CONNECT, v: 1, nonce: `${nonce}x` } }, stray.port2));
assert.equal(els.submit.disabled, true, 'not connected yet');

const channel = new MessageChannel();
channel.port1.onmessage = (e) => {
  fromFrame.push(e.data);
  if (onFrameMessage) onFrameMessage(e.data);
};
postToFrame(connectEvent({}, channel.port2));
// A second connect is ignored (the listener is gone).
postToFrame(connectEvent({}, new MessageChannel().port2));
await tick();
assert.deepEqual(fromFrame.slice(0, 2), [{ type: 'ready' }, { type: 'resize', height: 321 }]);
assert.equal(els.submit.disabled, false);
fromFrame.length = 0;

async function mint(body) {
  const r = await fetch(`${vendor.replace(/:\d+$/, '')}:${process.argv[3]}/__sandbox/mint`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  return (await r.json()).token;
}

function type(id, value) {
  els[id].value = value;
  els[id].selectionStart = value.length;
  doc.activeElement = els[id];
  els[id].fire('input');
}

// The page's side of the channel: the token it last sent is the one it holds.
let held;
function give(message) {
  if (message?.type === 'token') held = message;
  channel.port1.postMessage(message);
}

// Submits the form. A need-token 'submit' (the frame asks as the card goes out) is
// answered as the page does with a token that is not due: with the token it holds;
// every other need-token with the next of `answers`.
async function submit(answers) {
  const needs = [];
  const seqs = [];
  onFrameMessage = async (m) => {
    if (m.type !== 'need-token') return;
    needs.push(m.reason);
    seqs.push(m.seq);
    give(m.reason === 'submit' ? held : answers.shift());
  };
  requests.length = 0;
  fromFrame.length = 0;
  els['card-form'].fire('submit');
  for (let i = 0; i < 100 && !fromFrame.some((m) => ['success', 'error'].includes(m.type)) && els.status.textContent.startsWith('Saving'); i += 1) {
    await tick(20);
  }
  await tick();
  onFrameMessage = null;
  const busy = fromFrame.filter((m) => m.type === 'busy').map((m) => m.busy);
  const messages = fromFrame.filter((m) => !['resize', 'need-token', 'busy'].includes(m.type));
  return { needs, seqs, busy, messages, requests: requests.length };
}

// Formatting.
type('number', '42424242424242424');
assert.equal(els.number.value, '4242 4242 4242 4242 4');
type('number', '4242424242424242');
assert.equal(els.number.value, '4242 4242 4242 4242');
type('expiry', '1230');
assert.equal(els.expiry.value, '12/30');
type('cvc', '12a3');
assert.equal(els.cvc.value, '123');

// Local format errors: no request, field marked invalid, announced.
type('number', '4242424242424241');
let run = await submit([]);
assert.equal(run.requests, 0);
assert.deepEqual(run.busy, [], 'nothing sent: never busy');
assert.equal(els.number.getAttribute('aria-invalid'), 'true');
assert.match(els['number-error'].textContent, /not valid/);
assert.match(els.status.textContent, /not valid/);

// No token yet: need-token 'expired'; the token is expired at the API: one
// need-token 'unauthorized', one retry, success. The card never crosses the port.
const expired = await mint({ kind: 'enrollment', ttl: 0 });
const good = await mint({ kind: 'enrollment' });
type('number', '4242424242424242');
type('expiry', '12/39');
type('cvc', '123');
run = await submit([{ type: 'token', token: expired, seq: 7 }, { type: 'token', token: good, seq: 8 }]);
assert.deepEqual(run.needs, ['expired', 'unauthorized']);
assert.deepEqual(run.seqs, [undefined, 7], "the 401's need-token names the refused token's seq");
assert.equal(run.requests, 2);
assert.ok(requests.every((r) => r.init.signal instanceof AbortSignal), 'each card POST has its timeout signal');
assert.equal(run.messages.length, 1, JSON.stringify(run.messages));
assert.deepEqual(run.busy, [true, false], 'busy around the submit, Cancel disabled meanwhile');
assert.equal(els.cancel.disabled, false);
const success = run.messages[0];
assert.equal(success.type, 'success');
assert.deepEqual(Object.keys(success.card).sort(), ['brand', 'cardId', 'expMonth', 'expYear', 'last4']);
assert.deepEqual([success.card.last4, success.card.brand, success.card.expMonth, success.card.expYear], ['4242', 'visa', 12, 2039]);
assert.ok(!JSON.stringify(fromFrame).includes('4242424242424242'));
assert.equal(els.number.value, '', 'form cleared after success');

// With a token: only the submit's need-token, answered with the token the page holds. A
// declined card: error 402, form stays usable.
type('number', '4000 0000 0000 0002');
type('expiry', '12/39');
type('cvc', '123');
run = await submit([]);
assert.deepEqual(run.needs, ['submit']);
assert.equal(run.requests, 1);
assert.equal(run.messages[0].type, 'error');
assert.deepEqual([run.messages[0].code, run.messages[0].status, run.messages[0].error], ['API_ERROR', 402, 'card_declined']);
assert.equal(els.number.getAttribute('aria-invalid'), 'true');
assert.equal(els.submit.disabled, false);

// 422 from the server (expired card by the server clock) stays in the form.
type('number', '4242424242424242');
type('expiry', '01/20');
run = await submit([]);
assert.deepEqual(run.messages, []);
assert.equal(els.expiry.getAttribute('aria-invalid'), 'true');
assert.match(els['expiry-error'].textContent, /expired/);

// Refused twice: exactly one refresh, then ACCESS_TOKEN_EXPIRED. Never a loop.
give({ type: 'token', token: expired });
await tick();
type('expiry', '12/39');
run = await submit([{ type: 'token', token: expired }]);
assert.deepEqual(run.needs, ['submit', 'unauthorized']);
assert.equal(run.requests, 2);
assert.deepEqual([run.messages[0].type, run.messages[0].code, run.messages[0].status], ['error', 'ACCESS_TOKEN_EXPIRED', 401]);

// token-error from the page: shown in the form, not echoed back, no second ask.
give({ type: 'token', token: expired });
await tick();
run = await submit([{ type: 'token-error', code: 'TOKEN_REFRESH_TIMEOUT', message: 'slow' }]);
assert.deepEqual(run.needs, ['submit', 'unauthorized']);
assert.equal(run.requests, 1);
assert.deepEqual(run.messages, []);
assert.match(els.status.textContent, /authorize/);

// A 403 (a token of the wrong kind) is an API_ERROR, no refresh.
const checkout = await mint({ kind: 'checkout' });
give({ type: 'token', token: checkout });
await tick();
run = await submit([]);
assert.deepEqual(run.needs, ['submit']);
assert.deepEqual([run.messages[0].code, run.messages[0].status, run.messages[0].error], ['API_ERROR', 403, 'insufficient_scope']);

// A token the form cannot take (over 8192 characters) is refused at once: an error the
// page maps to AccessTokenExpiredError, no card sent, no wait for another token.
give({ type: 'token', token: `${good}${'A'.repeat(9000)}` });
await tick();
run = await submit([]);
assert.deepEqual(run.needs, ['submit']);
assert.equal(run.requests, 0);
assert.deepEqual(run.messages.map((m) => [m.type, m.code]), [['error', 'ACCESS_TOKEN_EXPIRED']]);
assert.match(els.status.textContent, /authorize/);

// Cancel button and Escape.
fromFrame.length = 0;
els.cancel.fire('click');
for (const fn of docListeners.keydown) fn({ key: 'Escape', preventDefault() {} });
for (const fn of docListeners.keydown) fn({ key: 'Enter', preventDefault() {} });
await tick();
assert.deepEqual(fromFrame, [{ type: 'cancel' }, { type: 'cancel' }]);

console.log('form channel ok');
process.exit(0);
