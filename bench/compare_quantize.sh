#!/bin/bash
# Runs the quantization benchmarks and the numpy / onnxruntime baselines in one go and
# prints the ratios. Usage: bash bench/compare_quantize.sh [build_dir]   (default: build)
# Needs build/bin/modelpress_bench, /usr/bin/python3 with numpy and onnx, and
# onnxruntime-node under tests/e2e/node_modules (bash deploy/install-deps.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# GLIBC_TUNABLES as modelpressd runs (server/malloc_tuning.h), for the request-path benchmarks.
GLIBC_TUNABLES=glibc.malloc.hugetlb=1 "$build/bin/modelpress_bench" --benchmark_filter='Stream|OnePass|Quantize|Dequantize|Calibrate' \
  --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_min_time=0.5 2>/dev/null | grep median | tee "$work/ours.txt"

# numpy: OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE slow current numpy down; unset for this run only.
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 "$root/bench/quantize_numpy.py" 5 \
  | tee "$work/numpy.txt"

ort=""
if [ -d "$root/tests/e2e/node_modules/onnxruntime-node" ]; then
  /usr/bin/python3 "$root/bench/make_quantize_model.py" "$work/quantize.onnx"
  for t in 1 2; do
    node "$root/bench/quantize_onnxruntime.mjs" "$work/quantize.onnx" "$t" 5 \
      "$root/tests/e2e/node_modules" | tee -a "$work/ort.txt"
  done
  ort="$work/ort.txt"
else
  echo "onnxruntime-node not installed; run bash deploy/install-deps.sh (skipping)"
fi

rate() { grep -F -- "$1" "$2" | sed -n "s|.*elem_per_s=\([0-9.eEkMG+]*\).*|\1|p" | head -1; }
paired() { grep -F -- "$1" "$2" | sed -n "s|.*ceiling_ratio=\([0-9.]*\).*|\1|p" | head -1; }
to_num() { /usr/bin/python3 -c "import sys;s=sys.argv[1];m={'k':1e3,'M':1e6,'G':1e9};print(float(s[:-1])*m[s[-1]] if s and s[-1] in m else float(s))" "$1"; }
fused1=$(to_num "$(rate 'SymmetricFused/1/' "$work/ours.txt")")
fused2=$(to_num "$(rate 'SymmetricFused/2/' "$work/ours.txt")")
numpy=$(to_num "$(rate numpy "$work/numpy.txt")")
echo
# Paired: the median over iterations of (ceiling run just before) / (kernel run).
echo "fused per-channel int8 / stream ceiling, paired (1 thread):  $(paired 'SymmetricFused/1/' "$work/ours.txt")"
echo "fused per-channel int8 / stream ceiling, paired (2 threads): $(paired 'SymmetricFused/2/' "$work/ours.txt")"
echo "two-read ceiling / stream ceiling, paired (1 thread):  $(paired 'TwoReads/1/' "$work/ours.txt")"
echo "two-read ceiling / stream ceiling, paired (2 threads): $(paired 'TwoReads/2/' "$work/ours.txt")"
echo "one-pass bound (inexact) / stream ceiling, paired (1 thread):  $(paired 'OnePassBound/1/' "$work/ours.txt")"
echo "one-pass bound (inexact) / stream ceiling, paired (2 threads): $(paired 'OnePassBound/2/' "$work/ours.txt")"
echo "fused per-channel int8 vs numpy (1 thread):  $(/usr/bin/python3 -c "print(round($fused1/$numpy,1))")x"
echo "fused per-channel int8 vs numpy (2 threads): $(/usr/bin/python3 -c "print(round($fused2/$numpy,1))")x"
if [ -n "$ort" ]; then
  ort1=$(to_num "$(rate 'threads=1' "$ort")")
  ort2=$(to_num "$(rate 'threads=2' "$ort")")
  # ort rates are onnxruntime's profiled QuantizeLinear kernel time (no absmax pass, given
  # scales); ours include the absmax pass.
  echo "fused per-channel int8 vs onnxruntime QuantizeLinear kernel time (1 thread):  $(/usr/bin/python3 -c "print(round($fused1/$ort1,2))")x"
  echo "fused per-channel int8 vs onnxruntime QuantizeLinear kernel time (2 threads): $(/usr/bin/python3 -c "print(round($fused2/$ort2,2))")x"
fi
