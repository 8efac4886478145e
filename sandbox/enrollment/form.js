// The vendor side of the card form channel: see "Card form channel" in
// sandbox/README.md. No framework, no inline script, no HTML sinks
// (textContent only), so it runs under the form's strict CSP and Trusted Types.
//
// The card number, expiry and CVC go only to this origin's API; the port to
// the partner page carries tokens in and results out, never card data.
'use strict';

(() => {
  const HELLO = 'partner-sdk:enrollment:hello';
  const CONNECT = 'partner-sdk:enrollment:connect';
  // A safety net: the page answers need-token itself (token or token-error)
  // within its refreshTimeoutMs; this only stops the form from waiting forever.
  // The page says how long that can take (`tokenWaitMs` in connect); 30 s for a
  // page that does not.
  const DEFAULT_TOKEN_WAIT_MS = 30000;
  // How long one card POST may take before the frame gives up on it (a network
  // error); the page says it in connect (`postTimeoutMs`), as it bounds how long
  // the page holds a cancel back.
  const DEFAULT_POST_TIMEOUT_MS = 30000;
  const MAX_DELAY_MS = 2147483647;
  const MAX_TOKEN_LENGTH = 8192;

  const root = document.documentElement;
  const partnerOrigin = root.dataset.partnerOrigin || '';
  const subaccount = root.dataset.subaccount || '';
  const $ = (id) => document.getElementById(id);
  const form = $('card-form');
  const inputs = { number: $('number'), expiry: $('expiry'), cvc: $('cvc') };
  const submitButton = $('submit');
  const cancelButton = $('cancel');
  const statusEl = $('status');

  let port = null; // the MessagePort from the page, set once by the handshake
  // This document's own number, in its hello; a connect must echo it. A hello that the
  // page handles late (after the frame reloaded) gets a connect with the old document's
  // number, which this one ignores, and waits for the connect answering its own hello.
  const nonce = Array.from(crypto.getRandomValues(new Uint32Array(4)), (n) => n.toString(36)).join('');
  let token = null; // the latest token the page sent
  let tokenSeq = null; // its `seq`, echoed in a need-token for it
  let tokenWait = null; // { promise, resolve, reject } while a need-token is out
  let tokenWaitMs = DEFAULT_TOKEN_WAIT_MS;
  let postTimeoutMs = DEFAULT_POST_TIMEOUT_MS;
  let busy = false;
  let lastHeight = 0;

  // ---- messages ---------------------------------------------------------

  function send(message) {
    if (port) port.postMessage(message);
  }

  function onWindowMessage(event) {
    // Only the first connect answering this document's hello, only from the parent
    // window at the partner origin.
    if (port || event.source !== window.parent || event.origin !== partnerOrigin) return;
    const data = event.data;
    if (!data || typeof data !== 'object' || data.type !== CONNECT || data.v !== 1) return;
    // (No nonce: an SDK from before it; taken as then, the first connect only.)
    if (data.nonce !== undefined && data.nonce !== nonce) return;
    if (!event.ports || event.ports.length !== 1) return;
    if (Number.isFinite(data.tokenWaitMs) && data.tokenWaitMs >= 1000) {
      tokenWaitMs = Math.min(data.tokenWaitMs, MAX_DELAY_MS);
    }
    if (Number.isFinite(data.postTimeoutMs) && data.postTimeoutMs >= 1000) {
      postTimeoutMs = Math.min(data.postTimeoutMs, MAX_DELAY_MS);
    }
    port = event.ports[0];
    window.removeEventListener('message', onWindowMessage);
    port.onmessage = onPortMessage; // also starts the port
    submitButton.disabled = false;
    send({ type: 'ready' });
    reportSize();
  }

  function onPortMessage(event) {
    const data = event.data;
    if (!data || typeof data !== 'object') return;
    if (data.type === 'token') {
      const t = typeof data.token === 'string' ? data.token.trim() : '';
      if (t === '' || t.length > MAX_TOKEN_LENGTH) {
        // Refused at once, as the API would refuse it: dropped without a word, it left the
        // submit waiting out tokenWaitMs and reported a slow callback that was not slow.
        if (tokenWait) {
          send({ type: 'error', code: 'ACCESS_TOKEN_EXPIRED', message: 'The token is not one this form can use' });
          settleTokenWait((w) => w.reject({ tokenError: true, code: 'ACCESS_TOKEN_EXPIRED' }));
        }
        return;
      }
      token = t;
      tokenSeq = Number.isInteger(data.seq) ? data.seq : null;
      settleTokenWait((w) => w.resolve(t));
    } else if (data.type === 'token-error') {
      const code = typeof data.code === 'string' ? data.code : 'TOKEN_REFRESH_FAILED';
      settleTokenWait((w) => w.reject({ tokenError: true, code }));
    } else if (data.type === 'focus-last') {
      // The page's dialog was Shift+Tabbed into from after the form: its last control.
      const last = [cancelButton, submitButton, inputs.cvc, inputs.expiry, inputs.number].find((c) => !c.disabled);
      if (last) last.focus();
    }
  }

  function settleTokenWait(settle) {
    if (!tokenWait) return;
    const wait = tokenWait;
    tokenWait = null;
    clearTimeout(wait.timer);
    settle(wait);
  }

  // Asks the page for a token; concurrent askers share one request.
  function requestToken(reason, seq) {
    if (!tokenWait) {
      const wait = {};
      wait.promise = new Promise((resolve, reject) => {
        wait.resolve = resolve;
        wait.reject = reject;
      });
      wait.timer = setTimeout(() => {
        if (tokenWait !== wait) return;
        tokenWait = null;
        send({ type: 'error', code: 'TOKEN_REFRESH_TIMEOUT', message: 'The page did not answer need-token' });
        wait.reject({ tokenError: true, code: 'TOKEN_REFRESH_TIMEOUT' });
      }, tokenWaitMs);
      tokenWait = wait;
      send({ type: 'need-token', reason, seq: seq ?? undefined });
    }
    return tokenWait.promise;
  }

  function reportSize() {
    const height = Math.ceil(root.scrollHeight);
    if (port && height !== lastHeight) {
      lastHeight = height;
      send({ type: 'resize', height });
    }
  }

  function cancel() {
    send({ type: 'cancel' });
  }

  // ---- the form ---------------------------------------------------------

  function announce(text, isError) {
    statusEl.classList.toggle('error', Boolean(isError));
    statusEl.textContent = text;
  }

  function setFieldError(name, message) {
    const input = inputs[name];
    const error = $(`${name}-error`);
    if (!input || !error) return;
    if (message) {
      input.setAttribute('aria-invalid', 'true');
      error.textContent = message;
      error.hidden = false;
    } else {
      input.removeAttribute('aria-invalid');
      error.textContent = '';
      error.hidden = true;
    }
  }

  function digitsOf(value) {
    return value.replace(/\D/g, '');
  }

  function isAmex(digits) {
    return /^3[47]/.test(digits);
  }

  function luhn(digits) {
    let sum = 0;
    for (let i = 0; i < digits.length; i += 1) {
      let d = Number(digits[digits.length - 1 - i]);
      if (i % 2 === 1) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
    }
    return sum % 10 === 0;
  }

  // Card number in groups of 4, keeping the caret after the same digit.
  function formatNumber() {
    const el = inputs.number;
    const caretDigits = digitsOf(el.value.slice(0, el.selectionStart ?? el.value.length)).length;
    const digits = digitsOf(el.value).slice(0, 19);
    const formatted = digits.replace(/(\d{4})(?=\d)/g, '$1 ');
    if (formatted === el.value) return;
    el.value = formatted;
    let pos = 0;
    for (let seen = 0; pos < formatted.length && seen < caretDigits; pos += 1) {
      if (formatted[pos] !== ' ') seen += 1;
    }
    if (document.activeElement === el) el.setSelectionRange(pos, pos);
  }

  function formatExpiry() {
    const el = inputs.expiry;
    const digits = digitsOf(el.value).slice(0, 4);
    const formatted = digits.length > 2 ? `${digits.slice(0, 2)}/${digits.slice(2)}` : digits;
    if (formatted !== el.value) el.value = formatted;
  }

  function formatCvc() {
    const el = inputs.cvc;
    const digits = digitsOf(el.value).slice(0, 4);
    if (digits !== el.value) el.value = digits;
  }

  // Format checks only; the API decides the rest (e.g. an expired card, by
  // the server's clock, not this machine's).
  function readCard() {
    const errors = {};
    const number = inputs.number.value.replace(/\s/g, '');
    if (!/^\d{12,19}$/.test(number)) errors.number = 'Enter the card number (12 to 19 digits).';
    else if (!luhn(number)) errors.number = 'The card number is not valid. Check it and try again.';
    const expiry = /^(\d{2})\/?(\d{2})$/.exec(inputs.expiry.value.trim());
    const month = expiry ? Number(expiry[1]) : 0;
    if (!expiry || month < 1 || month > 12) errors.expiry = 'Enter the expiry date as MM/YY.';
    const cvcLength = isAmex(number) ? 4 : 3;
    if (!new RegExp(`^\\d{${cvcLength}}$`).test(inputs.cvc.value)) {
      errors.cvc = `Enter the ${cvcLength}-digit security code.`;
    }
    for (const name of Object.keys(inputs)) setFieldError(name, errors[name]);
    const invalid = Object.keys(inputs).filter((name) => errors[name]);
    if (invalid.length > 0) {
      announce(errors[invalid[0]], true);
      inputs[invalid[0]].focus();
      return null;
    }
    return {
      number,
      expMonth: month,
      expYear: 2000 + Number(expiry[2]),
      cvc: inputs.cvc.value,
    };
  }

  // The timeout covers the wait for the answer's headers, not the body: a 201 whose
  // body is slow still counts as stored.
  function postCard(bearer, card) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), postTimeoutMs);
    return fetch(`/v1/subaccounts/${encodeURIComponent(subaccount)}/cards`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(card),
      credentials: 'omit',
      cache: 'no-store',
      referrerPolicy: 'no-referrer',
      signal: controller.signal,
    }).finally(() => clearTimeout(timer));
  }

  // Sends the card; on a 401 retries exactly once with a new token (the one
  // the page already pushed, or one asked for with need-token). The first token is
  // asked for as the card goes out: the page checks it is not due (its timer for the
  // proactive refresh may not have run: a machine that slept, a throttled tab).
  async function enroll(card) {
    let used = await requestToken(token ? 'submit' : 'expired');
    const usedSeq = used === token ? tokenSeq : null;
    let res = await postCard(used, card);
    if (res.status !== 401) return [res, used];
    // The refused token's seq: a page that sent a newer one meanwhile (its message
    // still on its way) answers with that one instead of refreshing again.
    used = token !== used ? token : await requestToken('unauthorized', usedSeq);
    res = await postCard(used, card);
    return [res, used];
  }

  async function readJson(res) {
    try {
      return await res.json();
    } catch {
      return null;
    }
  }

  // What goes back to the page from the API's answer never repeats the token (an API
  // or proxy that echoes the request's headers).
  async function handle(res, used) {
    const scrub = (text) => (typeof text === 'string' ? text.split(used).join('[redacted]') : text);
    const body = await readJson(res);
    const requestId = scrub(res.headers.get('x-request-id') || undefined);
    const apiError = (error, message) => ({
      type: 'error', code: 'API_ERROR', status: res.status, error, message, requestId,
    });
    if (res.status === 201 && body && typeof body.cardId === 'string') {
      const card = {
        cardId: body.cardId,
        last4: String(body.last4),
        brand: String(body.brand),
        expMonth: Number(body.expMonth),
        expYear: Number(body.expYear),
      };
      form.reset();
      announce(`Card ending in ${card.last4} added.`, false);
      send({ type: 'success', card });
    } else if (res.status === 422 && body && body.error === 'invalid_card') {
      // Field errors stay in the form: the user can fix them.
      const message = typeof body.message === 'string' ? body.message : 'Check this field.';
      if (inputs[body.field]) {
        setFieldError(body.field, message);
        inputs[body.field].focus();
      }
      announce(message, true);
    } else if (res.status === 401) {
      announce('We could not authorize this form. Please try again.', true);
      send({ type: 'error', code: 'ACCESS_TOKEN_EXPIRED', status: 401, message: 'The token was refused after one refresh' });
    } else if (res.status === 402) {
      setFieldError('number', 'This card was declined. Try another card.');
      announce('This card was declined. Try another card.', true);
      inputs.number.focus();
      send(apiError('card_declined', 'The card was declined'));
    } else {
      const error = body && typeof body.error === 'string' ? scrub(body.error) : undefined;
      announce('Something went wrong. Please try again.', true);
      send(apiError(error, `The card API answered HTTP ${res.status}`));
    }
  }

  async function onSubmit(event) {
    event.preventDefault();
    if (busy || !port) return;
    const card = readCard();
    if (!card) return;
    busy = true;
    submitButton.disabled = true;
    cancelButton.disabled = true;
    // The page holds a cancel back until the submit ends (the card may be stored).
    send({ type: 'busy', busy: true });
    announce('Saving your card…', false);
    try {
      let sent;
      try {
        sent = await enroll(card);
      } catch (e) {
        if (e && e.tokenError) {
          // The page reported this failure (token-error) or was told (timeout).
          announce('We could not authorize this form. Please try again.', true);
        } else {
          announce('Network problem. Check your connection and try again.', true);
          send({ type: 'error', code: 'NETWORK_ERROR', message: 'The card could not be sent' });
        }
        return;
      }
      await handle(...sent);
    } finally {
      busy = false;
      submitButton.disabled = false;
      cancelButton.disabled = false;
      send({ type: 'busy', busy: false });
    }
  }

  // ---- wiring -----------------------------------------------------------

  inputs.number.addEventListener('input', () => {
    formatNumber();
    setFieldError('number', null);
  });
  inputs.expiry.addEventListener('input', () => {
    formatExpiry();
    setFieldError('expiry', null);
  });
  inputs.cvc.addEventListener('input', () => {
    formatCvc();
    setFieldError('cvc', null);
  });
  form.addEventListener('submit', onSubmit);
  cancelButton.addEventListener('click', cancel);
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      cancel();
    }
  });
  if (typeof ResizeObserver === 'function') new ResizeObserver(reportSize).observe(document.body);

  if (window.parent === window || !partnerOrigin) {
    announce('This form can only be used inside the partner\u2019s page.', true);
    return;
  }
  window.addEventListener('message', onWindowMessage);
  window.parent.postMessage({ type: HELLO, v: 1, nonce }, partnerOrigin);
})();
