#!/usr/bin/python3
"""SparseGPT (unstructured, block 128, 1% damping) in numpy: the baseline for
bench/compare_sparsegpt.sh. The same algorithm as core/second_order/sparse_gpt.cc and the
reference sparsegpt.py: H = 2 X^T X / N in float64, dead columns, U = chol(inv(H + lambda I))
upper, per-block mask from w^2 / U_jj^2 on the updated weights, lazy block updates in float32.

Usage: sparsegpt_numpy.py DIR   (reads DIR/w.npy [out, in], DIR/x.npy [rows, in];
                                 writes DIR/w_numpy.npy; prints one JSON line of timings)
"""
import json
import sys
import time

import numpy as np


def sparsegpt(w, x, sparsity=0.5, block=128, percdamp=0.01):
    t0 = time.perf_counter()
    x64 = x.astype(np.float64)
    h = (2.0 / x.shape[0]) * (x64.T @ x64)
    t1 = time.perf_counter()
    w = w.astype(np.float32).copy()
    dead = np.diag(h) == 0
    h[dead, dead] = 1.0
    w[:, dead] = 0.0
    h[np.diag_indices_from(h)] += percdamp * np.mean(np.diag(h))
    hinv = np.linalg.inv(np.linalg.cholesky(h))
    hinv = hinv.T @ hinv                                  # (L L^T)^-1 = L^-T L^-1
    u = np.linalg.cholesky(hinv).T.astype(np.float32)    # upper, H^-1 = U^T U
    t2 = time.perf_counter()
    rows, cols = w.shape
    for i1 in range(0, cols, block):
        i2 = min(i1 + block, cols)
        n = i2 - i1
        w1 = w[:, i1:i2].copy()
        err = np.zeros((rows, n), dtype=np.float32)
        d = np.diag(u)[i1:i2]
        scores = (w1 ** 2 / d[None, :] ** 2).ravel(order="F")
        k = int(scores.size * sparsity)
        mask = np.zeros(scores.size, dtype=bool)
        if k > 0:
            mask[np.argpartition(scores, k - 1, kind="introselect")[:k]] = True
        mask = mask.reshape((rows, n), order="F")
        for i in range(n):
            col = w1[:, i]
            q = np.where(mask[:, i], np.float32(0), col)
            e = (col - q) / d[i]
            w1[:, i] = q
            w1[:, i + 1:] -= np.outer(e, u[i1 + i, i1 + i + 1:i2])
            err[:, i] = e
        w[:, i1:i2] = w1
        w[:, i2:] -= err @ u[i1:i2, i2:]
    t3 = time.perf_counter()
    return w, {"hessian_s": t1 - t0, "factor_s": t2 - t1, "update_s": t3 - t2,
               "total_s": t3 - t0}


def main(argv):
    d = argv[1]
    w = np.load(f"{d}/w.npy")
    x = np.load(f"{d}/x.npy")
    out, timing = sparsegpt(w, x)
    np.save(f"{d}/w_numpy.npy", out)
    print(json.dumps(timing))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
