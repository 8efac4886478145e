// enrollment.html: CardEnrollment through <script type="module">. The form is served
// by the vendor's origin (the sandbox's second listener); this page only gets the
// result. `?inline` puts the form in the page instead of a modal dialog.
import { CardEnrollment, isPartnerSdkError } from '/pkg/index.js';

const $ = (id) => document.getElementById(id);
const { logEvent } = window.DemoLog;
const inline = new URLSearchParams(location.search).has('inline');

/** "Your backend": a card-enrollment JWT from the SDK credentials, as text/plain. */
async function fetchToken() {
  const response = await fetch('/api/enrollment-token');
  if (!response.ok) throw new Error(`/api/enrollment-token answered ${response.status}`);
  logEvent('issued', 'card-enrollment token from /api/enrollment-token');
  return response.text();
}

function showError(error) {
  $('error').textContent = isPartnerSdkError(error)
    ? `${error.name} (${error.code}): ${error.message}`
    : String(error && error.message);
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

try {
  const config = await (await fetch('/api/enrollment-config')).json();
  $('company').textContent = config.companyName;
  $('subaccount').textContent = config.subaccountId;
  $('vendor').textContent = config.baseUrl;
  $('page-origin').textContent = location.origin;

  // One form at a time: opening again (in the inline layout, where the button stays
  // reachable) closes the one shown, also one whose frame never loaded.
  let form = null;
  const closed = () => {
    $('inline').hidden = true;
    form = null;
  };
  $('open').addEventListener('click', async () => {
    $('error').textContent = '';
    form?.close();
    $('inline').hidden = !inline;
    try {
      form = await CardEnrollment.openForm({
        companyName: config.companyName,
        subaccountId: config.subaccountId,
        baseUrl: config.baseUrl,
        container: inline ? $('inline') : undefined,
        getAccessToken: fetchToken,
        onSuccess: (card) => {
          logEvent('enrolled', `${card.brand} ending ${card.last4}`);
          showCard(card);
          closed();
        },
        onError: (error) => {
          logEvent('error', isPartnerSdkError(error) ? error.code : 'error');
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
    }
  });
  $('revoke').addEventListener('click', async () => {
    const response = await fetch('/__sandbox/revoke', { method: 'POST' });
    if (!response.ok) {
      showError(new Error('test controls are off: start the sandbox with --test-controls'));
      return;
    }
    logEvent('revoked', 'the sandbox revoked every token; the next submit sees a 401');
  });
  document.querySelectorAll('button').forEach((b) => { b.disabled = false; });
  document.body.dataset.ready = 'true';
} catch (error) {
  showError(error);
}
