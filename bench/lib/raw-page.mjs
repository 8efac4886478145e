// A page driven over a bare DevTools connection: only `Runtime` is used, so Chromium runs
// without the instrumentation Playwright switches on for every page (the `Network` domain
// records each request and the JS stack that started it). For measuring what a shopper's
// browser would see; pages with problems are not checked here, unlike lib/browser.mjs.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const ARGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
];

/**
 * Opens `url` in a fresh Chromium and returns `{ evaluate(fn, arg), close() }`; `evaluate`
 * runs `fn(arg)` in the page (awaited, result returned by value).
 */
export async function openRawPage(url) {
  const profile = mkdtempSync(join(tmpdir(), 'raw-page-'));
  const chromium = spawn('/usr/bin/chromium', [...ARGS, `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank'], { stdio: 'ignore' });
  let port;
  for (let i = 0; i < 200 && !port; i += 1) {
    try { port = readFileSync(join(profile, 'DevToolsActivePort'), 'utf8').split('\n')[0]; } catch { await sleep(50); }
  }
  if (!port) throw new Error('chromium did not open its DevTools port');
  const target = await (await fetch(`http://127.0.0.1:${port}/json/new?${encodeURI(url)}`, { method: 'PUT' })).json();
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => { socket.onopen = resolve; socket.onerror = reject; });
  let next = 0;
  const pending = new Map();
  socket.onmessage = ({ data }) => {
    const message = JSON.parse(data);
    const waiter = pending.get(message.id);
    if (waiter) { pending.delete(message.id); waiter(message); }
  };
  const send = (method, params) => new Promise((resolve, reject) => {
    const id = ++next;
    pending.set(id, (m) => (m.error ? reject(new Error(m.error.message)) : resolve(m.result)));
    socket.send(JSON.stringify({ id, method, params }));
  });
  const evaluate = async (fn, arg) => {
    const { result, exceptionDetails } = await send('Runtime.evaluate', {
      expression: `(${fn})(${JSON.stringify(arg)})`, awaitPromise: true, returnByValue: true,
    });
    if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
    return result.value;
  };
  // Wait for the page to load its scripts.
  for (let i = 0; i < 200; i += 1) {
    if (await evaluate(() => document.readyState === 'complete' && window.bench !== undefined).catch(() => false)) break;
    await sleep(50);
  }
  return {
    evaluate,
    async close() {
      socket.close();
      chromium.kill();
      await new Promise((resolve) => chromium.once('exit', resolve));
      // Its helper processes may still be writing there for a moment.
      await sleep(200);
      try { rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }); } catch { /* left in tmp */ }
    },
  };
}
