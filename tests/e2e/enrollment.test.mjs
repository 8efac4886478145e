// CardEnrollment across two origins: the demo page on the sandbox's main origin, the
// card form in a frame served by the vendor's origin (the sandbox's second listener).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JWT, sandboxAndBrowser, screenshot, watchedPage, watchWasmMemory } from './helpers.mjs';

const NUMBER = '4242424242424242';
const FRAME = 'iframe[title^="Add a card"]';

// A frame at the vendor's origin that speaks the channel protocol and lets the test send
// its messages (`window.say`) and read what it got (`window.got`).
const SCRIPTED_FRAME = `<!doctype html><script>
  window.got = [];
  addEventListener('message', (e) => {
    if (e.data?.type !== 'partner-sdk:enrollment:connect') return;
    const port = e.ports[0];
    port.onmessage = ({ data }) => window.got.push(data);
    window.say = (m) => port.postMessage(m);
    port.postMessage({ type: 'ready' });
  });
  parent.postMessage({ type: 'partner-sdk:enrollment:hello', v: 1 }, '*');
</script>`;

let vendor;
const env = sandboxAndBrowser({
  flags: ['--vendor-port', '0'],
  setup: async ({ sandbox }) => {
    vendor = (await (await fetch(`${sandbox.url}/api/enrollment-config`)).json()).baseUrl;
  },
});

const cards = async () => (await (await fetch(`${env.sandbox.url}/__sandbox/cards`)).json()).cards;

/**
 * The demo page, with `window.form(options)`: opens the form through pkg/enrollment.js
 * with the demo's config, recording every callback in `window.seen`.
 */
async function openPage() {
  const { page, seen } = await watchedPage(env.browser.context);
  const requests = [];
  page.on('request', (r) => {
    if (r.frame() === page.mainFrame()) requests.push(`${r.method()} ${r.url()} ${r.postData() ?? ''}`);
  });
  await page.goto(`${env.sandbox.url}/enrollment.html`);
  await page.waitForSelector('body[data-ready="true"]');
  await page.evaluate(async (vendorUrl) => {
    const { CardEnrollment } = await import('/pkg/enrollment.js');
    window.seen = { tokens: 0, success: [], errors: [], cancel: 0 };
    window.backendToken = async () => {
      window.seen.tokens += 1;
      return (await fetch('/api/enrollment-token')).text();
    };
    window.form = (extra = {}) => CardEnrollment.openForm({
      companyName: 'Demo Shop',
      subaccountId: 'sub_demo',
      baseUrl: vendorUrl,
      getAccessToken: () => window.backendToken(),
      onSuccess: (card) => window.seen.success.push(card),
      onError: (e) => window.seen.errors.push({
        name: e.name, code: e.code, status: e.status, message: e.message, body: e.body, hasAttempts: 'attempts' in e,
      }),
      onCancel: () => { window.seen.cancel += 1; },
      ...extra,
    }).then((handle) => { window.handle = handle; return true; });
  }, vendor);
  return { page, seen, requests };
}

async function typeCard(page, number = NUMBER) {
  const frame = page.frameLocator(FRAME);
  await frame.locator('#submit:not([disabled])').waitFor();
  await frame.locator('#number').pressSequentially(number);
  await frame.locator('#expiry').fill('12/34');
  await frame.locator('#cvc').fill(number.startsWith('37') ? '1234' : '123');
  return frame;
}

const seenNow = (page) => page.evaluate(() => window.seen);

// A page's own bug in its callback is not hidden: it surfaces as an uncaught error does
// (the window's `error` event, the console), and the form goes on.
test('what onSuccess throws and what onCancel rejects with are reported as the page\'s uncaught errors', async () => {
  const { page, seen } = await openPage();
  await page.evaluate(() => {
    window.reported = [];
    window.addEventListener('error', (e) => window.reported.push(e.error?.message ?? e.message));
  });
  await page.evaluate(() => window.form({
    onSuccess: (card) => { window.seen.success.push(card); throw new Error('bug in onSuccess'); },
  }));
  const frame = await typeCard(page);
  await frame.locator('#submit').click();
  await page.waitForFunction(() => window.reported.length === 1);
  assert.equal((await seenNow(page)).success.length, 1);
  await page.evaluate(() => window.form({ onCancel: async () => { window.seen.cancel += 1; throw new Error('bug in onCancel'); } }));
  await page.frameLocator(FRAME).locator('#submit:not([disabled])').waitFor();
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => window.reported.length === 2);
  assert.deepEqual(await page.evaluate(() => window.reported), ['bug in onSuccess', 'bug in onCancel']);
  assert.equal((await seenNow(page)).cancel, 1);
  assert.equal(await page.locator(FRAME).count(), 0, 'both forms closed');
  assert.deepEqual(seen.pageErrors, ['bug in onSuccess', 'bug in onCancel']);
  await page.close();
});

test('typing a test card enrols it: onSuccess gets last4 and brand, the sandbox stored it, and the number stays in the frame', async () => {
  const { page, seen, requests } = await openPage();
  const before = (await cards()).length;
  await page.evaluate(() => window.form());
  const frame = await typeCard(page);
  assert.equal(await frame.locator('#number').inputValue(), '4242 4242 4242 4242', 'grouped in fours as typed');
  assert.match(await frame.locator('h1, .company').allTextContents().then((t) => t.join(' ')), /Demo Shop/);
  await screenshot(page, 'enrollment-form.png');

  // The partner page's own script cannot reach into the frame.
  const reach = await page.evaluate((sel) => {
    const f = document.querySelector(sel);
    const out = { contentDocument: f.contentDocument === null };
    try {
      out.value = f.contentWindow.document.getElementById('number').value;
    } catch (e) {
      out.threw = e.name;
    }
    return out;
  }, FRAME);
  assert.deepEqual(reach, { contentDocument: true, threw: 'SecurityError' });

  await frame.locator('#submit').click();
  await page.waitForFunction(() => window.seen.success.length === 1);
  const state = await seenNow(page);
  assert.equal(state.success[0].last4, '4242');
  assert.equal(state.success[0].brand, 'visa');
  assert.match(state.success[0].cardId, /^card_/);
  assert.deepEqual(Object.keys(state.success[0]).sort(), ['brand', 'cardId', 'expMonth', 'expYear', 'last4']);
  assert.deepEqual(state.errors, []);
  assert.equal(state.tokens, 1, 'getAccessToken called once, at launch');
  const stored = await cards();
  assert.equal(stored.length, before + 1);
  assert.deepEqual({ last4: stored.at(-1).last4, brand: stored.at(-1).brand }, { last4: '4242', brand: 'visa' });
  assert.equal(await page.locator(FRAME).count(), 0, 'the form closes after success');

  for (const r of requests) assert.ok(!r.includes(NUMBER) && !r.includes('4242 4242'), `page request carries the number: ${r}`);
  const storage = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }) + document.cookie);
  assert.doesNotMatch(storage, JWT);
  assert.deepEqual([seen.errors, seen.pageErrors, seen.csp], [[], [], []]);
  await page.close();
});

test('a token revoked mid-session costs one more getAccessToken call, and the enrolment succeeds', async () => {
  const { page } = await openPage();
  await page.evaluate(() => window.form());
  const frame = await typeCard(page, '5555555555554444');
  await page.waitForFunction(() => window.seen.tokens === 1);
  const before = await env.sandbox.counters();
  await env.sandbox.post('/__sandbox/revoke');
  await frame.locator('#submit').click();
  await page.waitForFunction(() => window.seen.success.length === 1 || window.seen.errors.length > 0);
  const state = await seenNow(page);
  assert.deepEqual(state.errors, []);
  assert.equal(state.success[0].brand, 'mastercard');
  assert.equal(state.tokens, 2, 'one launch call and one after the 401');
  const now = await env.sandbox.counters();
  assert.equal(now.unauthorized - before.unauthorized, 1, 'one refused attempt');
  assert.equal(now.cards_enrolled - before.cards_enrolled, 1);
  await page.close();
});

test('a getAccessToken that hangs reaches onError with TokenRefreshTimeoutError after about 5 s', async () => {
  const { page } = await openPage();
  const started = Date.now();
  await page.evaluate(() => {
    window.backendToken = () => { window.seen.tokens += 1; return new Promise(() => {}); };
    return window.form();
  });
  await page.waitForFunction(() => window.seen.errors.length > 0, null, { timeout: 20_000 });
  const elapsed = Date.now() - started;
  const state = await seenNow(page);
  assert.equal(state.errors[0].name, 'TokenRefreshTimeoutError');
  assert.equal(state.errors[0].code, 'TOKEN_REFRESH_TIMEOUT');
  assert.ok(elapsed >= 4_500 && elapsed < 15_000, `onError after ${elapsed} ms`);
  assert.equal(await page.locator(FRAME).count(), 1, 'the form stays open for a retry');
  await page.close();
});

test('a launch getAccessToken that fails while a submit waits for it reaches onError once; the next submit works', async () => {
  const { page } = await openPage();
  await page.evaluate(() => {
    const real = window.backendToken;
    let first = true;
    window.backendToken = () => {
      if (!first) return real();
      first = false;
      window.seen.tokens += 1;
      return new Promise((_, reject) => { window.failLaunch = () => reject(new Error('backend down')); });
    };
    // Marks when the page's end of the channel has handled a need-token.
    const onmessage = Object.getOwnPropertyDescriptor(MessagePort.prototype, 'onmessage');
    Object.defineProperty(MessagePort.prototype, 'onmessage', {
      ...onmessage,
      set(handler) {
        onmessage.set.call(this, handler && function (event) {
          const result = handler.call(this, event);
          if (event.data?.type === 'need-token') window.sawNeedToken = true;
          return result;
        });
      },
    });
    return window.form();
  });
  const frame = await typeCard(page);
  await frame.locator('#submit').click();
  // The frame has no token yet: it asks the page (need-token) while the launch is out.
  await frame.locator('#status').filter({ hasText: /Saving/ }).waitFor();
  await page.waitForFunction(() => window.sawNeedToken === true, null, { timeout: 10_000 });
  await page.evaluate(() => window.failLaunch());
  await frame.locator('#status').filter({ hasText: /could not authorize/i }).waitFor();
  const failed = await seenNow(page);
  assert.deepEqual(failed.errors.map((e) => e.name), ['TokenRefreshError'], 'one onError for one failed refresh');
  await frame.locator('#submit').click();
  await page.waitForFunction(() => window.seen.success.length === 1, null, { timeout: 20_000 });
  const done = await seenNow(page);
  assert.equal(done.errors.length, 1);
  assert.equal(done.tokens, 2, 'the retry asked getAccessToken again');
  await page.close();
});

test('a token from the API credentials reaches onError with ApiError 403, and no card is stored', async () => {
  const { page } = await openPage();
  const before = await env.sandbox.counters();
  await page.evaluate(() => {
    window.backendToken = async () => {
      window.seen.tokens += 1;
      const r = await fetch('/oauth/token', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_id: 'api_client_dev', client_secret: 'api_secret_dev', grant_type: 'client_credentials' }),
      });
      return (await r.json()).access_token;
    };
    return window.form();
  });
  const frame = await typeCard(page);
  await frame.locator('#submit').click();
  await page.waitForFunction(() => window.seen.errors.length > 0);
  const state = await seenNow(page);
  // The documented shape: the vendor's error code only, and no `attempts` (the frame sent the card).
  const { name, status, body, hasAttempts } = state.errors[0];
  assert.deepEqual({ name, status, body, hasAttempts }, { name: 'ApiError', status: 403, body: { error: 'insufficient_scope' }, hasAttempts: false });
  assert.equal(state.success.length, 0);
  assert.equal((await env.sandbox.counters()).cards_enrolled - before.cards_enrolled, 0);
  assert.equal(await page.locator(FRAME).count(), 1, 'the form stays open');
  await page.close();
});

test('forged postMessages from other windows and origins change nothing', async () => {
  const { page } = await openPage();
  const forged = [
    { type: 'partner-sdk:enrollment:hello', v: 1 },
    { type: 'success', card: { cardId: 'card_forged', last4: '0000', brand: 'visa', expMonth: 1, expYear: 2030 } },
    { type: 'cancel' },
    { type: 'error', code: 'API_ERROR', status: 500 },
    { type: 'need-token', reason: 'unauthorized' },
  ];
  // Windows at another origin (localhost vs 127.0.0.1) and at the vendor's own origin
  // (but not the frame), opened by the page so that they can reach it.
  const popups = [];
  for (const origin of [env.sandbox.url.replace('127.0.0.1', 'localhost'), vendor]) {
    const [popup] = await Promise.all([
      page.waitForEvent('popup'),
      page.evaluate((url) => { window.open(url, '_blank'); }, `${origin}/favicon.svg`),
    ]);
    await popup.waitForLoadState();
    popups.push(popup);
  }
  const forge = () => Promise.all([
    ...popups.map((p) => p.evaluate((messages) => { for (const m of messages) window.opener.postMessage(m, '*'); }, forged)),
    page.evaluate((messages) => { for (const m of messages) window.postMessage(m, '*'); }, forged),
    // A page script's own event names the vendor's origin and the frame's window.
    page.evaluate(([messages, origin, sel]) => {
      const source = document.querySelector(sel)?.contentWindow;
      for (const data of messages) window.dispatchEvent(new MessageEvent('message', { data, origin, source }));
    }, [forged, vendor, FRAME]),
  ]);
  // Before the frame's own hello (the vendor answers the form 1.5 s late) and after
  // the handshake.
  await env.sandbox.post('/__sandbox/faults', { path: '/enrollment/form', delay_ms: 1500 });
  await page.evaluate(() => window.form());
  await forge();
  await page.frameLocator(FRAME).locator('#submit:not([disabled])').waitFor();
  await forge();
  await page.waitForTimeout(300);
  const state = await seenNow(page);
  assert.deepEqual({ success: state.success, errors: state.errors, cancel: state.cancel, tokens: state.tokens },
    { success: [], errors: [], cancel: 0, tokens: 1 });
  assert.equal(await page.locator(FRAME).count(), 1);
  // The real channel still works.
  const frame = await typeCard(page);
  await frame.locator('#submit').click();
  await page.waitForFunction(() => window.seen.success.length === 1);
  assert.equal((await seenNow(page)).success[0].last4, '4242');
  for (const p of popups) await p.close();
  await page.close();
});

test("the vendor's frame itself at another origin (an opaque, sandboxed one): its hello is ignored, and the handshake times out", async () => {
  const { page } = await openPage();
  await page.clock.install();
  // The frame's own window (so the source check passes) says hello from origin "null".
  await page.route(`${vendor}/enrollment/form**`, (route) => route.fulfill({
    contentType: 'text/html',
    headers: { 'content-security-policy': 'sandbox allow-scripts' },
    body: "<!doctype html><script>parent.postMessage({ type: 'partner-sdk:enrollment:hello', v: 1 }, '*'); document.title = 'said hello';</script>",
  }));
  await page.evaluate(() => window.form());
  await page.locator(FRAME).waitFor();
  const frame = await (await page.locator(FRAME).elementHandle()).contentFrame();
  await frame.waitForFunction(() => document.title === 'said hello');
  await page.clock.fastForward(11_000);
  await page.waitForFunction(() => window.seen.errors.length > 0);
  const state = await seenNow(page);
  assert.deepEqual(state.errors.map((e) => e.name), ['NetworkError'], 'no handshake with a frame at another origin');
  assert.match(await page.locator('[role="dialog"] [role="alert"]').textContent(), /could not be loaded/);
  await page.close();
});

test('the token crosses only the MessageChannel: no window message, no URL and no frame src carries it', async () => {
  const { page } = await openPage();
  const urls = [];
  page.on('request', (r) => urls.push(r.url()));
  // Every window-level message each window receives (the frame's too: init scripts run
  // in child frames), serialised as it arrives.
  const record = () => {
    window.windowMessages = [];
    window.addEventListener('message', (e) => {
      try {
        window.windowMessages.push(JSON.stringify(e.data));
      } catch {
        window.windowMessages.push(String(e.data));
      }
    }, true);
  };
  await page.addInitScript(record);
  await page.evaluate(record);
  await page.evaluate(() => window.form());
  const frame = await typeCard(page);
  // The frame is removed once the card went in: read what it received first.
  const inner = await (await page.locator(FRAME).elementHandle()).contentFrame();
  const inFrame = await inner.evaluate(() => window.windowMessages);
  await frame.locator('#submit').click();
  await page.waitForFunction(() => window.seen.success.length === 1);
  const received = [...await page.evaluate(() => window.windowMessages), ...inFrame];
  assert.ok(received.some((m) => m.includes('enrollment:hello')), 'the page saw the hello');
  assert.ok(received.some((m) => m.includes('enrollment:connect')), 'the frame saw the connect');
  for (const m of received) assert.doesNotMatch(m, JWT, 'a window message');
  for (const u of urls) assert.doesNotMatch(decodeURIComponent(u), JWT, 'a URL');
  assert.ok(urls.some((u) => u.includes('/enrollment/form')), 'the frame was loaded');
  assert.equal((await seenNow(page)).tokens, 1);
  await page.close();
});

test('Escape calls onCancel and returns the focus; close() leaves no element or listener behind', async () => {
  const { page } = await openPage();
  // Track the listeners added to window and document and not removed since.
  await page.evaluate(() => {
    // (On EventTarget.prototype: the SDK calls it from there, not through `document`.)
    const live = [];
    window.liveListeners = () => live.length;
    const { addEventListener: add, removeEventListener: remove } = EventTarget.prototype;
    const watched = (target) => target === window || target === document;
    const find = (target, type, fn) => live.findIndex((l) => l.target === target && l.type === type && l.fn === fn);
    EventTarget.prototype.addEventListener = function (type, fn, opts) {
      if (watched(this) && find(this, type, fn) < 0) live.push({ target: this, type, fn });
      return add.call(this, type, fn, opts);
    };
    EventTarget.prototype.removeEventListener = function (type, fn, opts) {
      const i = watched(this) ? find(this, type, fn) : -1;
      if (i >= 0) live.splice(i, 1);
      return remove.call(this, type, fn, opts);
    };
  });
  const bodyBefore = await page.evaluate(() => document.body.innerHTML);
  await page.focus('#open');
  await page.evaluate(() => window.form());
  // The Escape listener, and the window one for the frame's hello (again if it reloads).
  assert.equal(await page.evaluate(() => window.liveListeners()), 2);
  assert.equal(await page.locator('[role="dialog"][aria-modal="true"]').count(), 1);
  assert.notEqual(await page.evaluate(() => document.activeElement.id), 'open', 'focus moved into the dialog');
  await page.frameLocator(FRAME).locator('#submit:not([disabled])').waitFor();
  assert.equal(await page.evaluate(() => window.liveListeners()), 2, 'after the handshake: the same two, until close');
  await page.frameLocator(FRAME).locator('#number').click();
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => window.seen.cancel === 1);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'open', 'focus is back on the opener');
  assert.equal(await page.locator(FRAME).count(), 0);
  assert.equal(await page.evaluate(() => window.liveListeners()), 0, 'every listener removed');

  // close(): no onCancel, nothing left.
  await page.evaluate(() => window.form());
  await page.frameLocator(FRAME).locator('#submit:not([disabled])').waitFor();
  await page.evaluate(() => window.handle.close());
  assert.equal(await page.evaluate(() => document.body.innerHTML), bodyBefore);
  assert.equal(await page.evaluate(() => window.liveListeners()), 0);
  assert.equal((await seenNow(page)).cancel, 1, 'close() does not call onCancel');
  await page.close();
});

// Markup the shop shows (a posted review, no script) can name elements after the
// document's own members, which then shadow them (DOM clobbering). The form still opens
// in the page's body, Escape still cancels and the focus still comes back.
test('markup naming elements body, createElement, activeElement and elementFromPoint changes nothing', async () => {
  const { page } = await openPage();
  await page.evaluate(() => {
    document.body.insertAdjacentHTML('beforeend', '<p class="review">Nice! <img name="body" alt=""><img name="activeElement" alt="">'
      + '<img name="elementFromPoint" alt=""><img name="addEventListener" alt=""><form name="createElement"></form></p>');
  });
  assert.equal(await page.evaluate(() => document.body instanceof HTMLImageElement), true, 'document.body is shadowed');
  await page.focus('#open');
  assert.equal(await page.evaluate(() => window.form()), true);
  const frame = page.frameLocator(FRAME);
  await frame.locator('#submit:not([disabled])').waitFor();
  assert.equal(await page.evaluate(() => Object.getOwnPropertyDescriptor(Document.prototype, 'body').get.call(document)
    .querySelectorAll(':scope > [role="dialog"][aria-modal="true"]').length), 1, 'the dialog is in the real body');
  await frame.locator('#number').click();
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => window.seen.cancel === 1);
  assert.equal(await page.evaluate(() => Object.getOwnPropertyDescriptor(Document.prototype, 'activeElement').get.call(document).id), 'open');
  assert.deepEqual((await seenNow(page)).errors, []);
  await page.close();
});

test('a click on the backdrop keeps the focus in the dialog, and Escape still cancels', async () => {
  const { page } = await openPage();
  await page.focus('#open');
  await page.evaluate(() => window.form());
  await page.frameLocator(FRAME).locator('#submit:not([disabled])').waitFor();
  await page.mouse.click(3, 3);
  const focus = await page.evaluate(() => document.querySelector('[role="dialog"]').contains(document.activeElement));
  assert.ok(focus, 'the focus stayed in the dialog');
  // A page element with the focus (the page's own modal dialog, opened over the form)
  // keeps its Escape.
  await page.evaluate(() => {
    const d = document.createElement('dialog');
    d.id = 'page-dialog';
    d.innerHTML = '<button>OK</button>';
    document.body.append(d);
    d.showModal();
  });
  await page.keyboard.press('Escape');
  await page.waitForTimeout(200);
  assert.deepEqual(await page.evaluate(() => [window.seen.cancel, document.getElementById('page-dialog').open]), [0, false]);
  // The same with the focus on nothing (a click on the page dialog's text): its Escape
  // is the page's, not a cancel of the form under it.
  await page.evaluate(() => {
    const d = document.getElementById('page-dialog');
    d.showModal();
    document.activeElement.blur();
  });
  assert.equal(await page.evaluate(() => document.activeElement === document.body), true);
  await page.keyboard.press('Escape');
  await page.waitForTimeout(200);
  assert.deepEqual(await page.evaluate(() => [window.seen.cancel, document.getElementById('page-dialog').open]), [0, false]);
  await page.evaluate(() => document.getElementById('page-dialog').remove());
  // With nothing focused, Escape reaches the modal card form.
  await page.evaluate(() => document.activeElement.blur());
  assert.equal(await page.evaluate(() => document.activeElement === document.body), true);
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => window.seen.cancel === 1);
  assert.equal(await page.locator(FRAME).count(), 0);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'open', 'focus is back on the opener');
  await page.close();
});

test('with two modal forms open and the focus on nothing, Escape closes the top one only', async () => {
  const { page } = await openPage();
  await page.focus('#open');
  await page.evaluate(async () => {
    await window.form();
    await window.form();
    document.activeElement.blur();
  });
  assert.equal(await page.evaluate(() => document.activeElement === document.body), true);
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => window.seen.cancel === 1);
  await page.waitForTimeout(200);
  assert.deepEqual(await page.evaluate(() => [window.seen.cancel, document.querySelectorAll('[role="dialog"]').length]), [1, 1]);
  // The focus went back to what had it when the top form opened: the first form's.
  assert.equal(await page.evaluate(() => document.querySelector('[role="dialog"]').contains(document.activeElement)), true);
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => window.seen.cancel === 2);
  assert.equal(await page.locator(FRAME).count(), 0);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'open', 'focus is back on the opener');
  await page.close();
});

test("opened from the page's own modal dialog, the form is on top: it takes clicks, the focus and Escape", async () => {
  const { page } = await openPage();
  await page.evaluate(() => {
    const d = document.createElement('dialog');
    d.id = 'page-dialog';
    d.innerHTML = '<button id="add">Add a card</button>';
    document.body.append(d);
    d.showModal();
    document.getElementById('add').focus();
  });
  await page.evaluate(() => window.form());
  await page.frameLocator(FRAME).locator('#submit:not([disabled])').waitFor();
  const state = await page.evaluate((selector) => {
    const frame = document.querySelector(selector);
    const box = frame.getBoundingClientRect();
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    const ours = frame.closest('[role="dialog"]');
    return { hit: hit === frame, focus: ours.contains(document.activeElement) };
  }, FRAME);
  assert.deepEqual(state, { hit: true, focus: true }, 'the frame is reachable and has the focus loop');
  await page.frameLocator(FRAME).locator('#number').pressSequentially('4242');
  assert.equal(await page.frameLocator(FRAME).locator('#number').inputValue(), '4242');
  await page.evaluate(() => document.querySelector('[aria-label="Close"]').focus());
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => window.seen.cancel === 1);
  assert.equal(await page.locator(FRAME).count(), 0);
  assert.deepEqual(await page.evaluate(() => [document.getElementById('page-dialog').open, document.activeElement.id]),
    [true, 'add'], "the page's dialog stays open, with the focus back on its button");
  await page.close();
});

test('close() of an inline form leaves the focus where the shopper put it; a form whose container the page removed stops asking for tokens', async () => {
  const { page } = await openPage();
  await page.evaluate(() => {
    document.body.insertAdjacentHTML('beforeend', '<div id="own-box"></div><input id="elsewhere">');
  });
  // Tokens due for their proactive refresh 2 s after they are minted (32 s left, the
  // default 30 s leeway): the form asks for a new one every 2 s while it is open.
  await page.evaluate(async () => {
    window.backendToken = async () => {
      window.seen.tokens += 1;
      const r = await fetch('/__sandbox/mint', { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'enrollment', ttl: 32 }) });
      return (await r.json()).token;
    };
    await window.form({ container: document.getElementById('own-box') });
  });
  await page.frameLocator(FRAME).locator('#submit:not([disabled])').waitFor();
  await page.focus('#elsewhere');
  await page.evaluate(() => window.handle.close());
  assert.equal(await page.evaluate(() => document.activeElement.id), 'elsewhere');
  // Opened again, then its container goes without close().
  await page.evaluate(() => window.form({ container: document.getElementById('own-box') }));
  await page.frameLocator(FRAME).locator('#submit:not([disabled])').waitFor();
  // Attached, it does ask again (else the check below would hold for any form).
  const attached = await page.evaluate(() => window.seen.tokens);
  await page.waitForFunction((n) => window.seen.tokens > n, attached, { timeout: 10_000 });
  await page.evaluate(() => document.getElementById('own-box').remove());
  const tokens = await page.evaluate(() => window.seen.tokens);
  await page.waitForTimeout(7000);
  const more = (await page.evaluate(() => window.seen.tokens)) - tokens;
  assert.ok(more <= 1, `at most a refresh already under way, not one every 2 s: ${more}`);
  await page.close();
});

test('bad options reject with ConfigurationError naming the key before anything is shown', async () => {
  const { page } = await openPage();
  const results = await page.evaluate(async () => {
    const out = [];
    for (const extra of [
      { companyName: '' },
      { subaccountId: 42 },
      { getAccessToken: undefined },
      { baseUrl: 'http://vendor.example' },
      { container: '#inline' },
      { container: { nodeType: 1, append() {} } },
      { onSuccess: 'yes' },
      { refreshTimeoutMs: -1 },
      { accessToken: 'x' },
    ]) {
      try {
        await window.form(extra);
        out.push({ extra: Object.keys(extra)[0], resolved: true });
      } catch (e) {
        out.push({ extra: Object.keys(extra)[0], name: e.name, key: e.key });
      }
    }
    return { out, frames: document.querySelectorAll('iframe').length, tokens: window.seen.tokens };
  });
  for (const r of results.out) assert.deepEqual(r, { extra: r.extra, name: 'ConfigurationError', key: r.extra });
  assert.equal(results.frames, 0);
  assert.equal(results.tokens, 0);
  await page.close();
});

test('options are read once: a getter that answers something else on a second read changes nothing', async () => {
  const { page } = await openPage();
  const report = await page.evaluate(async () => {
    let reads = 0;
    const options = {
      subaccountId: 'sub_demo',
      baseUrl: (await (await fetch('/api/enrollment-config')).json()).baseUrl,
      getAccessToken: () => window.backendToken(),
      get companyName() {
        reads += 1;
        return reads === 1 ? 'Demo Shop' : 'x'.repeat(100_000);
      },
    };
    const { CardEnrollment } = await import('/pkg/enrollment.js');
    const handle = await CardEnrollment.openForm(options);
    const label = document.querySelector('dialog[aria-label]')?.getAttribute('aria-label');
    handle.close();
    return { reads, label };
  });
  assert.deepEqual(report, { reads: 1, label: 'Add a card for Demo Shop' });
  await page.close();
});

test('a container holds the form inline; a frame that never says hello reaches onError with NetworkError', async () => {
  const { page } = await openPage();
  await page.evaluate(() => {
    const box = document.getElementById('inline');
    box.hidden = false;
    return window.form({ container: box });
  });
  assert.equal(await page.locator(`#inline ${FRAME}`).count(), 1);
  assert.equal(await page.locator('[role="dialog"]').count(), 0);
  const frame = await typeCard(page, '378282246310005');
  await frame.locator('#submit').click();
  await page.waitForFunction(() => window.seen.success.length === 1);
  assert.equal((await seenNow(page)).success[0].brand, 'amex');

  // The page's own origin serves no form for this baseUrl's path: no handshake.
  await page.evaluate((url) => window.form({ baseUrl: `${url}/nowhere` }), env.sandbox.url);
  await page.waitForFunction(() => window.seen.errors.length > 0, null, { timeout: 20_000 });
  assert.equal((await seenNow(page)).errors[0].name, 'NetworkError');
  assert.match((await seenNow(page)).errors[0].message, /did not connect within 10 s/);
  // No frame can say it, so the page does (a screen reader hears it).
  assert.match(await page.locator('[role="dialog"] [role="alert"]').textContent(), /could not be loaded/);
  await page.evaluate(() => window.handle.close());
  await page.close();
});

test('a frame that reloads (the shopper reloads it, the page moves it in the DOM) connects again: the card enrols with the token the form has', async () => {
  const { page, seen } = await openPage();
  await page.evaluate(() => {
    const box = document.getElementById('inline');
    box.hidden = false;
    return window.form({ container: box });
  });
  const ready = () => page.frameLocator(FRAME).locator('#submit:not([disabled])').waitFor({ timeout: 15_000 });
  await ready();
  const reloaded = page.waitForEvent('framenavigated', (f) => f.parentFrame() === page.mainFrame());
  await page.evaluate((sel) => { const f = document.querySelector(sel); f.src = f.src; }, FRAME); // "Reload frame"
  await reloaded;
  await ready();
  await page.evaluate((sel) => { // a layout change re-parenting the container's content
    const moved = document.createElement('div');
    document.body.append(moved);
    moved.append(document.querySelector(sel));
  }, FRAME);
  const frame = await typeCard(page);
  await frame.locator('#submit').click();
  await page.waitForFunction(() => window.seen.success.length === 1);
  const state = await seenNow(page);
  assert.equal(state.success[0].last4, '4242');
  assert.deepEqual(state.errors, []);
  assert.equal(state.tokens, 1, 'the new documents got the token the form had: no getAccessToken call');
  assert.deepEqual([seen.errors, seen.pageErrors], [[], []]);
  await page.close();
});

test('a form the page removes before it connects (a route change) ends at the handshake deadline quietly: no onError, no listener left', async () => {
  const { page } = await openPage();
  await page.evaluate(() => {
    window.listening = 0;
    for (const target of [window, document]) {
      const add = target.addEventListener.bind(target);
      const remove = target.removeEventListener.bind(target);
      target.addEventListener = (type, ...rest) => { window.listening += 1; return add(type, ...rest); };
      target.removeEventListener = (type, ...rest) => { window.listening -= 1; return remove(type, ...rest); };
    }
    const box = document.getElementById('inline');
    box.hidden = false;
    return window.form({ container: box }).then(() => {
      box.replaceChildren(); // the route's view goes, the form with it, before the frame's hello
    });
  });
  assert.ok(await page.evaluate(() => window.listening) > 0, 'the form listens for its hello');
  // The listeners go at the 10 s handshake deadline (given up to 20 s on a slow machine);
  // a moment more for an onError that would come with it.
  await page.waitForFunction(() => window.listening === 0, null, { timeout: 20_000, polling: 100 });
  await page.waitForTimeout(500);
  const state = await page.evaluate(() => ({ errors: window.seen.errors, listening: window.listening }));
  assert.deepEqual(state, { errors: [], listening: 0 });
  await page.close();
});

test('the classic global: PartnerSDK.CardEnrollment loads its module on the first openForm and enrols a card', async () => {
  const { page, seen } = await watchedPage(env.browser.context);
  const fetched = [];
  page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  await page.goto(`${env.sandbox.url}/index.html`);
  await page.waitForFunction(() => window.PartnerSDK !== undefined);
  await page.waitForTimeout(300);
  assert.ok(!fetched.some((p) => p.includes('enrollment')), `a checkout page loaded ${fetched.filter((p) => p.includes('enrollment'))}`);
  // A class, as the ESM entries export and global.d.ts types it: `instanceof` must not throw.
  const shape = await page.evaluate(() => {
    const { CardEnrollment } = window.PartnerSDK;
    return [typeof CardEnrollment, CardEnrollment.name, ({}) instanceof CardEnrollment, Object.isFrozen(CardEnrollment)];
  });
  assert.deepEqual(shape, ['function', 'CardEnrollment', false, true]);
  const bad = await page.evaluate(() => window.PartnerSDK.CardEnrollment.openForm({ companyName: 'A' })
    .then(() => 'resolved', (e) => [e instanceof window.PartnerSDK.ConfigurationError, e.key]));
  assert.deepEqual(bad, [true, 'subaccountId']);
  await page.evaluate((vendorUrl) => {
    window.result = null;
    return window.PartnerSDK.CardEnrollment.openForm({
      companyName: 'Demo Shop',
      subaccountId: 'sub_demo',
      baseUrl: vendorUrl,
      getAccessToken: async () => (await fetch('/api/enrollment-token')).text(),
      onSuccess: (card) => { window.result = card; },
      onError: (e) => { window.result = e.name; },
    });
  }, vendor);
  assert.ok(fetched.includes('/pkg/enrollment.classic.js') && fetched.includes('/pkg/enrollment_bg.wasm'));
  const frame = await typeCard(page);
  await frame.locator('#submit').click();
  await page.waitForFunction(() => window.result !== null);
  assert.equal((await page.evaluate(() => window.result)).last4, '4242');
  assert.deepEqual([seen.pageErrors, seen.csp], [[], []]);
  await page.close();
});

test('the demo page: its button opens the form, the card appears in its table and its token lifecycle', async () => {
  const { page, seen } = await watchedPage(env.browser.context);
  await page.goto(`${env.sandbox.url}/enrollment.html`);
  await page.waitForSelector('body[data-ready="true"]');
  assert.equal(await page.textContent('#vendor'), vendor);
  await page.click('#open');
  const frame = await typeCard(page, '6011111111111117');
  await screenshot(page, 'enrollment-demo.png');
  await frame.locator('#submit').click();
  await page.waitForSelector('#cards tr');
  assert.match(await page.textContent('#cards tr'), /discover.*1117/);
  const events = await page.$$eval('#events li', (items) => items.map((li) => li.dataset.event));
  assert.deepEqual([...events].sort(), ['enrolled', 'issued', 'opened'], events.join());
  assert.doesNotMatch(await page.content(), /6011 ?1111 ?1111 ?1117/);
  assert.deepEqual([seen.errors, seen.pageErrors, seen.csp], [[], [], []]);
  await page.close();
});

test('the demo page: a declined card shows the error, a card enrolled after it clears it; the log names the error and the refresh after a revoke', async () => {
  const { page, seen } = await watchedPage(env.browser.context);
  await page.goto(`${env.sandbox.url}/enrollment.html?inline`);
  await page.waitForSelector('body[data-ready="true"]');
  // The inline layout's note describes the inline layout, not the dialog.
  assert.equal(await page.isVisible('[data-layout="inline"]'), true);
  assert.equal(await page.isVisible('[data-layout="dialog"]'), false);
  assert.doesNotMatch(await page.innerText('#form-title + dl + .buttons + .note'), /The dialog covers this page/);
  await page.click('#open');
  let frame = await typeCard(page, '4000000000000002');
  await frame.locator('#submit').click();
  await page.waitForFunction(() => document.getElementById('error').textContent !== '');
  assert.match(await page.textContent('#error'), /ApiError \(API_ERROR\): .*402.*card_declined/);
  const errors = await page.$$eval('#events li[data-event="error"]', (items) => items.map((li) => li.textContent));
  assert.match(errors.join(), /API_ERROR 402 card_declined: /, 'the log says more than the code');

  // Revoke while the form is open (inline): the next submit's 401 costs one refresh, which the log names.
  await page.click('#revoke');
  await page.waitForSelector('[data-event="revoked"]');
  assert.match(await page.textContent('[data-event="revoked"]'), /the sandbox revoked \d+ tokens? \(all it had issued\)/);
  await frame.locator('#number').fill('');
  frame = await typeCard(page, '5555555555554444');
  await frame.locator('#submit').click();
  await page.waitForSelector('#cards tr');
  assert.equal(await page.textContent('#error'), '', 'the declined card\'s error is gone once a card is enrolled');
  const issued = await page.$$eval('#events li[data-event="issued"]', (items) => items.map((li) => li.textContent));
  assert.equal(issued.length, 2);
  assert.match(issued[1], /refresh #1/);
  assert.match(await page.textContent('[data-event="refresh"]'), /refused \(401\) or is due/);
  assert.deepEqual([seen.pageErrors, seen.csp], [[], []]);
  await page.close();
});

test('the demo page: two clicks on "Add a card" in one tick open one form', async () => {
  const { page } = await watchedPage(env.browser.context);
  await page.goto(`${env.sandbox.url}/enrollment.html`);
  await page.waitForSelector('body[data-ready="true"]');
  // Dialog layout: the note tells how to reach "Revoke tokens" while the form is open.
  assert.match(await page.innerText('#form-title + dl + .buttons + .note'), /The dialog covers this page/);
  await page.evaluate(() => {
    const button = document.getElementById('open');
    button.click();
    button.click();
  });
  await page.frameLocator(FRAME).locator('#submit:not([disabled])').waitFor();
  await page.waitForTimeout(500); // a second form would be in the page by now
  assert.equal(await page.locator(FRAME).count(), 1);
  assert.equal(await page.locator('[data-event="opened"]').count(), 1);
  await page.close();
});

test('a token that comes due while the form is open is refreshed before use (rule 6), with no 401', async () => {
  // 32 s tokens with the SDK's 30 s leeway are due 2 s after they are issued.
  await env.sandbox.post('/__sandbox/lifetimes', { enrollment: 32 });
  try {
    const { page } = await openPage();
    const before = await env.sandbox.counters();
    await page.evaluate(() => window.form());
    const frame = await typeCard(page);
    await page.waitForFunction(() => window.seen.tokens >= 2, null, { timeout: 15_000 });
    await frame.locator('#submit').click();
    await page.waitForFunction(() => window.seen.success.length === 1 || window.seen.errors.length > 0);
    const state = await seenNow(page);
    assert.deepEqual(state.errors, []);
    assert.equal(state.success[0].last4, '4242');
    const now = await env.sandbox.counters();
    assert.equal(now.unauthorized - before.unauthorized, 0, 'the frame always held a token that was not due');
    await page.close();
  } finally {
    await env.sandbox.post('/__sandbox/lifetimes', { enrollment: 300 });
  }
});

test('after the machine sleeps (both clocks jump, no timer runs), the submit refreshes the due token before the card goes out: no 401 (rule 8)', async () => {
  const { page } = await openPage();
  await page.clock.install();
  await page.evaluate(() => window.form());
  const frame = await typeCard(page);
  await page.waitForFunction(() => window.seen.tokens === 1);
  const before = await env.sandbox.counters();
  try {
    // 400 s on: the 300-s token has expired at the server, and the page's refresh timer
    // for it never ran.
    await env.sandbox.post('/__sandbox/clock', { offset_s: 400 });
    await page.clock.setSystemTime((await page.evaluate(() => Date.now())) + 400_000);
    await frame.locator('#submit').click();
    await page.waitForFunction(() => window.seen.success.length + window.seen.errors.length > 0, null, { timeout: 30_000 });
  } finally {
    await env.sandbox.post('/__sandbox/clock', { offset_s: 0 });
  }
  const state = await seenNow(page);
  assert.deepEqual(state.errors, []);
  assert.equal(state.success[0]?.last4, '4242');
  assert.equal(state.tokens, 2, 'one refresh, asked for by the submit');
  assert.equal((await env.sandbox.counters()).unauthorized - before.unauthorized, 0, 'no 401 reached the API');
  await page.close();
});

/** Opens the form with an `onError` that keeps `requestId` and `body`, submits a typed card, and returns the first error. */
async function submitForError(page) {
  await page.evaluate(() => window.form({
    onError: (e) => window.seen.errors.push({ name: e.name, status: e.status, requestId: e.requestId, body: e.body, message: e.message }),
  }));
  const frame = await typeCard(page);
  await frame.locator('#submit').click();
  await page.waitForFunction(() => window.seen.errors.length > 0, null, { timeout: 30_000 });
  return (await seenNow(page)).errors[0];
}

test('a card API answer that repeats the token: onError gets [redacted] in requestId and body, never the token', async () => {
  const { page } = await openPage();
  await page.route('**/v1/subaccounts/*/cards', (route) => {
    const auth = route.request().headers().authorization;
    return route.fulfill({
      status: 500,
      contentType: 'application/json',
      headers: { 'x-request-id': `req ${auth}`, 'access-control-expose-headers': 'x-request-id' },
      body: JSON.stringify({ error: `proxy saw ${auth}` }),
    });
  });
  const error = await submitForError(page);
  assert.equal(error.name, 'ApiError');
  assert.equal(error.status, 500);
  assert.doesNotMatch(JSON.stringify(error), JWT);
  assert.equal(error.requestId, 'req Bearer [redacted]');
  assert.deepEqual(error.body, { error: 'proxy saw Bearer [redacted]' });
  await page.close();
});

// The form's first token comes due while its card is out: the page pushes a fresh one
// to the frame before the answer arrives. The answer repeats the token the card went
// with, which is no longer the session's: it is redacted all the same.
test('a card API answer that repeats the token the card was sent with, after a refresh replaced it: onError gets [redacted], never that token', async () => {
  const { page } = await openPage();
  await page.evaluate(() => {
    const mint = async (ttl) => (await (await fetch('/__sandbox/mint', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'enrollment', ttl }),
    })).json()).token;
    // The first token is due (30 s leeway) 3 s after it arrives; the next is not.
    window.backendToken = async () => {
      window.seen.tokens += 1;
      return mint(window.seen.tokens === 1 ? 33 : 300);
    };
  });
  let sentWith;
  await page.route('**/v1/subaccounts/*/cards', async (route) => {
    sentWith = route.request().headers().authorization;
    // Held until the page has fetched the next token and handed it to the frame.
    await page.waitForFunction(() => window.seen.tokens >= 2, null, { timeout: 20_000 });
    await new Promise((done) => setTimeout(done, 300));
    const [, payload, signature] = sentWith.slice(7).split('.');
    return route.fulfill({
      status: 500,
      contentType: 'application/json',
      headers: { 'x-request-id': `req ${signature}`, 'access-control-expose-headers': 'x-request-id' },
      body: JSON.stringify({ error: `proxy saw ${sentWith} payload=${payload} sig=${signature}` }),
    });
  });
  const error = await submitForError(page);
  assert.equal((await seenNow(page)).tokens, 2, 'the card went out with the first token, then the page fetched the next');
  assert.equal(error.name, 'ApiError');
  const shown = JSON.stringify(error);
  for (const part of sentWith.slice(7).split('.').filter((p) => p.length > 7)) assert.ok(!shown.includes(part), `a segment of the token in ${shown}`);
  assert.equal(error.requestId, 'req [redacted]');
  assert.deepEqual(error.body, { error: 'proxy saw Bearer [redacted] payload=[redacted] sig=[redacted]' });
  await page.close();
});

/** Submits the typed card with its POST held `delay_ms` by the sandbox (and answered `status`, if given). */
async function submitSlowly(page, fault = {}) {
  await env.sandbox.post('/__sandbox/faults', { path: '/v1/subaccounts/sub_demo/cards', delay_ms: 1500, ...fault });
  const frame = await typeCard(page);
  await frame.locator('#submit').click();
  // The frame is sending the card: its own Cancel waits too.
  await frame.locator('#cancel[disabled]').waitFor();
  return frame;
}

test('closing the dialog while the card is being sent waits for it: the card is stored, onSuccess is called and onCancel is not', async () => {
  const { page } = await openPage();
  const before = (await cards()).length;
  await page.evaluate(() => window.form());
  await submitSlowly(page);
  await page.locator('button[aria-label="Close"]').click();
  await page.keyboard.press('Escape');
  assert.match(await page.locator('[role="dialog"] [role="alert"]').textContent(), /Saving your card/, 'the shopper is told why the form stays');
  assert.equal(await page.locator(FRAME).count(), 1, 'still open while the card is on its way');
  await page.waitForFunction(() => window.seen.success.length + window.seen.cancel > 0);
  const state = await seenNow(page);
  assert.equal(state.success.length, 1);
  assert.equal(state.cancel, 0, 'the card went in: not a cancel');
  assert.equal((await cards()).length, before + 1);
  assert.equal(await page.locator(FRAME).count(), 0, 'closed after the success');
  await page.close();
});

test('a frame that reloads during a submit reports the unknown outcome to onError; a cancel waiting for that submit then closes with onCancel', async () => {
  const { page } = await openPage();
  const reload = async () => {
    const navigated = page.waitForEvent('framenavigated', (f) => f.parentFrame() === page.mainFrame());
    await page.evaluate((sel) => { const f = document.querySelector(sel); f.src = f.src; }, FRAME);
    await navigated;
  };
  // No cancel waiting: the form stays, with a fresh document.
  await page.evaluate(() => window.form());
  await submitSlowly(page, { delay_ms: 3000 });
  await reload();
  await page.waitForFunction(() => window.seen.errors.length === 1);
  let state = await seenNow(page);
  assert.equal(state.errors[0].name, 'NetworkError');
  assert.match(state.errors[0].message, /reloaded while the card was being saved/);
  assert.equal(state.cancel, 0);
  await page.frameLocator(FRAME).locator('#submit:not([disabled])').waitFor();
  await page.evaluate(() => window.handle.close());

  // A cancel waiting for the submit: onError, then onCancel, and the form is gone.
  await page.evaluate(() => window.form());
  await submitSlowly(page, { delay_ms: 3000 });
  await page.locator('button[aria-label="Close"]').click();
  await reload();
  await page.waitForFunction(() => window.seen.cancel === 1);
  state = await seenNow(page);
  assert.equal(state.errors.length, 2);
  assert.match(state.errors[1].message, /reloaded while the card was being saved/);
  assert.equal(await page.locator(FRAME).count(), 0);
  await page.close();
});

test('closing the dialog while a card is sent that fails reports the error, then closes with onCancel once', async () => {
  const { page } = await openPage();
  const before = (await cards()).length;
  await page.evaluate(() => window.form());
  await submitSlowly(page, { status: 500 });
  await page.locator('button[aria-label="Close"]').click();
  assert.equal(await page.locator(FRAME).count(), 1, 'still open while the card is on its way');
  await page.waitForFunction(() => window.seen.cancel > 0);
  const state = await seenNow(page);
  assert.deepEqual(state.errors.map((e) => [e.name, e.status]), [['ApiError', 500]]);
  assert.equal(state.cancel, 1);
  assert.equal(state.success.length, 0);
  assert.equal((await cards()).length, before);
  assert.equal(await page.locator(FRAME).count(), 0);
  await page.close();
});

test('a card POST without an answer ends after postTimeoutMs: a cancel held back meanwhile closes with onError, then onCancel', async () => {
  const { page } = await openPage();
  await page.clock.install();
  await page.evaluate(() => window.form());
  // Held longer than the test: only the frame's own timeout ends the POST.
  await submitSlowly(page, { delay_ms: 60_000 });
  await page.locator('button[aria-label="Close"]').click();
  // The fake clock also runs on in real time: a wide margin before the 30 s.
  await page.clock.fastForward(20_000);
  await page.waitForTimeout(300);
  assert.equal(await page.locator(FRAME).count(), 1, 'still waiting before 30 s');
  await page.clock.fastForward(11_000);
  await page.waitForFunction(() => window.seen.cancel > 0);
  const state = await seenNow(page);
  assert.deepEqual(state.errors.map((e) => e.name), ['NetworkError']);
  assert.equal(state.cancel, 1);
  assert.equal(await page.locator(FRAME).count(), 0, 'closed');
  await page.close();
});

test('a cancel whose submit never ends (a stuck frame) closes after the longest submit, with onError saying the outcome is unknown, then onCancel', async () => {
  const { page } = await openPage();
  await page.clock.install();
  await page.evaluate(() => window.form());
  const frame = await typeCard(page);
  // A frame whose card POST never settles and ignores its timeout.
  const inner = await (await page.locator(FRAME).elementHandle()).contentFrame();
  await inner.evaluate(() => { window.fetch = () => new Promise(() => {}); });
  await frame.locator('#submit').click();
  await frame.locator('#cancel[disabled]').waitFor();
  await page.locator('button[aria-label="Close"]').click();
  // 2 × (tokenWaitMs 15 s + postTimeoutMs 30 s) + 5 s with refreshTimeoutMs 5 s.
  await page.clock.fastForward(60_000);
  await page.waitForTimeout(300);
  assert.equal(await page.locator(FRAME).count(), 1, `still waiting after 60 s: ${JSON.stringify(await seenNow(page))}`);
  assert.equal((await seenNow(page)).cancel, 0);
  await page.clock.fastForward(36_000);
  await page.waitForFunction(() => window.seen.cancel > 0);
  const state = await seenNow(page);
  assert.deepEqual(state.errors.map((e) => e.name), ['NetworkError']);
  assert.match(state.errors[0].message, /not known/);
  assert.equal(state.cancel, 1);
  assert.equal(state.success.length, 0);
  assert.equal(await page.locator(FRAME).count(), 0, 'closed');
  await page.close();
});

test('the frame waits for a need-token as long as the page may take (refreshTimeoutMs above 30 s): one TokenRefreshTimeoutError, from the page', async () => {
  const { page } = await openPage();
  // The page's clock, frames included, runs on until fastForward jumps it.
  await page.clock.install();
  await page.evaluate(() => window.form({ refreshTimeoutMs: 45_000 }));
  const frame = await typeCard(page);
  await page.waitForFunction(() => window.seen.tokens === 1);
  await page.evaluate(() => {
    window.backendToken = () => { window.seen.tokens += 1; return new Promise(() => {}); };
  });
  await env.sandbox.post('/__sandbox/revoke');
  await frame.locator('#submit').click();
  // The 401 makes the frame ask for a token; getAccessToken never answers.
  await page.waitForFunction(() => window.seen.tokens === 2);
  await page.clock.fastForward(31_000);
  await page.waitForTimeout(300);
  assert.deepEqual((await seenNow(page)).errors, [], 'the frame did not give up at 30 s');
  await page.clock.fastForward(15_000);
  await page.waitForFunction(() => window.seen.errors.length > 0);
  await page.clock.fastForward(60_000);
  await page.waitForTimeout(300);
  const state = await seenNow(page);
  assert.deepEqual(state.errors.map((e) => e.name), ['TokenRefreshTimeoutError'], 'once, when the page gave up');
  assert.match(await frame.locator('#status').textContent(), /could not authorize/);
  await page.close();
});

test('rule 1 in the frame: a 401 for a token older than the one the page sent last gets the current token, not another refresh', async () => {
  const { page } = await openPage();
  // A different token on every call (the demo backend's are equal within a second).
  await page.evaluate(() => {
    window.backendToken = async () => {
      window.seen.tokens += 1;
      const r = await fetch('/__sandbox/mint', { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'enrollment', ttl: 600 + window.seen.tokens }) });
      return (await r.json()).token;
    };
  });
  await page.route(`${vendor}/enrollment/form**`, (route) => route.fulfill({ contentType: 'text/html', body: SCRIPTED_FRAME }));
  await page.evaluate(() => window.form());
  const frame = await (await page.locator(FRAME).elementHandle()).contentFrame();
  const tokensIn = (n) => frame.waitForFunction((k) => window.got.filter((m) => m.type === 'token').length >= k, n);
  await tokensIn(1);
  // A 401 for the launch token: one refresh, its token sent as seq 2.
  await frame.evaluate(() => window.say({ type: 'need-token', reason: 'unauthorized', seq: 1 }));
  await tokensIn(2);
  // The frame's 401 for token 1 again (token 2's message crossed it): no refresh.
  await frame.evaluate(() => window.say({ type: 'need-token', reason: 'unauthorized', seq: 1 }));
  await tokensIn(3);
  const got = await frame.evaluate(() => window.got.filter((m) => m.type === 'token'));
  assert.deepEqual(got.map((m) => m.seq), [1, 2, 2], 'the same token sent again keeps its seq');
  assert.equal(got[2].token, got[1].token, 'the current token, sent again');
  assert.notEqual(got[1].token, got[0].token);
  assert.equal((await seenNow(page)).tokens, 2, 'getAccessToken: the launch and one refresh');
  // A 401 for the token sent last, which went out twice, is a refresh, as before.
  await frame.evaluate(() => window.say({ type: 'need-token', reason: 'unauthorized', seq: 2 }));
  await tokensIn(4);
  assert.equal((await seenNow(page)).tokens, 3);
  await page.close();
});

test('a hello handled late (the frame reloaded meanwhile) does not take the new document: each connect echoes its own hello\'s nonce, and the form works on the new document', async () => {
  const { page, seen } = await openPage();
  // The same window says hello twice, as when the page handles a document's hello only
  // after the frame has reloaded: the connect for 'one' reaches the document of 'two',
  // which (like the vendor's frame) takes only a connect with its own nonce.
  await page.route(`${vendor}/enrollment/form**`, (route) => route.fulfill({
    contentType: 'text/html',
    body: `<!doctype html><script>
      window.connects = [];
      window.got = [];
      addEventListener('message', (e) => {
        if (e.data?.type !== 'partner-sdk:enrollment:connect') return;
        window.connects.push(e.data.nonce);
        if (e.data.nonce !== 'two') return;
        const port = e.ports[0];
        port.onmessage = ({ data }) => window.got.push(data);
        port.postMessage({ type: 'ready' });
      });
      parent.postMessage({ type: 'partner-sdk:enrollment:hello', v: 1, nonce: 'one' }, '*');
      parent.postMessage({ type: 'partner-sdk:enrollment:hello', v: 1, nonce: 'two' }, '*');
    </script>`,
  }));
  await page.evaluate(() => window.form());
  const frame = await (await page.locator(FRAME).elementHandle()).contentFrame();
  await frame.waitForFunction(() => window.got.some((m) => m.type === 'token'), null, { timeout: 15_000 });
  assert.deepEqual(await frame.evaluate(() => window.connects), ['one', 'two']);
  const state = await seenNow(page);
  assert.deepEqual([state.errors, state.tokens], [[], 1]);
  assert.deepEqual([seen.errors, seen.pageErrors], [[], []]);
  await page.close();
});

test('an SDK from before the nonce (its connect carries none) still connects to this frame: the card enrols', async () => {
  const { page, seen } = await openPage();
  let stripped = 0;
  await page.route(/\/pkg\/enrollment\.js\?before-nonce$/, async (route) => {
    const response = await route.fetch();
    const body = (await response.text()).replace(/postMessage\(\{type:(\w+),v:1,nonce:\w+,/, (_, type) => {
      stripped += 1;
      return `postMessage({type:${type},v:1,`;
    });
    await route.fulfill({ response, body });
  });
  // A fresh module instance (the page imported enrollment.js already): a query string.
  await page.evaluate(async (vendorUrl) => {
    const { CardEnrollment } = await import('/pkg/enrollment.js?before-nonce');
    window.form = (extra = {}) => CardEnrollment.openForm({
      companyName: 'Demo Shop', subaccountId: 'sub_demo', baseUrl: vendorUrl,
      getAccessToken: () => window.backendToken(),
      onSuccess: (card) => window.seen.success.push(card),
      onError: (e) => window.seen.errors.push({ name: e.name, code: e.code, message: e.message }),
      ...extra,
    });
  }, vendor);
  assert.equal(stripped, 1, 'the connect without its nonce');
  await page.evaluate(() => window.form());
  const frame = await typeCard(page);
  await frame.locator('#submit').click();
  await page.waitForFunction(() => window.seen.success.length === 1, null, { timeout: 15_000 });
  assert.deepEqual((await seenNow(page)).errors, []);
  assert.deepEqual([seen.errors, seen.pageErrors], [[], []]);
  await page.close();
});


test('one failed refresh is one onError, however many need-tokens joined it; each need-token still gets its token-error', async () => {
  const { page } = await openPage();
  await page.route(`${vendor}/enrollment/form**`, (route) => route.fulfill({ contentType: 'text/html', body: SCRIPTED_FRAME }));
  await page.evaluate(() => window.form());
  const frame = await (await page.locator(FRAME).elementHandle()).contentFrame();
  await frame.waitForFunction(() => window.got.some((m) => m.type === 'token'));
  // The backend fails from now on, after a moment (so that all three asks join one refresh).
  await page.evaluate(() => {
    window.backendToken = () => {
      window.seen.tokens += 1;
      return new Promise((_, reject) => setTimeout(() => reject(new Error('backend down')), 300));
    };
  });
  await frame.evaluate(() => {
    for (let i = 0; i < 3; i += 1) window.say({ type: 'need-token', reason: 'unauthorized', seq: 1 });
  });
  await frame.waitForFunction(() => window.got.filter((m) => m.type === 'token-error').length >= 3);
  await page.waitForTimeout(300);
  const state = await seenNow(page);
  assert.deepEqual(state.errors.map((e) => e.name), ['TokenRefreshError'], 'onError once for the one failed refresh');
  assert.equal(state.tokens, 2, 'getAccessToken: the launch, then one refresh for the three need-tokens');
  const tokenErrors = await frame.evaluate(() => window.got.filter((m) => m.type === 'token-error').map((m) => m.code));
  assert.deepEqual(tokenErrors, Array(3).fill('TOKEN_REFRESH_FAILED'));
  await page.close();
});

test('a container of another document is a ConfigurationError before anything shows; a form whose controls shadow its members works, and so does a container attached after openForm', async () => {
  const { page } = await openPage();
  const report = await page.evaluate(async () => {
    const out = {};
    const attempt = async (what, container) => {
      const tokensBefore = window.seen.tokens;
      try {
        await window.form({ container });
        out[what] = `opened ${document.querySelectorAll('iframe[title^="Add a card"]').length}`;
        window.handle.close();
      } catch (e) {
        out[what] = `${e.name} ${e.key} ${window.seen.tokens - tokensBefore}`;
      }
    };
    // Markup alone: a page's own form whose controls are named after DOM members.
    const form = document.createElement('form');
    form.innerHTML = '<input name="append"><input name="nodeType"><input name="ownerDocument"><input name="isConnected">';
    document.body.append(form);
    await attempt('form with shadowing controls', form);
    form.remove();
    const inner = document.createElement('iframe');
    document.body.append(inner);
    const elsewhere = inner.contentDocument.createElement('div');
    inner.contentDocument.body.append(elsewhere);
    await attempt('another document', elsewhere);
    inner.remove();
    await attempt('not an element', { nodeType: 1, append() {} });
    // Attached after openForm resolved (a modal the page builds around it): it connects.
    const later = document.createElement('div');
    await window.form({ container: later });
    document.body.append(later);
    const frame = later.querySelector('iframe');
    await new Promise((done) => { frame.addEventListener('load', done, { once: true }); });
    out['attached later'] = `${later.isConnected} ${window.seen.errors.length}`;
    window.handle.close();
    return out;
  });
  assert.deepEqual(report, {
    'form with shadowing controls': 'opened 1',
    'another document': 'ConfigurationError container 0',
    'not an element': 'ConfigurationError container 0',
    'attached later': 'true 0',
  });
  await page.close();
});

test('a page whose setTimeout throws: openForm rejects with that error and leaves no listener behind', async () => {
  const { page } = await openPage();
  const report = await page.evaluate(async () => {
    const adds = [];
    const removes = [];
    const { addEventListener: add, removeEventListener: remove } = EventTarget.prototype;
    EventTarget.prototype.addEventListener = function (type, ...rest) {
      if (this === window || this === document) adds.push(type);
      return add.call(this, type, ...rest);
    };
    EventTarget.prototype.removeEventListener = function (type, ...rest) {
      if (this === window || this === document) removes.push(type);
      return remove.call(this, type, ...rest);
    };
    const realSetTimeout = window.setTimeout;
    window.setTimeout = () => { throw new Error('timers are broken'); };
    let outcome;
    try {
      outcome = await window.form().then(() => 'opened', (e) => `rejected ${e.message}`);
    } finally {
      window.setTimeout = realSetTimeout;
      Object.assign(EventTarget.prototype, { addEventListener: add, removeEventListener: remove });
    }
    const left = adds.filter((t) => !removes.includes(t));
    return { outcome, left, frames: document.querySelectorAll('iframe[title^="Add a card"]').length };
  });
  assert.deepEqual(report, { outcome: 'rejected timers are broken', left: [], frames: 0 });
  await page.close();
});

test('a 401 while the proactive refresh runs: the frame is never handed the refused token, and the failed refresh is one onError', async () => {
  const { page } = await openPage();
  await page.route(`${vendor}/enrollment/form**`, (route) => route.fulfill({ contentType: 'text/html', body: SCRIPTED_FRAME }));
  await page.evaluate(() => {
    // The launch token lives 33 s: its proactive refresh is due about 3 s later. That
    // refresh takes 1.5 s and fails.
    window.backendToken = async () => {
      window.seen.tokens += 1;
      if (window.seen.tokens > 1) return new Promise((_, reject) => setTimeout(() => reject(new Error('backend down')), 1500));
      const r = await fetch('/__sandbox/mint', { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'enrollment', ttl: 33 }) });
      return (await r.json()).token;
    };
  });
  await page.evaluate(() => window.form());
  const frame = await (await page.locator(FRAME).elementHandle()).contentFrame();
  await frame.waitForFunction(() => window.got.some((m) => m.type === 'token'));
  await page.waitForFunction(() => window.seen.tokens >= 2, null, { timeout: 15_000 });
  // The frame's card POST got a 401 meanwhile.
  const asked = await frame.evaluate(() => {
    window.say({ type: 'need-token', reason: 'unauthorized', seq: 1 });
    return window.got.length;
  });
  await frame.waitForFunction(() => window.got.some((m) => m.type === 'token-error'), null, { timeout: 15_000 });
  await page.waitForTimeout(500);
  const after = await frame.evaluate((n) => window.got.slice(n).map((m) => m.type), asked);
  assert.ok(!after.includes('token'), `after its 401 the frame got ${after.join(', ')}`);
  assert.deepEqual((await seenNow(page)).errors.map((e) => e.name), ['TokenRefreshError']);
  await page.close();
});

test('the demo page: a form whose first token could not be had gets it at the submit, and the log calls that its first token, not a refresh after a 401', async () => {
  const { page } = await watchedPage(env.browser.context);
  await page.goto(`${env.sandbox.url}/enrollment.html?inline`);
  await page.waitForSelector('body[data-ready="true"]');
  await env.sandbox.post('/__sandbox/faults', { path: '/api/enrollment-token', status: 500 });
  await page.click('#open');
  await page.waitForSelector('#events li[data-event="error"]');
  const frame = await typeCard(page, '5555555555554444');
  await frame.locator('#submit').click();
  await page.waitForSelector('#cards tr', { timeout: 15_000 });
  const issued = await page.$$eval('#events li[data-event="issued"]', (items) => items.map((li) => li.textContent));
  assert.equal(issued.length, 1);
  assert.match(issued[0], /the form opens/);
  assert.equal(await page.$('#events li[data-event="refresh"]'), null, 'no "refused (401)" line: the form had no token');
  await fetch(`${env.sandbox.url}/__sandbox/faults`, { method: 'DELETE' });
  await page.close();
});

test("the dialog's focus loop: Tab and Shift+Tab go round the close button and the form's controls, with no stop on the frame itself", async () => {
  const { page } = await openPage();
  await page.focus('#open');
  await page.evaluate(() => window.form());
  await page.frameLocator(FRAME).locator('#submit:not([disabled])').waitFor();
  const frame = page.frames().find((f) => f !== page.mainFrame());
  // Where the focus is: the page's Close button, a control of the form, or neither.
  const where = async () => {
    const outside = await page.evaluate(() => {
      const a = document.activeElement;
      if (a && a.getAttribute('aria-label') === 'Close') return 'close';
      return a && a.tagName === 'IFRAME' ? 'frame' : `page:${a && a.tagName}`;
    });
    if (outside !== 'frame') return outside;
    return frame.evaluate(() => (document.hasFocus() && document.activeElement !== document.body ? document.activeElement.id : 'frame body'));
  };
  // The focus may move on a message round trip: after each key, wait (up to 5 s) for it
  // to reach where it should, then record where it is.
  const step = async (key, want) => {
    await page.keyboard.press(key);
    for (const until = Date.now() + 5_000; Date.now() < until && (await where()) !== want;) await page.waitForTimeout(25);
    return where();
  };
  await page.evaluate(() => document.querySelector('[aria-label="Close"]').focus());
  const forwardWanted = ['number', 'expiry', 'cvc', 'submit', 'cancel', 'close'];
  const forward = [];
  for (const want of forwardWanted) forward.push(await step('Tab', want));
  assert.deepEqual(forward, forwardWanted);
  const backwardWanted = ['cancel', 'submit', 'cvc', 'expiry', 'number', 'close'];
  const backward = [];
  for (const want of backwardWanted) backward.push(await step('Shift+Tab', want));
  assert.deepEqual(backward, backwardWanted);
  await page.close();
});

// Web components: the button that opened the form is inside a shadow root, where
// `document.activeElement` stops at the host. The focus still goes back to the button.
test('an opener inside a shadow root gets the focus back: after Escape on the dialog, and after the form\'s Cancel inline', async () => {
  const { page } = await openPage();
  await page.evaluate(() => {
    const host = document.createElement('x-shop');
    host.id = 'shop';
    const shadow = host.attachShadow({ mode: 'open' });
    shadow.innerHTML = '<button id="add">Add a card</button><div id="slot"></div>';
    document.body.append(host);
    window.deepFocus = () => {
      let a = document.activeElement;
      while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
      return a ? a.id || a.tagName : null;
    };
  });
  // The modal dialog, closed with Escape.
  await page.evaluate(() => document.getElementById('shop').shadowRoot.getElementById('add').focus());
  await page.evaluate(() => window.form());
  await page.frameLocator(FRAME).locator('#submit:not([disabled])').waitFor();
  await page.frameLocator(FRAME).locator('#number').click();
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => window.seen.cancel === 1);
  assert.equal(await page.evaluate(() => window.deepFocus()), 'add', 'the focus is back on the button in the shadow root');
  // Inline, in a container inside the shadow root, closed with the form's own Cancel.
  await page.evaluate(() => document.getElementById('shop').shadowRoot.getElementById('add').focus());
  await page.evaluate(() => window.form({ container: document.getElementById('shop').shadowRoot.getElementById('slot') }));
  await page.frameLocator(FRAME).locator('#submit:not([disabled])').waitFor();
  await page.frameLocator(FRAME).locator('#cancel').click();
  await page.waitForFunction(() => window.seen.cancel === 2);
  assert.equal(await page.evaluate(() => window.deepFocus()), 'add');
  await page.close();
});

/**
 * A page of the sandbox's origin with no script of its own (its 404 answer), after
 * `init` (an init script, or none), with a form open as `window.handle` and ready. Its
 * `getAccessToken` keeps the token in `window.tokenParts`, in two halves, so that a search
 * of the page's heap for the whole token does not find the test's own copy.
 */
async function openFormOnBarePage(init) {
  const { page } = await watchedPage(env.browser.context);
  if (init) await page.addInitScript(init);
  await page.goto(`${env.sandbox.url}/no-script-here`);
  await page.evaluate(async (baseUrl) => {
    const { CardEnrollment } = await import('/pkg/enrollment.js');
    window.handle = await CardEnrollment.openForm({
      companyName: 'Demo Shop',
      subaccountId: 'sub_demo',
      baseUrl,
      getAccessToken: async () => {
        const token = (await (await fetch('/api/enrollment-token')).text()).trim();
        window.tokenParts = [token.slice(0, token.length >> 1), token.slice(token.length >> 1)].map((t) => [...t].join(''));
        return token;
      },
    });
  }, vendor);
  await page.frameLocator(FRAME).locator('#submit:not([disabled])').waitFor();
  return page;
}

// The page keeps the handle `openForm` gave (as most do): once the form is closed, no
// string of the page's JS heap is the form's token. (A page with no script of its own:
// the demo page's script keeps what it shows.)
test('after close(), the form\'s token is nowhere in the page\'s JS heap, also while the page keeps the handle', async () => {
  const page = await openFormOnBarePage();
  await page.waitForTimeout(500); // the token is in the frame
  await page.evaluate(() => window.handle.close());
  const parts = await page.evaluate(() => window.tokenParts);
  const cdp = await env.browser.context.newCDPSession(page);
  await cdp.send('HeapProfiler.enable');
  for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
  let snapshot = '';
  cdp.on('HeapProfiler.addHeapSnapshotChunk', ({ chunk }) => { snapshot += chunk; });
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  assert.ok(snapshot.includes(parts[0]), 'the search works: the first half, kept by the test, is found');
  assert.ok(!snapshot.includes(parts.join('')), 'the whole token is in the heap');
  assert.equal(await page.evaluate(() => typeof window.handle.close), 'function', 'the page still holds the handle');
  await page.close();
});

// The card-form wasm's memory holds the session's token while the form is open, and
// not once it is closed (tests/e2e/token-memory.test.mjs does the same for the other two).
test("after close(), the form's token is gone from the card-form wasm's memory", async () => {
  const page = await openFormOnBarePage(watchWasmMemory);
  const out = await page.evaluate(() => {
    const token = window.tokenParts.join('');
    const held = window.inMemory(token);
    window.handle.close();
    return { memories: window.memories.length, held, afterClose: window.inMemory(token) };
  });
  assert.deepEqual(out, { memories: 1, held: 1, afterClose: 0 });
  await page.close();
});

test('the demo page: "Revoke tokens" while the sandbox does not answer says so, with no uncaught error', async () => {
  const { page, seen } = await openPage();
  await page.route('**/__sandbox/revoke', (route) => route.abort('connectionrefused'));
  const uncaught = [];
  page.on('pageerror', (e) => uncaught.push(e.message));
  await page.click('#revoke');
  await page.waitForFunction(() => document.getElementById('error').textContent !== '', null, { timeout: 5_000 });
  assert.match(await page.textContent('#error'), /the sandbox did not answer \(.+\): is it still running\?/);
  assert.deepEqual(uncaught, []);
  void seen;
  await page.close();
});
