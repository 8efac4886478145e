#!/usr/bin/env bash
# npm test: set-up, native tests (core + sandbox), in-browser tests in headless
# Chromium against a real sandbox, then the end-to-end suites.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

bash scripts/setup.sh
mkdir -p target   # the logs below live here; a fresh clone has no target/ yet

echo "== native tests: cargo test --workspace"
cargo test --workspace 2>&1 | tee target/native-tests.log
native=$(grep -Eo 'test result: ok\. [0-9]+ passed' target/native-tests.log | awk '{s+=$4} END {print s+0}')
echo "== native tests passed: $native"

echo "== build"
node scripts/build.mjs

# shellcheck source=scripts/sandbox.sh
source scripts/sandbox.sh
start_sandbox --test-controls
trap stop_sandbox EXIT

echo "== browser tests: wasm-pack test --headless --chrome (sandbox at $SANDBOX_URL)"
export SANDBOX_URL
WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-300} CHROMEDRIVER=/usr/bin/chromedriver \
  wasm-pack test --headless --chrome 2>&1 | tee target/browser-tests.log
browser=$(grep -Eo 'test result: ok\. [0-9]+ passed' target/browser-tests.log | awk '{s+=$4} END {print s+0}')
if [ "$browser" -eq 0 ]; then
  echo "FAIL: no browser test ran" >&2
  exit 1
fi
echo "== browser tests passed in headless Chromium: $browser"

if ls tests/e2e/*.test.mjs >/dev/null 2>&1; then
  echo "== end-to-end tests (Playwright + node:test)"
  node --test --test-concurrency=1 tests/e2e/
fi

if [ -f tests/types/usage.ts ]; then
  tsc_strict=(tsc --noEmit --strict --target es2022 --module esnext --moduleResolution bundler --skipLibCheck false)
  echo "== TypeScript: tsc --noEmit --strict"
  "${tsc_strict[@]}" tests/types/usage.ts
  echo "== TypeScript: the same with --exactOptionalPropertyTypes"
  "${tsc_strict[@]}" --exactOptionalPropertyTypes tests/types/usage.ts
  echo "== TypeScript: a Web Worker project (lib es2022 + webworker, no DOM types)"
  "${tsc_strict[@]}" --lib es2022,webworker tests/types/worker.ts
fi

echo "== all passed: $native native, $browser in-browser"
