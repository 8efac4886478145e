#!/usr/bin/env bash
# npm run loadtest: two bounded wrk runs against a release sandbox on loopback.
#   1. GET /v1/invoices/inv_1001 with a valid checkout token (the protected endpoint);
#   2. POST /oauth/token with good client credentials (JSON body).
# Each run: 2 threads, 64 connections, 10 s (override with LOADTEST_DURATION=5s etc.).
# Prints requests/s and errors (status >= 400 + socket errors) for both, then stops the
# sandbox. Never leaves loopback.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${LOADTEST_DURATION:-10s}
WRK=${WRK:-wrk}
if ! command -v "$WRK" >/dev/null && [ "$WRK" = wrk ]; then
  echo "[loadtest] installing the Debian wrk package"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk
fi
command -v "$WRK" >/dev/null || { echo "loadtest: wrk not found (apt-get install wrk)" >&2; exit 1; }
command -v curl >/dev/null || { echo "loadtest: curl not found" >&2; exit 1; }

echo "== build: cargo build --release -p sandbox"
cargo build -q --release -p sandbox

work=$(mktemp -d)
SANDBOX_PID=
cleanup() {
  if [ -n "$SANDBOX_PID" ]; then
    kill "$SANDBOX_PID" 2>/dev/null || true
    wait "$SANDBOX_PID" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

./target/release/sandbox --port 0 --host 127.0.0.1 --test-controls >"$work/sandbox.log" 2>&1 &
SANDBOX_PID=$!
URL=
for _ in $(seq 1 100); do
  if head -n1 "$work/sandbox.log" | grep -q '^listening on '; then
    URL=$(head -n1 "$work/sandbox.log" | sed 's/^listening on //')
    break
  fi
  sleep 0.1
done
if [ -z "$URL" ]; then
  echo "loadtest: the sandbox did not start:" >&2
  cat "$work/sandbox.log" >&2
  exit 1
fi
case "$URL" in
  http://127.0.0.1:*) ;;
  *) echo "loadtest: refusing a non-loopback URL: $URL" >&2; exit 1 ;;
esac
echo "== sandbox (release) at $URL"

# A checkout token valid for longer than the run.
TOKEN=$(curl -fsS -X POST -H 'content-type: application/json' \
  -d '{"kind":"checkout","invoiceId":"inv_1001","ttl":3600}' "$URL/__sandbox/mint" |
  sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[ -n "$TOKEN" ] || { echo "loadtest: could not mint a token" >&2; exit 1; }
curl -fsS -o /dev/null -H "authorization: Bearer $TOKEN" "$URL/v1/invoices/inv_1001"

# Shared Lua: one machine-readable line at the end of each run. wrk counts
# status >= 400 as errors.status; connect/read/write/timeout are socket errors.
cat >"$work/report.lua" <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  local socket = e.connect + e.read + e.write + e.timeout
  io.write(string.format("RESULT requests=%d rps=%.0f status_errors=%d socket_errors=%d p50_ms=%.2f p99_ms=%.2f\n",
    summary.requests, summary.requests / (summary.duration / 1e6), e.status, socket,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA
# The token endpoint needs a POST with a JSON body: wrk takes that from Lua.
{
  echo 'wrk.method = "POST"'
  echo 'wrk.headers["Content-Type"] = "application/json"'
  echo "wrk.body = '{\"client_id\":\"api_client_dev\",\"client_secret\":\"api_secret_dev\",\"grant_type\":\"client_credentials\"}'"
  cat "$work/report.lua"
} >"$work/token.lua"

run() {
  local label=$1
  shift
  echo
  echo "== $label: $WRK -t2 -c64 -d$DURATION ... (token not printed)"
  "$WRK" -t2 -c64 -d"$DURATION" "$@" | tee "$work/out.txt"
  grep '^RESULT ' "$work/out.txt" | sed "s|^RESULT |$label: |" >>"$work/summary.txt"
}

run "GET /v1/invoices/inv_1001" -s "$work/report.lua" \
  -H "Authorization: Bearer $TOKEN" "$URL/v1/invoices/inv_1001"
run "POST /oauth/token" -s "$work/token.lua" "$URL/oauth/token"

echo
echo "== summary (errors = status >= 400, socket = connect/read/write/timeout)"
cat "$work/summary.txt"
if grep -qvE 'status_errors=0 socket_errors=0' "$work/summary.txt"; then
  echo "loadtest: errors under load" >&2
  exit 1
fi
