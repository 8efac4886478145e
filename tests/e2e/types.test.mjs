// Every export and method of the built JS is typed, and nothing typed is missing from
// the build. For each ES module entry (pkg/index.js, pkg/checkout.js, pkg/gatekeeper.js,
// and the *.node.js and *.embedded.js builds of the same entries), the runtime exports,
// and the prototype methods, getters and static methods of AlternativeClient and
// SafeSDK, are compared with what the shipped .d.ts declares, read with the TypeScript
// compiler API.
//
// Runs in Node without a browser or a sandbox: listing exports and prototypes needs no
// wasm (the browser builds cannot fetch their .wasm from a file: URL, which their
// loaders tolerate; the *.node.js builds read it from disk, the *.embedded.js builds carry
// it). Needs `npm run build`.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = join(root, 'pkg');

// What the build may have without a type, on purpose. Anything else untyped fails.
const UNTYPED_MEMBERS = new Set([
  'constructor', // every prototype has it; the .d.ts declares constructors apart
  '__send', // AlternativeClient's one request export; js/alternative.js defines the typed methods over it
  'free', // wasm-bindgen: frees the Rust value (destroy() is the public way)
  '__destroy_into_raw', // wasm-bindgen internal
]);
const UNTYPED_STATICS = new Set([
  'length', 'name', 'prototype', // every function has them
  '__wrap', // wasm-bindgen internal: wraps a Rust pointer returned by create()
]);
// wasm-bindgen aliases `free` as [Symbol.dispose] where the runtime has it. No other
// symbol-keyed member may exist untyped (the check below fails on one).
const UNTYPED_SYMBOLS = new Set([Symbol.dispose].filter(Boolean));

const ENTRIES = ['index', 'checkout', 'gatekeeper', 'enrollment'];
const CLASSES = ['AlternativeClient', 'SafeSDK'];

// ---- what the .d.ts files declare ----------------------------------------------------

// No lib files: only the names the .d.ts files declare matter here, not whether DOM
// types such as `Response` resolve (tests/types/usage.ts type-checks them for real), and
// parsing lib.dom.d.ts would take most of this test's time.
const program = ts.createProgram(ENTRIES.map((e) => join(pkg, `${e}.d.ts`)), {
  noEmit: true,
  noLib: true,
  types: [],
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
});
const checker = program.getTypeChecker();

/** `method` or `getter` for a declared member (a readonly property is what a getter is typed as). */
function declaredKind(symbol) {
  if (symbol.flags & ts.SymbolFlags.Method) return 'method';
  if (symbol.flags & (ts.SymbolFlags.Property | ts.SymbolFlags.GetAccessor)) return 'getter';
  return `other (flags ${symbol.flags})`;
}

function members(symbols, skip = () => false) {
  return Object.fromEntries(symbols.filter((s) => !skip(s)).map((s) => [s.name, declaredKind(s)]).sort());
}

/**
 * The value exports of one .d.ts: name → `function` (a class or a function) or `value`,
 * and its classes' members.
 */
function declared(entry) {
  const file = program.getSourceFile(join(pkg, `${entry}.d.ts`));
  assert.ok(file, `pkg/${entry}.d.ts is missing: run npm run build`);
  const exports = {};
  const classes = {};
  for (const symbol of checker.getExportsOfModule(checker.getSymbolAtLocation(file))) {
    const typeOnly = symbol.declarations?.some((d) => ts.isTypeOnlyImportOrExportDeclaration(d));
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    if (typeOnly || !(target.flags & ts.SymbolFlags.Value)) continue;
    const callable = target.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Function);
    exports[symbol.name] = callable ? 'function' : 'value';
    if (CLASSES.includes(symbol.name)) {
      const declaration = target.valueDeclaration;
      classes[symbol.name] = {
        prototype: members(checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(target))),
        statics: members(
          checker.getPropertiesOfType(checker.getTypeOfSymbolAtLocation(target, declaration)),
          (s) => s.name === 'prototype',
        ),
      };
    }
  }
  return { exports: Object.fromEntries(Object.entries(exports).sort()), classes };
}

// ---- what the build has --------------------------------------------------------------

function runtimeKind(descriptor) {
  if (descriptor.get) return 'getter';
  if (typeof descriptor.value === 'function') return 'method';
  return `other (${typeof descriptor.value})`;
}

function ownMembers(target, untyped) {
  const out = {};
  for (const key of Reflect.ownKeys(target)) {
    if (typeof key === 'symbol') {
      assert.ok(UNTYPED_SYMBOLS.has(key), `untyped symbol member ${String(key)}`);
      continue;
    }
    if (!untyped.has(key)) out[key] = runtimeKind(Object.getOwnPropertyDescriptor(target, key));
  }
  return Object.fromEntries(Object.entries(out).sort());
}

async function built(file) {
  const module = await import(pathToFileURL(join(pkg, file)).href);
  const exports = {};
  const classes = {};
  for (const [name, value] of Object.entries(module).sort()) {
    exports[name] = typeof value === 'function' ? 'function' : 'value';
    if (CLASSES.includes(name)) {
      classes[name] = { prototype: ownMembers(value.prototype, UNTYPED_MEMBERS), statics: ownMembers(value, UNTYPED_STATICS) };
    }
  }
  return { exports, classes };
}

// ---- the comparison ------------------------------------------------------------------

for (const entry of ENTRIES) {
  for (const file of [`${entry}.js`, `${entry}.node.js`, `${entry}.embedded.js`]) {
    test(`pkg/${file} has exactly what pkg/${entry}.d.ts declares`, async (t) => {
      if (!existsSync(join(pkg, file))) {
        assert.ok(file.endsWith('.node.js'), `pkg/${file} is missing: run npm run build`);
        t.skip(`no pkg/${file} in this build`);
        return;
      }
      const types = declared(entry);
      const build = await built(file);
      assert.deepEqual(Object.keys(build.exports), Object.keys(types.exports), 'export names (build, then types)');
      assert.deepEqual(build.exports, types.exports, 'export kinds: function (a class or a function) or value');
      assert.deepEqual(Object.keys(build.classes).sort(), Object.keys(types.classes).sort());
      for (const name of Object.keys(types.classes)) {
        assert.deepEqual(build.classes[name].prototype, types.classes[name].prototype, `${name}: methods and getters`);
        assert.deepEqual(build.classes[name].statics, types.classes[name].statics, `${name}: static methods`);
      }
    });
  }
}

test('the check sees what it must: both classes and their request methods', () => {
  const types = declared('index');
  assert.deepEqual(Object.keys(types.classes).sort(), [...CLASSES].sort());
  for (const method of ['request', 'get', 'post', 'put', 'patch', 'delete', 'setAccessToken', 'destroy']) {
    assert.equal(types.classes.AlternativeClient.prototype[method], 'method', method);
  }
  assert.equal(types.classes.AlternativeClient.prototype.claims, 'getter');
  assert.equal(types.classes.AlternativeClient.statics.create, 'method');
  assert.equal(types.classes.SafeSDK.prototype.deviceId, 'getter');
});
