#!/usr/bin/python3
"""numpy baseline for bench/compare_quantize.sh: per-channel symmetric int8 absmax + quantize
of a 4096 x 16384 float32 tensor, the idiomatic way: s = max|w| / 127 per row, then
clip(rint(w / s), -128, 127).astype(int8). Prints the median rate in elements/s."""
import sys
import time

import numpy as np

ROWS, COLS = 4096, 16384
REPS = int(sys.argv[1]) if len(sys.argv) > 1 else 5

rng = np.random.default_rng(0)
w = rng.standard_normal((ROWS, COLS), dtype=np.float32)


def quantize(w):
    s = np.abs(w).max(axis=1, keepdims=True) / np.float32(127)
    s[s == 0] = 1
    return np.clip(np.rint(w / s), -128, 127).astype(np.int8), s


quantize(w)  # warm-up: page in the outputs once
rates = []
for _ in range(REPS):
    t0 = time.perf_counter()
    quantize(w)
    rates.append(w.size / (time.perf_counter() - t0))
rates.sort()
print(f"numpy_per_channel_symmetric_int8 elem_per_s={rates[len(rates) // 2]:.4g}")
