#!/usr/bin/env bash
# SparseGPT, C++ (modelpress_bench) against the same algorithm in numpy
# (bench/sparsegpt_numpy.py, Debian's numpy), on the same 4096 x 4096 layer with 2048
# calibration rows, measured in one run. Prints medians and whether the outputs agree.
#
# Usage: bench/compare_sparsegpt.sh [BUILD_DIR] [SIZE]   (defaults: build, 4096)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="${1:-$here/../build}"
size="${2:-4096}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT

/usr/bin/python3 - "$dir" "$size" <<'PY'
import sys, numpy as np
d, n = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(0)
np.save(f"{d}/w.npy", rng.standard_normal((n, n), dtype=np.float32))
# Correlated calibration inputs with uneven channel scales, as real layers have.
x = rng.standard_normal((n // 2, n), dtype=np.float32)
x[:, ::16] *= 8.0
np.save(f"{d}/x.npy", x)
PY

echo "== C++ (modelpress_bench, 3 repetitions each, 1 and 2 threads)"
MODELPRESS_SPARSEGPT_DIR="$dir" "$build/bin/modelpress_bench" \
  --benchmark_filter='BM_SecondOrderSparseGptFromNpy' 2>&1 | grep -E 'median|ERROR'

echo "== numpy (3 runs; median)"
for i in 1 2 3; do /usr/bin/python3 "$here/sparsegpt_numpy.py" "$dir"; done | tee "$dir/numpy.jsonl"

/usr/bin/python3 - "$dir" <<'PY'
import json, sys, numpy as np
d = sys.argv[1]
runs = [json.loads(l) for l in open(f"{d}/numpy.jsonl")]
print("numpy median total_s: %.2f" % np.median([r["total_s"] for r in runs]))
ref = np.load(f"{d}/w_numpy.npy")
for t in (1, 2):
    cpp = np.load(f"{d}/w_cpp_t{t}.npy")
    same_mask = np.mean((cpp == 0) == (ref == 0))
    rel = np.linalg.norm(cpp - ref) / np.linalg.norm(ref)
    print(f"threads {t}: mask agreement {same_mask:.6f}, ||W_cpp - W_numpy|| / ||W_numpy|| = {rel:.2e}")
PY
