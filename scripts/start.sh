#!/usr/bin/env bash
# npm start: set-up, build pkg/, then the sandbox with short token lifetimes on
# $PORT (default 8787) serving the demo pages. Ctrl-C stops it.
#
# Lifetimes: 60 s tokens with the SDK's 30 s leeway are due 30 s after they are issued,
# so the demo shows a proactive refresh within a minute while requests made in the
# first 30 s of a token's life go out without one.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
PORT="${PORT:-8787}"

bash scripts/setup.sh
node scripts/build.mjs
cargo build --release -q -p sandbox

# The card form is served by the vendor's origin, a second port, as in production.
cargo run --release -q -p sandbox -- --port "$PORT" --vendor-port "$((PORT + 1))" --test-controls \
  --checkout-ttl 60 --gatekeeper-ttl 60 --enrollment-ttl 60 |
  while IFS= read -r line; do
    printf '%s\n' "$line"
    if [[ "$line" == "listening on "* ]]; then
      url="${line#listening on }"
      printf '\n  Checkout, script tag:  %s/\n  Checkout, ES module:   %s/esm.html\n  Gatekeeper (SafeSDK):  %s/gatekeeper.html\n  Card enrollment:       %s/enrollment.html\n  Pinned script tag:     %s/pinned.html\n  Trusted Types:         %s/trusted-types.html\n\n' "$url" "$url" "$url" "$url" "$url" "$url"
    fi
  done
