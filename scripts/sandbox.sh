# Sourced by the test and bench scripts: start and stop a sandbox on a free port.
# Sets SANDBOX_URL and SANDBOX_PID.

start_sandbox() {
  cargo build -q -p sandbox
  local log
  log=$(mktemp)
  ./target/debug/sandbox --port 0 "$@" >"$log" 2>&1 &
  SANDBOX_PID=$!
  for _ in $(seq 1 100); do
    if head -n1 "$log" | grep -q '^listening on '; then
      SANDBOX_URL=$(head -n1 "$log" | sed 's/^listening on //')
      export SANDBOX_URL SANDBOX_PID
      return 0
    fi
    sleep 0.1
  done
  echo "sandbox did not start:" >&2
  cat "$log" >&2
  return 1
}

stop_sandbox() {
  if [ -n "${SANDBOX_PID:-}" ]; then
    kill "$SANDBOX_PID" 2>/dev/null || true
    wait "$SANDBOX_PID" 2>/dev/null || true
  fi
}
