// enrollment.html: CardEnrollment through <script type="module">. The form is served
// by the vendor's origin (the sandbox's second listener); this page only gets the
// result. `?inline` puts the form in the page instead of a modal dialog.
// /pkg/enrollment.js is CardEnrollment's own entry: it downloads enrollment_bg.wasm only.
import { CardEnrollment, isPartnerSdkError } from '/pkg/enrollment.js';

const $ = (id) => document.getElementById(id);
const { logEvent } = window.DemoLog;
const inline = new URLSearchParams(location.search).has('inline');

let tokensThisForm = 0; // tokens handed to the form shown: the first at open, later ones refresh

/** "Your backend": a card-enrollment JWT from the card-enrollment credentials, as text/plain. */
async function fetchToken() {
  // (Counted once handed over: after a launch that got no token, the next call is
  // still the form's first token, not a refresh of one that was refused.)
  const first = tokensThisForm === 0;
  if (!first) logEvent('refresh', 'the SDK asks for a new token: the form\'s token was refused (401) or is due for refresh');
  let response;
  try {
    response = await fetch('/api/enrollment-token');
    if (!response.ok) throw new Error(`/api/enrollment-token answered ${response.status}`);
  } catch (error) {
    logEvent('error', `no token: ${error.message}`);
    throw error;
  }
  tokensThisForm += 1;
  logEvent('issued', `card-enrollment token from /api/enrollment-token (${first ? 'the form opens' : `refresh #${tokensThisForm - 1}`})`);
  return response.text();
}

/** One log line for an error: its code, an ApiError's status and the API's own error code, and the message. */
function errorLine(error) {
  if (!isPartnerSdkError(error)) return String((error && error.message) || error);
  const body = error.code === 'API_ERROR' && error.body && typeof error.body === 'object' ? error.body : {};
  const status = error.code === 'API_ERROR' ? ` ${error.status}${typeof body.error === 'string' ? ` ${body.error}` : ''}` : '';
  return `${error.code}${status}: ${error.message}`;
}

function showError(error) {
  if (!isPartnerSdkError(error)) {
    $('error').textContent = String(error && error.message);
    return;
  }
  const body = error.code === 'API_ERROR' && error.body && typeof error.body === 'object' ? error.body : {};
  const said = [body.error, body.error_description].filter((part) => typeof part === 'string' && part);
  $('error').textContent = `${error.name} (${error.code}): ${error.message}${said.length ? ` (${said.join(': ')})` : ''}`;
}

function showCard(card) {
  const row = document.createElement('tr');
  for (const text of [card.cardId, card.brand, card.last4, `${String(card.expMonth).padStart(2, '0')}/${card.expYear}`]) {
    const cell = document.createElement('td');
    cell.textContent = text;
    row.append(cell);
  }
  $('cards').prepend(row);
}

for (const part of document.querySelectorAll('[data-layout]')) part.hidden = part.dataset.layout !== (inline ? 'inline' : 'dialog');

/** The demo's card-enrollment settings from "your backend". */
async function loadConfig() {
  const response = await fetch('/api/enrollment-config');
  if (!response.ok) throw new Error(`/api/enrollment-config answered ${response.status}`);
  return response.json();
}

let config = null;

/** Loads the settings; if that fails, says so where they go, with a way to try again. */
async function boot() {
  $('unavailable').hidden = true;
  $('error').textContent = '';
  $('company').textContent = 'loading…';
  try {
    config = await loadConfig();
  } catch (error) {
    $('company').textContent = 'unavailable';
    $('load-error').textContent = `The card form could not be set up: ${error.message}`;
    $('unavailable').hidden = false;
    showError(error); // (the alert region: announced to screen readers)
    document.body.dataset.ready = 'false';
    return;
  }
  $('company').textContent = config.companyName;
  $('subaccount').textContent = config.subaccountId;
  $('vendor').textContent = config.baseUrl;
  $('page-origin').textContent = location.origin;
  document.querySelectorAll('#open, #revoke').forEach((b) => { b.disabled = false; });
  document.body.dataset.ready = 'true';
}

{
  // One form at a time: opening again (in the inline layout, where the button stays
  // reachable) closes the one shown, also one whose frame never loaded. `opening` keeps a
  // second click made while openForm() is still under way from opening a second form.
  let form = null;
  let opening = false;
  const closed = () => {
    $('inline').hidden = true;
    form = null;
  };
  $('open').addEventListener('click', async () => {
    if (opening) return;
    opening = true;
    $('error').textContent = '';
    form?.close();
    form = null;
    tokensThisForm = 0;
    $('inline').hidden = !inline;
    try {
      form = await CardEnrollment.openForm({
        companyName: config.companyName,
        subaccountId: config.subaccountId,
        baseUrl: config.baseUrl,
        container: inline ? $('inline') : undefined,
        getAccessToken: fetchToken,
        onSuccess: (card) => {
          $('error').textContent = ''; // an earlier failure (a declined card) is over
          logEvent('enrolled', `${card.brand} ending ${card.last4}`);
          showCard(card);
          closed();
        },
        onError: (error) => {
          logEvent('error', errorLine(error));
          showError(error);
        },
        onCancel: () => {
          logEvent('cancelled', 'the form was closed');
          closed();
        },
      });
      logEvent('opened', `form from ${config.baseUrl}`);
    } catch (error) {
      showError(error);
      closed();
    } finally {
      opening = false;
    }
  });
  $('revoke').addEventListener('click', async () => {
    let response;
    try {
      response = await fetch('/__sandbox/revoke', { method: 'POST' });
    } catch (error) {
      showError(new Error(`the sandbox did not answer (${error.message}): is it still running?`));
      return;
    }
    if (!response.ok) {
      showError(new Error('test controls are off: start the sandbox with --test-controls'));
      return;
    }
    const { revoked } = await response.json();
    logEvent('revoked', `the sandbox revoked ${revoked} token${revoked === 1 ? '' : 's'} (all it had issued); the form's next submit sees a 401, unless the SDK has replaced its token by then (it does before the token is due)`);
  });
  $('retry').addEventListener('click', async () => {
    $('retry').disabled = true;
    await boot();
    $('retry').disabled = false;
    (document.body.dataset.ready === 'true' ? $('open') : $('retry')).focus();
  });
  await boot();
}
