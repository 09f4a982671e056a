# Shared helpers for the e2e scripts: start the real modelpressd on free loopback ports,
# wait for it, and stop it. Source it; it sets BIN, BUF, PORT, METRICS_PORT, SERVER_PID.
set -euo pipefail

SOURCE_DIR="${MODELPRESS_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
BINARY_DIR="${MODELPRESS_BINARY_DIR:-$SOURCE_DIR/build}"
BIN="$BINARY_DIR/bin"
BUF="$SOURCE_DIR/tests/e2e/node_modules/.bin/buf"
WORK_DIR="$(mktemp -d)"
SERVER_LOG="$WORK_DIR/modelpressd.log"

fail() { echo "FAIL: $*" >&2; echo "--- server log ---" >&2; cat "$SERVER_LOG" >&2 || true; exit 1; }
pass() { echo "ok: $*"; }

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Starts modelpressd with any extra flags given; waits until liveness answers SERVING.
start_server() {
  PORT="$(free_port)"
  METRICS_PORT="$(free_port)"
  "$BIN/modelpressd" --host=127.0.0.1 --port="$PORT" --metrics_host=127.0.0.1 \
    --metrics_port="$METRICS_PORT" --data_dir="$WORK_DIR/data" --drain_seconds=5 "$@" \
    >"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    if "$BIN/modelpress" --target="127.0.0.1:$PORT" --deadline_seconds=1 health >/dev/null 2>&1; then
      return 0
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || fail "modelpressd exited during start-up"
    sleep 0.1
  done
  fail "modelpressd did not become healthy"
}

stop_server() {
  if [ -n "${SERVER_PID:-}" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" || true
  fi
}

cleanup() { stop_server; rm -rf "$WORK_DIR"; }
trap cleanup EXIT

bufcurl() {
  "$BUF" curl --protocol grpc --http2-prior-knowledge "$@"
}
