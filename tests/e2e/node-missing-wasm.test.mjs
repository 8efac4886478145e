// Node: an entry whose .wasm is not beside it (a server bundle that copied only the JS)
// fails with a NetworkError that names the path it read and the way out; init() reads a
// file: URL; an uncaught error prints readable source lines.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const pkg = join(import.meta.dirname, '..', '..', 'pkg');

/**
 * Runs `script` (an ES module body) in a fresh Node process, in a temporary directory
 * holding pkg/checkout.node.js and pkg/errors.node.js but no .wasm; returns what it printed
 * as JSON, and the directory it ran in.
 */
function runWithoutWasm(script) {
  const dir = mkdtempSync(join(tmpdir(), 'partner-sdk-no-wasm-'));
  try {
    for (const file of ['checkout.node.js', 'errors.node.js']) copyFileSync(join(pkg, file), join(dir, file));
    const out = JSON.parse(execFileSync('node', ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8' }));
    return { out, dir };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('Node: a missing .wasm rejects ready and create() with NetworkError naming the file', () => {
  const { out, dir } = runWithoutWasm(`
    const { ready, AlternativeClient, NetworkError } = await import('./checkout.node.js');
    const outcome = (p) => p.then(() => 'resolved', (e) => [e instanceof NetworkError, e.code, e.message]);
    console.log(JSON.stringify({
      ready: await outcome(ready),
      create: await outcome(AlternativeClient.create({ accessToken: 'a.b.c', baseUrl: 'https://api.example' })),
    }));`);
  const path = join(dir, 'checkout_bg.wasm');
  for (const [what, got] of Object.entries(out)) {
    assert.equal(got[0], true, `${what}: a NetworkError`);
    assert.equal(got[1], 'NETWORK_ERROR', what);
    assert.equal(
      got[2],
      `partner-sdk could not load its wasm module: no file at ${path} (ship the package's .wasm beside the entry, or pass its bytes to init())`,
      what,
    );
  }
});

// A page's own source that rejects with something hostile (getters that throw, a revoked
// Proxy) still ends as a NetworkError, with the plain message: the loader asks it nothing
// that could throw past it.
test('Node: init() with a source rejecting a hostile value rejects NetworkError, not the value\'s own throw', () => {
  const { out } = runWithoutWasm(`
    const { ready, init, NetworkError } = await import('./checkout.node.js');
    await ready.catch(() => {});
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const getters = { get code() { throw new Error('getter'); }, get path() { throw new Error('getter'); } };
    const out = {};
    for (const [what, value] of [['getters', getters], ['revoked Proxy', proxy]]) {
      out[what] = await init(Promise.reject(value)).then(
        () => 'resolved',
        (e) => [e instanceof NetworkError, e.code, e.message],
      );
    }
    console.log(JSON.stringify(out));`);
  for (const [what, got] of Object.entries(out)) {
    assert.deepEqual(got, [true, 'NETWORK_ERROR', 'partner-sdk could not load its wasm module'], what);
  }
});

// Node's own fetch cannot read a file: URL; init() reads it from disk, with the pin.
test('Node: init() with a file: URL (a URL or its string) reads the .wasm from disk; a missing file is named, other bytes are INTEGRITY_MISMATCH', () => {
  const wasm = join(pkg, 'checkout_bg.wasm');
  const { out, dir } = runWithoutWasm(`
    import { pathToFileURL } from 'node:url';
    import { writeFileSync } from 'node:fs';
    const { init, ready, AlternativeClient } = await import('./checkout.node.js');
    await ready.catch(() => {});
    const outcome = (p) => p.then(() => 'resolved', (e) => [e.name, e.code, e.message]);
    writeFileSync('other.wasm', Uint8Array.from([0, 97, 115, 109, 1, 0, 0, 0]));
    const out = {
      missing: await outcome(init(pathToFileURL('nowhere.wasm'))),
      other: await outcome(init(pathToFileURL('other.wasm').href)),
      url: await outcome(init(pathToFileURL(${JSON.stringify(wasm)}))),
    };
    const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const token = [b64({ alg: 'HS256', typ: 'JWT' }), b64({ exp: Math.floor(Date.now() / 1000) + 3600 }), 'c2ln'].join('.');
    const client = await AlternativeClient.create({ accessToken: token, baseUrl: 'https://api.example' });
    out.expiresAt = typeof client.expiresAt;
    client.destroy();
    console.log(JSON.stringify(out));`);
  assert.deepEqual(out.missing, ['NetworkError', 'NETWORK_ERROR',
    `partner-sdk could not load its wasm module: no file at ${join(dir, 'nowhere.wasm')} (ship the package's .wasm beside the entry, or pass its bytes to init())`]);
  assert.deepEqual(out.other.slice(0, 2), ['NetworkError', 'INTEGRITY_MISMATCH']);
  assert.equal(out.url, 'resolved');
  assert.equal(out.expiresAt, 'number', 'create() works on the module read from the file: URL');
});

// Node prints the source line an uncaught error was made on: the Node builds are not
// minified, so that line is code a developer can read, not kilobytes of one line.
test('Node: an uncaught SDK error prints its name and short source lines', () => {
  const script = `
    const { AlternativeClient } = await import(${JSON.stringify(new URL('../../pkg/checkout.node.js', import.meta.url).href)});
    await AlternativeClient.create({ accessToken: 'not-a-jwt', baseUrl: 'https://api.example' });`;
  const run = spawnSync('node', ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.notEqual(run.status, 0);
  assert.match(run.stderr, /InvalidAccessTokenFormat/);
  const longest = Math.max(...run.stderr.split('\n').map((line) => line.length));
  assert.ok(longest < 300, `the longest line Node printed has ${longest} characters:\n${run.stderr.slice(0, 600)}`);
});

// After the load, init(source) keeps the module and resolves at once; a promise it was
// given that rejects later is no unhandled rejection (Node would end the process).
test('Node: init() after the load with a promise that rejects later leaves no unhandled rejection; init(DataView) loads', () => {
  const wasm = join(pkg, 'checkout_bg.wasm');
  const entry = JSON.stringify(new URL('../../pkg/checkout.node.js', import.meta.url).href);
  const late = spawnSync('node', ['--input-type=module', '-e', `
    const { ready, init } = await import(${entry});
    await ready;
    const source = new Promise((resolve, reject) => setTimeout(() => reject(new Error('no such host')), 50));
    await init(source);
    await new Promise((resolve) => setTimeout(resolve, 200));
    console.log('still running');`], { encoding: 'utf8' });
  assert.equal(late.status, 0, late.stderr);
  assert.equal(late.stdout.trim(), 'still running');

  const { out } = runWithoutWasm(`
    import { readFileSync } from 'node:fs';
    const { ready, init } = await import('./checkout.node.js');
    await ready.catch(() => {});
    const bytes = readFileSync(${JSON.stringify(wasm)});
    // A view into a larger buffer, at an offset.
    const buffer = new ArrayBuffer(bytes.length + 16);
    new Uint8Array(buffer, 8, bytes.length).set(bytes);
    console.log(JSON.stringify(await init(new DataView(buffer, 8, bytes.length)).then(() => 'resolved', (e) => [e.code, e.message])));`);
  assert.equal(out, 'resolved');
});

// Server rendering, vitest: every Node entry loads where there is no DOM.
test('Node: every entry imports and makes its classes without a DOM', () => {
  const out = {};
  for (const entry of ['index', 'checkout', 'gatekeeper', 'enrollment']) {
    const url = JSON.stringify(new URL(`../../pkg/${entry}.node.js`, import.meta.url).href);
    const run = spawnSync('node', ['--input-type=module', '-e', `
      const m = await import(${url});
      await m.ready;
      console.log(JSON.stringify(['AlternativeClient', 'SafeSDK', 'CardEnrollment'].filter((k) => typeof m[k] === 'function')));`], { encoding: 'utf8' });
    out[entry] = run.status === 0 ? JSON.parse(run.stdout) : run.stderr.split('\n').find((l) => /Error/.test(l));
  }
  assert.deepEqual(out, {
    index: ['AlternativeClient', 'SafeSDK', 'CardEnrollment'],
    checkout: ['AlternativeClient'],
    gatekeeper: ['SafeSDK'],
    enrollment: ['CardEnrollment'],
  });
});

// A module whose own URL cannot locate a file (a `data:` or `blob:` module, a CommonJS
// bundle without `import.meta.url`): importing it must not throw; `ready` rejects with a
// NetworkError saying what to do, and init() with the bytes still loads the wasm.
test('an entry whose own URL locates nothing imports, rejects ready with NetworkError, and loads from init(bytes)', async () => {
  const { build } = await import('esbuild');
  const bundle = await build({ entryPoints: [join(pkg, 'checkout.js')], bundle: true, format: 'esm', write: false, logLevel: 'silent' });
  const source = `data:text/javascript;base64,${Buffer.from(bundle.outputFiles[0].contents).toString('base64')}`;
  const script = `
    const { readFileSync } = await import('node:fs');
    const sdk = await import(${JSON.stringify(source)});
    const out = {};
    await sdk.ready.then(() => { out.ready = 'resolved'; }, (e) => { out.ready = [e instanceof sdk.NetworkError, e.code, e.message]; });
    await sdk.init(readFileSync(${JSON.stringify(join(pkg, 'checkout_bg.wasm'))}));
    const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const jwt = [b64({ alg: 'HS256', typ: 'JWT' }), b64({ sub: 'x', exp: 4102444800 }), 'c2lnbmF0dXJlLW9mLXNvbWUtbGVuZ3Ro'].join('.');
    const client = await sdk.AlternativeClient.create({ accessToken: jwt, baseUrl: 'https://api.example' });
    out.expiresAt = client.expiresAt;
    client.destroy();
    console.log(JSON.stringify(out));`;
  const out = JSON.parse(execFileSync('node', ['--input-type=module', '-e', script], { encoding: 'utf8' }));
  assert.deepEqual(out, {
    ready: [true, 'NETWORK_ERROR', "partner-sdk could not load its wasm module: this entry's own URL cannot locate the .wasm (pass its URL or bytes to init())"],
    expiresAt: 4102444800,
  });
});
