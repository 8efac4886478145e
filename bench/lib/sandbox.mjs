// The sandbox helpers of the bench drivers. A sandbox for `npm run size` run on its own (scripts/bench.sh starts its own and sets
// SANDBOX_URL): as scripts/sandbox.sh does, a debug build on a free loopback port, with
// the test controls (token mint) and the bench pages at / (pkg/ is always at /pkg/).
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** Starts the sandbox from the repo root `root`; resolves to `{ url, stop() }`. */
export async function startSandbox(root) {
  execFileSync('cargo', ['build', '-q', '-p', 'sandbox'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  const child = spawn('./target/debug/sandbox', ['--port', '0', '--test-controls', '--www', 'bench/www'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr = [];
  child.stderr.on('data', (chunk) => stderr.push(chunk));
  const lines = createInterface({ input: child.stdout });
  const stop = () => new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('sandbox did not start within 10 s')), 10_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      const match = /^listening on (\S+)/.exec(line);
      if (match) resolve(match[1]);
      else reject(new Error(`sandbox said: ${line}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sandbox exited (${code}): ${Buffer.concat(stderr).toString()}`));
    });
  }).catch(async (error) => {
    await stop();
    throw error;
  });
  lines.on('line', () => {}); // keep draining stdout
  return { url, stop };
}

/** A one-hour checkout token for `inv_1001`, minted by the sandbox at `url` (test controls on). */
export async function mintCheckoutToken(url) {
  const response = await fetch(`${url}/__sandbox/mint`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'checkout', invoiceId: 'inv_1001', ttl: 3600 }),
  });
  return (await response.json()).token;
}
