// The checkout demo, shared by index.html (classic <script>, global `PartnerSDK`) and
// esm.html (<script type="module">): both entries export the same names, and the page
// hands them to `CheckoutDemo.start`. The token stays inside the SDK; this page only
// shows its claims.
(function () {
  'use strict';

  const INVOICE_ID = 'inv_1001';
  const CUSTOMER_ID = 'cus_demo';
  const LEEWAY_SECONDS = 30;

  const $ = (id) => document.getElementById(id);
  const now = () => Date.now() / 1000;
  const clock = (seconds) => (seconds == null ? 'never' : new Date(seconds * 1000).toLocaleTimeString());
  let issued = 0;

  const { logEvent } = window.DemoLog;

  /** "Your backend": mints a checkout token for the signed-in customer's invoice. */
  async function fetchToken(why) {
    const response = await fetch('/api/checkout-token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ customerId: CUSTOMER_ID, invoiceId: INVOICE_ID }),
    });
    if (!response.ok) throw new Error(`/api/checkout-token answered ${response.status}`);
    const { token, expiresAt } = await response.json();
    issued += 1;
    logEvent('issued', `token #${issued} from /api/checkout-token (${why}), expires at ${clock(expiresAt)}`);
    return token;
  }

  /**
   * What an error says, for people: "(ApiError 402 card_declined): the card was declined"
   * (an ApiError's status, and the API's own code and description when its body has them),
   * or "(NetworkError NETWORK_ERROR): <message>".
   */
  function describe(error, sdk) {
    if (!sdk.isPartnerSdkError(error)) return `: ${String((error && error.message) || error)}`;
    if (error.code === 'API_ERROR') {
      const body = error.body && typeof error.body === 'object' ? error.body : {};
      const text = (value) => (typeof value === 'string' && value ? value : null);
      const code = text(body.error);
      return ` (${error.name} ${error.status}${code ? ` ${code}` : ''}): ${text(body.error_description) || text(body.message) || error.message}`;
    }
    return ` (${error.name} ${error.code}): ${error.message}`;
  }

  function showError(error, sdk) {
    const known = sdk.isPartnerSdkError(error);
    $('error').textContent = known ? `${error.name} (${error.code}): ${error.message}` : String(error && error.message);
    if (known && error.code !== 'API_ERROR') logEvent('error', `${error.name}: ${error.message}`);
  }

  function formatAmount(cents, currency) {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(cents / 100);
  }

  async function start(sdk, how) {
    $('how').textContent = how;
    let client = null;
    let invoice = null;
    let loads = 0;

    // Called when the token is due (proactive) or was refused (401): the SDK makes
    // sure this runs once however many requests are waiting.
    async function onAccessTokenExpired() {
      const left = client && client.expiresAt !== null ? client.expiresAt - now() : Infinity;
      // A token not yet due is only replaced after a 401. A due one is usually replaced
      // before the request (rule 6), but one that arrived already due is sent once as it
      // is (rule 8): the "refreshed" line that follows gives the SDK's own reason.
      if (left > LEEWAY_SECONDS) logEvent('refused', 'the API answered 401 to the current token');
      else logEvent('expiring', `the token ${left >= 0.5 ? `expires in ${Math.round(left)} s` : `expired ${Math.max(0, Math.round(-left))} s ago`} (inside the ${LEEWAY_SECONDS} s leeway): asking for a new one`);
      try {
        return await fetchToken('token callback');
      } catch (error) {
        // The SDK reports TokenRefreshError to the call that waited; why the backend
        // failed is the page's to say.
        logEvent('error', `token refresh failed: ${error.message}`);
        throw error;
      }
    }

    let refreshes = []; // the reasons of the refreshes since the last revoke
    // Whether the current token came from a proactive refresh already due (a lifetime
    // under the leeway): the SDK then sends it once more as it is, on the request after
    // the one that waited for it, before refreshing it again (rule 8).
    let arrivedDue = false;

    function onTokenRefreshed({ expiresAt, reason }) {
      arrivedDue = reason === 'expiring' && expiresAt !== null && expiresAt - now() <= LEEWAY_SECONDS;
      refreshes.push(reason);
      tick();
      logEvent('refreshed', `reason: ${reason}; the new token expires at ${clock(expiresAt)}`);
      showClaims();
    }

    function showClaims() {
      const claims = client.claims || {};
      $('claim-invoice').textContent = claims.invoice_id || '–';
      $('claim-customer').textContent = claims.customer_id || '–';
      $('claim-exp').textContent = clock(client.expiresAt);
      tick();
    }

    function tick() {
      if (!client || client.expiresAt === null) return;
      const left = Math.round(client.expiresAt - now());
      $('expires-in').textContent = left > 0 ? `${left} s` : left === 0 ? 'now' : `expired ${-left} s ago`;
      const due = left - LEEWAY_SECONDS;
      $('refresh-due').textContent = due > 0 ? `in ${due} s` : arrivedDue
        ? 'now: this token arrived already due, so the next request uses it as it is, and the one after refreshes first'
        : 'now: the next request refreshes first';
    }

    /** Runs an SDK call; one that brought no refresh used an arrived-due token as it is (once). */
    async function sent(call) {
      const before = refreshes.length;
      try {
        return await call();
      } finally {
        if (refreshes.length === before) arrivedDue = false;
        tick();
      }
    }

    async function loadInvoice() {
      invoice = await sent(() => client.get(`/v1/invoices/${INVOICE_ID}`));
      $('invoice-id').textContent = invoice.id;
      $('invoice-description').textContent = invoice.description;
      $('invoice-amount').textContent = formatAmount(invoice.amount, invoice.currency);
      $('invoice-status').textContent = invoice.status;
      loads += 1;
      $('invoice').dataset.loads = String(loads);
      $('invoice-loaded').textContent = `Loaded at ${new Date().toLocaleTimeString()} (${loads}×).`;
      delete $('invoice').dataset.stale;
    }

    /** Loads the invoice again; if that fails, the invoice shown says it is the earlier one. */
    async function reloadInvoice() {
      try {
        await loadInvoice();
      } catch (error) {
        $('invoice-loaded').textContent = `Reload failed${describe(error, sdk)}. Shown: the invoice as loaded before.`;
        $('invoice').dataset.stale = 'true';
        throw error;
      }
    }

    /** The line under Pay: the outcome of the last payment, `status` for tests and colour. */
    function showPayment(status, text) {
      $('payment-result').textContent = text;
      if (status) $('payment-result').dataset.status = status;
      else delete $('payment-result').dataset.status;
    }

    // One Idempotency-Key per payment, kept until it has a definite answer: a Pay after
    // an answer that never arrived (a network error, a timeout) resends the same key and
    // gets that payment back instead of a second charge; the SDK may also retry the POST
    // itself (rule 9). A new key once the payment succeeded or was refused.
    let pending = null; // { key, amount, currency } of the payment without an answer
    async function pay() {
      showPayment('pending', 'Paying…'); // nothing of the previous payment stays while this one runs
      const body = { amount: invoice.amount, currency: invoice.currency };
      if (!pending || pending.amount !== body.amount || pending.currency !== body.currency) {
        pending = { ...body, key: `pay-${INVOICE_ID}-${Date.now()}-${Math.random().toString(36).slice(2)}` };
      }
      let payment;
      try {
        payment = await sent(() => client.post(`/v1/invoices/${INVOICE_ID}/payments`, body, { idempotencyKey: pending.key }));
      } catch (error) {
        const refused = sdk.isPartnerSdkError(error) && error.code === 'API_ERROR';
        if (refused) pending = null;
        const what = describe(error, sdk);
        if (refused) {
          showPayment('failed', `Payment failed${what}`);
        } else if (sdk.isPartnerSdkError(error) && error.name === 'NetworkError') {
          showPayment('unknown', `Payment not confirmed${what}. Pay again to resend it with the same Idempotency-Key: if it went through, you get that payment back, not a second one.`);
        } else {
          showPayment('failed', `Payment failed${what}`);
        }
        logEvent('error', `payment failed${what}`);
        return;
      }
      pending = null;
      showPayment(payment.status, `Payment ${payment.id} ${payment.status}: ${formatAmount(payment.amount, invoice.currency)}`);
    }

    async function revoke() {
      const response = await fetch('/__sandbox/revoke', { method: 'POST' }).catch((error) => {
        throw new Error(`the sandbox did not answer (${error.message}): is it still running?`);
      });
      if (!response.ok) throw new Error('test controls are off: start the sandbox with --test-controls');
      const { revoked } = await response.json();
      // Rule 6: a token inside the refresh leeway is replaced before the request goes out,
      // so the revoked one is never sent and the API has nothing to refuse.
      const left = client.expiresAt === null ? Infinity : client.expiresAt - now();
      const what = `the sandbox revoked ${revoked} token${revoked === 1 ? '' : 's'} (all it had issued)`;
      const due = left < LEEWAY_SECONDS - 1;
      if (left > LEEWAY_SECONDS + 1) {
        logEvent('revoked', `${what}; reloading the invoice with the current token: the API should answer 401…`);
      } else if (!due) {
        logEvent('revoked', `${what}; the current token reaches the ${LEEWAY_SECONDS} s refresh leeway just now: the SDK either refreshes before sending (no 401) or sends it and gets a 401`);
      } else {
        const when = left >= 0.5 ? `it expires in ${Math.round(left)} s` : `it expired ${Math.max(0, Math.round(-left))} s ago`;
        logEvent('revoked', `${what}; the current token is due for refresh anyway (${when}, inside the ${LEEWAY_SECONDS} s leeway): the SDK refreshes before sending, so no 401`);
      }
      refreshes = [];
      await reloadInvoice();
      // Rule 8's exception: a token that arrived already due is sent once as it is.
      if (due && refreshes.includes('unauthorized')) logEvent('refused', 'the SDK sent the due token after all (it had arrived already due: rule 8), and the API answered 401');
    }

    /**
     * Runs a button's action with the other buttons disabled and errors shown. The pressed
     * button stays enabled (aria-disabled, ignored while busy) so that it keeps the focus.
     */
    let busy = false;
    function action(button, run) {
      button.addEventListener('click', async () => {
        if (busy || button.disabled) return;
        busy = true;
        const others = [...document.querySelectorAll('#pay, #reload, #revoke')].filter((b) => b !== button);
        others.forEach((b) => { b.disabled = true; });
        button.setAttribute('aria-disabled', 'true');
        $('error').textContent = '';
        try {
          await run();
        } catch (error) {
          showError(error, sdk);
        } finally {
          others.forEach((b) => { b.disabled = false; });
          button.removeAttribute('aria-disabled');
          busy = false;
        }
      });
    }

    /** A first load that failed: say so where "loading…" was, with a way to try again. */
    function unavailable(error) {
      $('invoice-id').textContent = 'unavailable';
      $('load-error').textContent = `The checkout could not load${describe(error, sdk)}`;
      $('unavailable').hidden = false;
      document.body.dataset.ready = 'false';
      showError(error, sdk);
    }

    let ticking = false;
    async function boot() {
      $('unavailable').hidden = true;
      $('error').textContent = '';
      $('invoice-id').textContent = 'loading…';
      try {
        if (!client) {
          const accessToken = await fetchToken('page load');
          client = await sdk.AlternativeClient.create({
            accessToken,
            baseUrl: location.origin,
            refreshLeewaySeconds: LEEWAY_SECONDS,
            onAccessTokenExpired,
            onTokenRefreshed,
          });
          showClaims();
          if (!ticking) setInterval(tick, 1000);
          ticking = true;
        }
        await loadInvoice();
        document.querySelectorAll('#pay, #reload, #revoke').forEach((b) => { b.disabled = false; });
        document.body.dataset.ready = 'true';
      } catch (error) {
        unavailable(error);
      }
    }

    action($('pay'), pay);
    action($('reload'), reloadInvoice);
    action($('revoke'), revoke);
    $('retry').addEventListener('click', async () => {
      $('retry').disabled = true;
      await boot();
      $('retry').disabled = false;
      if (document.body.dataset.ready === 'true') $('pay').focus();
      else $('retry').focus();
    });
    await boot();
  }

  window.CheckoutDemo = { start };

  const me = document.currentScript;
  if (me && me.dataset.sdk === 'global') {
    if (window.PartnerSDK) start(window.PartnerSDK, 'a classic <script> tag (global PartnerSDK)');
    else window.DemoLog.notLoaded('/pkg/partner-sdk.js');
  }
})();
