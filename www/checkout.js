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
      if (left > LEEWAY_SECONDS) logEvent('refused', 'the API answered 401 to the current token');
      else logEvent('expiring', `the token expires in ${Math.max(0, Math.round(left))} s: refreshing before the request`);
      return fetchToken('token callback');
    }

    function onTokenRefreshed({ expiresAt, reason }) {
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
      $('expires-in').textContent = left > 0 ? `${left} s` : 'expired';
      const due = left - LEEWAY_SECONDS;
      $('refresh-due').textContent = due > 0 ? `in ${due} s` : 'now: the next request refreshes first';
    }

    async function loadInvoice() {
      invoice = await client.get(`/v1/invoices/${INVOICE_ID}`);
      $('invoice-id').textContent = invoice.id;
      $('invoice-description').textContent = invoice.description;
      $('invoice-amount').textContent = formatAmount(invoice.amount, invoice.currency);
      $('invoice-status').textContent = invoice.status;
      loads += 1;
      $('invoice').dataset.loads = String(loads);
      $('invoice-loaded').textContent = `Loaded at ${new Date().toLocaleTimeString()} (${loads}×).`;
    }

    // One Idempotency-Key per payment, kept until it has a definite answer: a Pay after
    // an answer that never arrived (a network error, a timeout) resends the same key and
    // gets that payment back instead of a second charge; the SDK may also retry the POST
    // itself (rule 9). A new key once the payment succeeded or was refused.
    let pending = null; // { key, amount, currency } of the payment without an answer
    async function pay() {
      const body = { amount: invoice.amount, currency: invoice.currency };
      if (!pending || pending.amount !== body.amount || pending.currency !== body.currency) {
        pending = { ...body, key: `pay-${INVOICE_ID}-${Date.now()}-${Math.random().toString(36).slice(2)}` };
      }
      let payment;
      try {
        payment = await client.post(`/v1/invoices/${INVOICE_ID}/payments`, body, { idempotencyKey: pending.key });
      } catch (error) {
        if (sdk.isPartnerSdkError(error) && error.code === 'API_ERROR') pending = null;
        throw error;
      }
      pending = null;
      $('payment-result').textContent = `Payment ${payment.id} ${payment.status}: ${formatAmount(payment.amount, invoice.currency)}`;
      $('payment-result').dataset.status = payment.status;
    }

    async function revoke() {
      const response = await fetch('/__sandbox/revoke', { method: 'POST' });
      if (!response.ok) throw new Error('test controls are off: start the sandbox with --test-controls');
      const { revoked } = await response.json();
      logEvent('revoked', `the sandbox revoked every token it had issued (${revoked}); reloading the invoice with the old one…`);
      await loadInvoice();
    }

    /** Runs a button's action with the buttons disabled and errors shown. */
    function action(button, run) {
      button.addEventListener('click', async () => {
        const buttons = document.querySelectorAll('button');
        buttons.forEach((b) => { b.disabled = true; });
        $('error').textContent = '';
        try {
          await run();
        } catch (error) {
          showError(error, sdk);
        } finally {
          buttons.forEach((b) => { b.disabled = false; });
        }
      });
    }

    try {
      const accessToken = await fetchToken('page load');
      client = await sdk.AlternativeClient.create({
        accessToken,
        baseUrl: location.origin,
        refreshLeewaySeconds: LEEWAY_SECONDS,
        onAccessTokenExpired,
        onTokenRefreshed,
      });
      showClaims();
      setInterval(tick, 1000);
      await loadInvoice();
      action($('pay'), pay);
      action($('reload'), loadInvoice);
      action($('revoke'), revoke);
      document.querySelectorAll('button').forEach((b) => { b.disabled = false; });
      document.body.dataset.ready = 'true';
    } catch (error) {
      showError(error, sdk);
    }
  }

  window.CheckoutDemo = { start };

  const me = document.currentScript;
  if (me && me.dataset.sdk === 'global') start(window.PartnerSDK, 'a classic <script> tag (global PartnerSDK)');
})();
