#!/usr/bin/env bash
# npm run bench: build what is missing, start a release sandbox (test controls, bench pages
# at /, pkg/ at /pkg/) on a free loopback port, run bench/run.mjs, stop the sandbox.
# `bash scripts/bench.sh bench/profile-cpu.mjs` runs another driver the same way
# (`bash scripts/bench.sh scripts/size.mjs`: the page footprints against this sandbox).
set -euo pipefail
cd "$(dirname "$0")/.."

for f in partner-sdk.js checkout.js gatekeeper.js enrollment.js index.js errors.js checkout_bg.wasm gatekeeper_bg.wasm enrollment_bg.wasm; do
  if [ ! -f "pkg/$f" ]; then
    npm run build
    break
  fi
done
cargo build --release -q -p sandbox

log=$(mktemp)
./target/release/sandbox --port 0 --test-controls --www bench/www >"$log" 2>&1 &
SANDBOX_PID=$!
trap 'kill "$SANDBOX_PID" 2>/dev/null || true; wait "$SANDBOX_PID" 2>/dev/null || true; rm -f "$log"' EXIT

for _ in $(seq 1 100); do
  if head -n1 "$log" | grep -q '^listening on '; then break; fi
  sleep 0.1
done
if ! head -n1 "$log" | grep -q '^listening on '; then
  echo "sandbox did not start:" >&2
  cat "$log" >&2
  exit 1
fi
SANDBOX_URL=$(head -n1 "$log" | sed 's/^listening on //')
export SANDBOX_URL

node "${1:-bench/run.mjs}"
