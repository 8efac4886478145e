// Fresh apps for the "where it runs" matrix (tests/e2e/where-it-runs.test.mjs): each case
// copies a template from this folder into a new temp dir, gets its pinned devDependencies
// from a cache, and installs the packed tarball with npm like a partner would.
//
// Caches (all under target/e2e-apps/, safe to delete):
//   npm-cache/          one npm cache shared by every install (--cache)
//   deps-<name>-<hash>/ the template's devDependencies (pinned in its package.json and
//                       package-lock.json) installed once; <hash> covers both files and
//                       Node's major version, so a version bump reinstalls.
// A fresh app gets its node_modules as hard links of the cached one (cp -al: no copy,
// same filesystem as the system temp dir here, falls back to a real copy), then
// `npm install <tarball>` adds partner-sdk on top.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';

const here = new URL('.', import.meta.url).pathname;
export const root = new URL('../../..', import.meta.url).pathname;
export const cacheDir = process.env.PARTNER_SDK_E2E_CACHE || join(root, 'target/e2e-apps');
const npmCache = join(cacheDir, 'npm-cache');

const NPM_FLAGS = ['--no-audit', '--no-fund', '--no-update-notifier', '--loglevel=error', `--cache=${npmCache}`];

export function run(cmd, args, { cwd, env, timeout = 600_000 } = {}) {
  try {
    return execFileSync(cmd, args, {
      cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout, maxBuffer: 64 << 20,
      env: { ...process.env, NO_COLOR: '1', NEXT_TELEMETRY_DISABLED: '1', ...env },
    });
  } catch (e) {
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${e.stdout ?? ''}\n${e.stderr ?? ''}`.slice(-6000));
  }
}

export const npm = (args, cwd) => run('npm', [...args, ...NPM_FLAGS], { cwd });

const PACKED = ['pkg/index.js', 'pkg/index.node.js', 'pkg/checkout_bg.wasm', 'pkg/gatekeeper_bg.wasm', 'pkg/require.cjs'];

/**
 * `npm pack` of the repository into a fresh temp dir; returns the tarball's path. A pack
 * taken while `node scripts/build.mjs` rewrites pkg/ misses files: it waits and packs again.
 */
export async function pack() {
  const dir = mkdtempSync(join(tmpdir(), 'partner-sdk-pack-'));
  for (let attempt = 1; ; attempt += 1) {
    const [{ filename, files }] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', dir, '--loglevel=error'], { cwd: root }));
    const missing = PACKED.filter((f) => !files.some((x) => x.path === f));
    if (!missing.length) return join(dir, filename);
    if (attempt === 30) throw new Error(`npm pack: the tarball lacks ${missing.join(', ')} (run node scripts/build.mjs)`);
    await new Promise((r) => setTimeout(r, 5000));
  }
}

/** The template's devDependencies, installed once into target/e2e-apps/deps-<name>-<hash>/. */
export function cachedDeps(name) {
  const pkg = readFileSync(join(here, name, 'package.json'));
  const lockPath = join(here, name, 'package-lock.json');
  const lock = existsSync(lockPath) ? readFileSync(lockPath) : Buffer.alloc(0);
  const hash = createHash('sha256').update(pkg).update(lock).update(process.version.split('.')[0]).digest('hex').slice(0, 12);
  const dir = join(cacheDir, `deps-${name}-${hash}`);
  if (existsSync(join(dir, '.complete'))) return dir;
  const staging = `${dir}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  cpSync(join(here, name, 'package.json'), join(staging, 'package.json'));
  if (lock.length) cpSync(lockPath, join(staging, 'package-lock.json'));
  const deps = JSON.parse(pkg).devDependencies ?? {};
  // `npm install` (not `npm ci`) follows the committed lock; `npm ci` refuses the locks of
  // vite 8 and vitest, which miss a Windows-only optional dependency (npm/cli#4828).
  if (Object.keys(deps).length) npm(['install', '--prefer-offline'], staging);
  execFileSync('touch', [join(staging, '.complete')]);
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  return dir;
}

/**
 * A fresh app in a temp dir: the template `name` from tests/e2e/apps/ (copied over the
 * template `base`, if given), its cached node_modules, and the tarball installed with
 * `npm install`. Returns its path.
 */
export function freshApp(name, tarball, { base } = {}) {
  const deps = cachedDeps(name);
  const app = mkdtempSync(join(tmpdir(), `partner-sdk-${name}-`));
  if (base) cpSync(join(here, base), app, { recursive: true });
  cpSync(join(here, name), app, { recursive: true });
  if (existsSync(join(deps, 'package-lock.json'))) cpSync(join(deps, 'package-lock.json'), join(app, 'package-lock.json'));
  if (existsSync(join(deps, 'node_modules'))) {
    try {
      execFileSync('cp', ['-al', join(deps, 'node_modules'), join(app, 'node_modules')]);
    } catch {
      cpSync(join(deps, 'node_modules'), join(app, 'node_modules'), { recursive: true });
    }
  }
  npm(['install', '--prefer-offline', tarball], app);
  return app;
}

export async function freePort() {
  const server = createNetServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts a long-running command (a dev server) and resolves once `url` answers 200. */
export async function startServer(cmd, args, { cwd, url, env, timeout = 180_000 }) {
  const child = spawn(cmd, args, {
    cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
    env: { ...process.env, NO_COLOR: '1', NEXT_TELEMETRY_DISABLED: '1', BROWSER: 'none', ...env },
  });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
      await Promise.race([once(child, 'exit'), new Promise((r) => setTimeout(r, 5000))]);
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
    }
  };
  const deadline = Date.now() + timeout;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${cmd} ${args.join(' ')} exited with ${child.exitCode}:\n${log}`);
    try {
      if ((await fetch(url)).status === 200) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${cmd} ${args.join(' ')} did not answer at ${url}:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { stop, log: () => log };
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };

/** A tiny static server for a build's output folder on a free loopback port. */
export async function serveStatic(dir) {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    try {
      const body = readFileSync(join(dir, path === '/' ? 'index.html' : path));
      res.writeHead(200, { 'content-type': TYPES[extname(path || '.html')] || 'text/html' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  // close() also drops the connections the browser opened and never used (Chromium
  // preconnects a spare one): server.close() alone waits for them to time out (~100 s).
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((r) => { server.close(r); server.closeAllConnections(); }),
  };
}
