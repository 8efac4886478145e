// gatekeeper.html: SafeSDK through <script type="module">. `?interval=MS` sets the
// check interval (default 5000, at least 1000).
import { SafeSDK, isPartnerSdkError } from '/pkg/gatekeeper.js';

const $ = (id) => document.getElementById(id);
const intervalMs = Math.max(1000, Number(new URLSearchParams(location.search).get('interval')) || 5000);
const MAX_ROWS = 20;
let checks = 0;
let running = false;
let tokenExpiresAt = null; // the current token's exp, as far as this page knows (for the revoke note)
const LEEWAY_SECONDS = 30; // the SDK's default refreshLeewaySeconds

const { logEvent } = window.DemoLog;

/** A token's `exp` (seconds since the epoch) read from its payload, for the log only, or null. */
function expiryOf(token) {
  try {
    const payload = token.trim().split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const { exp } = JSON.parse(atob(payload.padEnd(Math.ceil(payload.length / 4) * 4, '=')));
    return typeof exp === 'number' ? exp : null;
  } catch {
    return null;
  }
}

/** "Your backend": a Gatekeeper JWT as text/plain (its trailing newline is fine). */
async function fetchToken(why) {
  const response = await fetch('/api/gatekeeper-token');
  if (!response.ok) throw new Error(`/api/gatekeeper-token answered ${response.status}`);
  const token = await response.text();
  const exp = expiryOf(token);
  tokenExpiresAt = exp;
  logEvent('issued', `token from /api/gatekeeper-token (${why})${exp ? `, expires at ${new Date(exp * 1000).toLocaleTimeString()}` : ''}`);
  return token;
}

/** The SDK's token callback: a failure is logged here, then reported by the SDK (the check's result). */
async function refreshToken() {
  try {
    return await fetchToken('token callback');
  } catch (error) {
    logEvent('error', `token refresh failed: ${error.message}`);
    throw error;
  }
}

function showCheck(result) {
  checks += 1;
  $('check-count').textContent = String(checks);
  const row = document.createElement('tr');
  row.dataset.status = result.status;
  const failed = result.error ? `${result.error.name} (${result.error.code}): ${result.error.message}` : '';
  const detail = result.status === 'Ok' ? `server time ${result.checkedAt}` : result.reason || failed;
  for (const [text, cls] of [[new Date().toLocaleTimeString()], [result.status, 'tag'], [detail]]) {
    const cell = document.createElement('td');
    cell.textContent = text;
    if (cls) cell.className = result.status === 'Ok' ? cls : `${cls} bad`;
    row.append(cell);
  }
  $('checks').prepend(row);
  while ($('checks').rows.length > MAX_ROWS) $('checks').deleteRow(-1);
  if (result.status === 'Ok') $('error').textContent = ''; // an earlier failure is over
  // The server lost the device (a restarted sandbox): the SDK registered it again.
  const shown = $('device-id').textContent;
  if (sdk.deviceId && shown.startsWith('dev_') && sdk.deviceId !== shown) {
    logEvent('registered', `the server no longer knew device ${shown}: the SDK registered it again as ${sdk.deviceId}`);
    $('device-id').textContent = sdk.deviceId;
    $('registered').dataset.registered = 'true';
    $('registered').textContent = 'yes: registered again (the server had lost the device)';
  }
}

/** An error for people: an ApiError with its status and the API's description, when it has one. */
function describe(error) {
  if (!isPartnerSdkError(error)) return String((error && error.message) || error);
  const body = error.code === 'API_ERROR' && error.body && typeof error.body === 'object' ? error.body : {};
  const said = typeof body.error_description === 'string' && body.error_description ? `: ${body.error_description}` : '';
  return `${error.name} (${error.code}): ${error.message}${said}`;
}

function showError(error) {
  $('error').textContent = describe(error);
}

const sdk = new SafeSDK({
  apiKey: 'demo-api-key',
  applicationId: 'demo-app',
  applicationVersion: '1.0.0',
  baseUrl: location.origin,
  onAccessTokenExpired: refreshToken,
  onTokenRefreshed: ({ reason, expiresAt }) => {
    tokenExpiresAt = expiresAt;
    logEvent('refreshed', `reason: ${reason}${expiresAt ? `; the new token expires at ${new Date(expiresAt * 1000).toLocaleTimeString()}` : ''}`);
  },
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

action('check-now', async () => showCheck(await sdk.check()));
action('toggle', () => setRunning(!running));
action('revoke', async () => {
  const response = await fetch('/__sandbox/revoke', { method: 'POST' }).catch((error) => {
    throw new Error(`the sandbox did not answer (${error.message}): is it still running?`);
  });
  if (!response.ok) throw new Error('test controls are off: start the sandbox with --test-controls');
  const { revoked } = await response.json();
  const what = `the sandbox revoked ${revoked} token${revoked === 1 ? '' : 's'} (all it had issued)`;
  // A token inside the refresh leeway is replaced before the next check (rule 6): no 401
  // then. The next periodic check may come up to one interval from now.
  const left = tokenExpiresAt === null ? Infinity : tokenExpiresAt - Date.now() / 1000;
  const ahead = running ? intervalMs / 1000 : 0;
  if (left - ahead > LEEWAY_SECONDS + 1) logEvent('revoked', `${what}; the next check sees a 401`);
  else if (left > LEEWAY_SECONDS - 1) logEvent('revoked', `${what}; the token reaches the ${LEEWAY_SECONDS} s refresh leeway around the next check: that check either refreshes it first (no 401) or sees a 401`);
  else logEvent('revoked', `${what}; the token is due for refresh anyway (inside the ${LEEWAY_SECONDS} s leeway): the SDK replaces it before the next check, so no 401`);
});

/** Registers (or finds) the device and starts the checks; on failure, says so with "Try again". */
async function boot() {
  $('unavailable').hidden = true;
  $('device-id').textContent = 'initializing…';
  try {
    const { deviceId, registered } = await sdk.initialize(await fetchToken('page load'));
    $('device-id').textContent = deviceId;
    $('registered').dataset.registered = String(registered);
    $('registered').textContent = registered ? 'yes: first visit in this browser profile' : 'no: already registered in this browser profile';
    $('interval').textContent = `${intervalMs / 1000} s`;
    showCheck(await sdk.check());
    setRunning(true);
    document.querySelectorAll('#check-now, #toggle, #revoke').forEach((b) => { b.disabled = false; });
    document.body.dataset.ready = 'true';
  } catch (error) {
    $('device-id').textContent = 'unavailable';
    $('load-error').textContent = `The device could not be registered or checked: ${describe(error)}`;
    $('unavailable').hidden = false;
    showError(error);
  }
}

$('retry').addEventListener('click', async () => {
  $('retry').disabled = true;
  $('error').textContent = '';
  await boot();
  $('retry').disabled = false;
  $(document.body.dataset.ready === 'true' ? 'check-now' : 'retry').focus();
});
await boot();
