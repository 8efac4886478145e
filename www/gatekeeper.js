// gatekeeper.html: SafeSDK through <script type="module">. `?interval=MS` sets the
// check interval (default 5000, at least 1000).
import { SafeSDK, isPartnerSdkError } from '/pkg/index.js';

const $ = (id) => document.getElementById(id);
const intervalMs = Math.max(1000, Number(new URLSearchParams(location.search).get('interval')) || 5000);
const MAX_ROWS = 20;
let checks = 0;
let running = false;

const { logEvent } = window.DemoLog;

/** "Your backend": a Gatekeeper JWT as text/plain (its trailing newline is fine). */
async function fetchToken(why) {
  const response = await fetch('/api/gatekeeper-token');
  if (!response.ok) throw new Error(`/api/gatekeeper-token answered ${response.status}`);
  logEvent('issued', `token from /api/gatekeeper-token (${why})`);
  return response.text();
}

function showCheck(result) {
  checks += 1;
  $('check-count').textContent = String(checks);
  const row = document.createElement('tr');
  row.dataset.status = result.status;
  const detail = result.status === 'Ok' ? `server time ${result.checkedAt}` : result.reason || '';
  for (const [text, cls] of [[new Date().toLocaleTimeString()], [result.status, 'tag'], [detail]]) {
    const cell = document.createElement('td');
    cell.textContent = text;
    if (cls) cell.className = result.status === 'Ok' ? cls : `${cls} bad`;
    row.append(cell);
  }
  $('checks').prepend(row);
  while ($('checks').rows.length > MAX_ROWS) $('checks').deleteRow(-1);
}

function showError(error) {
  $('error').textContent = isPartnerSdkError(error) ? `${error.name} (${error.code}): ${error.message}` : String(error.message);
}

const sdk = new SafeSDK({
  apiKey: 'demo-api-key',
  applicationId: 'demo-app',
  applicationVersion: '1.0.0',
  baseUrl: location.origin,
  onAccessTokenExpired: () => fetchToken('token callback'),
  onTokenRefreshed: ({ reason }) => logEvent('refreshed', `reason: ${reason}`),
});

function setRunning(on) {
  running = on;
  if (on) sdk.startPeriodicCheck(intervalMs, showCheck);
  else sdk.stopPeriodicCheck();
  $('toggle').textContent = on ? 'Stop checks' : 'Start checks';
}

function action(id, run) {
  $(id).addEventListener('click', async () => {
    $('error').textContent = '';
    try {
      await run();
    } catch (error) {
      showError(error);
    }
  });
}

try {
  const { deviceId, registered } = await sdk.initialize(await fetchToken('page load'));
  $('device-id').textContent = deviceId;
  $('registered').dataset.registered = String(registered);
  $('registered').textContent = registered ? 'yes: first visit in this browser profile' : 'no: already registered in this browser profile';
  $('interval').textContent = `${intervalMs / 1000} s`;
  showCheck(await sdk.check());
  setRunning(true);
  action('check-now', async () => showCheck(await sdk.check()));
  action('toggle', () => setRunning(!running));
  action('revoke', async () => {
    const response = await fetch('/__sandbox/revoke', { method: 'POST' });
    if (!response.ok) throw new Error('test controls are off: start the sandbox with --test-controls');
    logEvent('revoked', 'the sandbox revoked every token; the next check sees a 401');
  });
  document.querySelectorAll('button').forEach((b) => { b.disabled = false; });
  document.body.dataset.ready = 'true';
} catch (error) {
  showError(error);
}
