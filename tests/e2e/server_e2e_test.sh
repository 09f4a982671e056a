#!/usr/bin/env bash
# The real modelpressd, poked only by independent tools: buf curl through server
# reflection (no proto files), curl + promtool on /metrics, then SIGTERM and a clean exit.
source "$(dirname "$0")/lib.sh"

[ -x "$BUF" ] || fail "buf not installed; run deploy/install-deps.sh"
start_server --log_format=json
URL="http://127.0.0.1:$PORT"

# Health through reflection-described grpc.health.v1.
out="$(bufcurl --data '{"service": ""}' "$URL/grpc.health.v1.Health/Check")" || fail "health: $out"
grep -q '"SERVING"' <<<"$out" || fail "liveness not SERVING: $out"
out="$(bufcurl --data '{"service": "modelpress.v1.CompressionService"}' \
  "$URL/grpc.health.v1.Health/Check")" || fail "readiness: $out"
grep -q '"SERVING"' <<<"$out" || fail "readiness not SERVING: $out"
pass "health: liveness and readiness SERVING"

# Reflection lists the service and its methods.
services="$(bufcurl --list-services "$URL")" || fail "list-services: $services"
grep -qx 'modelpress.v1.CompressionService' <<<"$services" || fail "service missing: $services"
methods="$(bufcurl --list-methods "$URL")" || fail "list-methods: $methods"
for m in QuantizeTensor DequantizeTensor PruneTensor CreateJob GetJob ListJobs WatchJob \
         CancelJob DeleteJob DownloadArtifact; do
  grep -qx "modelpress.v1.CompressionService/$m" <<<"$methods" || fail "method $m missing"
done
pass "reflection lists CompressionService and its 10 methods"

# The hand-checked example from docs/API.md.
out="$(bufcurl --data '{
  "tensor": {"name": "w", "dtype": "DATA_TYPE_FLOAT32", "shape": [2, 3],
             "floatData": [-1.0, 0.5, 2.54, 0.25, -1.27, 0.5]},
  "spec": {"granularity": "GRANULARITY_PER_CHANNEL", "axis": 0}
}' "$URL/modelpress.v1.CompressionService/QuantizeTensor")" || fail "QuantizeTensor: $out"
/usr/bin/python3 - "$out" <<'PY' || fail "QuantizeTensor answer wrong: $out"
import base64, json, sys
r = json.loads(sys.argv[1])
codes = [b - 256 if b > 127 else b for b in base64.b64decode(r["quantized"]["rawData"])]
assert codes == [-50, 25, 127, 25, -127, 50], codes
assert [round(s, 6) for s in r["scales"]] == [0.02, 0.01], r["scales"]
assert r["paramsShape"] == ["2"], r["paramsShape"]
assert r["error"]["tensor"].get("maxAbsError", 0) < 1e-6, r["error"]  # 0 is omitted in JSON
PY
pass "QuantizeTensor via buf curl returns the hand-checked codes and scales"

# A bad request: clear INVALID_ARGUMENT naming the field (buf curl exits with code << 3).
set +e
out="$(bufcurl --data '{"tensor": {"dtype": "DATA_TYPE_FLOAT32", "shape": [2], "floatData": [1]}}' \
  "$URL/modelpress.v1.CompressionService/QuantizeTensor" 2>&1)"
rc=$?
set -e
[ "$rc" -eq $((3 << 3)) ] || fail "expected INVALID_ARGUMENT exit code 24, got $rc: $out"
grep -q 'tensor.float_data has 1 values' <<<"$out" || fail "message does not name the field: $out"
pass "bad request -> invalid_argument naming tensor.float_data"

# /metrics: valid Prometheus text (promtool), with the calls counted.
metrics="$(curl -sf "http://127.0.0.1:$METRICS_PORT/metrics")" || fail "metrics scrape"
promtool check metrics <<<"$metrics" >"$WORK_DIR/promtool.txt" 2>&1 || {
  # promtool also prints lint hints (exit 3) that are not format errors; only fail on errors.
  grep -qi "error" "$WORK_DIR/promtool.txt" && fail "promtool: $(cat "$WORK_DIR/promtool.txt")"
}
grep -q '^grpc_server_handled_total{grpc_code="OK",grpc_method="QuantizeTensor",grpc_service="modelpress.v1.CompressionService",grpc_type="unary"} 1' <<<"$metrics" \
  || fail "QuantizeTensor OK not counted: $(grep grpc_server_handled_total <<<"$metrics")"
grep -q 'grpc_code="InvalidArgument",grpc_method="QuantizeTensor"' <<<"$metrics" \
  || fail "InvalidArgument not counted"
grep -q '^modelpress_build_info{version="' <<<"$metrics" || fail "build_info missing"
grep -q '^grpc_server_handling_seconds_bucket{' <<<"$metrics" || fail "handling histogram missing"
pass "/metrics is valid Prometheus text and counted the calls"

# SIGTERM: drain, then exit 0.
kill -TERM "$SERVER_PID"
set +e
wait "$SERVER_PID"
rc=$?
set -e
SERVER_PID=""
[ "$rc" -eq 0 ] || fail "modelpressd exited with $rc after SIGTERM"
grep -q '"event":"drain_started"' "$SERVER_LOG" || fail "no drain_started log line"
grep -q '"event":"exit"' "$SERVER_LOG" || fail "no exit log line"
/usr/bin/python3 -c '
import json, sys
for line in open(sys.argv[1]):
    json.loads(line)
' "$SERVER_LOG" || fail "log is not one JSON object per line"
pass "SIGTERM -> drain -> exit 0, JSON logs"
echo "server_e2e: all checks passed"
