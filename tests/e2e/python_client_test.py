"""Python grpcio as a second, independent client of the real modelpressd.

Drives the example client in client/python against modelpressd started on free loopback
ports: QuantizeTensor against a numpy reference on a random tensor, DequantizeTensor as its
inverse, int4 per-group packing, and INVALID_ARGUMENT for bad requests.
"""
import os
import pathlib
import signal
import socket
import subprocess
import sys
import tempfile

import grpc
import numpy as np

SOURCE = pathlib.Path(os.environ.get("MODELPRESS_SOURCE_DIR", pathlib.Path(__file__).parents[2]))
BINARY = pathlib.Path(os.environ.get("MODELPRESS_BINARY_DIR", SOURCE / "build"))
sys.path.insert(0, str(SOURCE / "client" / "python"))
from modelpress_client import ModelpressClient  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check_per_channel_int8(client, rng):
    q = client.api.quantization
    weights = (rng.standard_normal((64, 256)) * rng.uniform(0.01, 2.0, (64, 1))).astype(np.float32)
    spec = client.spec(granularity=q.GRANULARITY_PER_CHANNEL, axis=0)
    response = client.quantize(weights, spec, per_channel_report=True)

    scales = np.array(response.scales, dtype=np.float32)
    np.testing.assert_allclose(scales, np.abs(weights).max(axis=1) / np.float32(127), rtol=1e-6)
    codes = client.codes(response.quantized)
    reference = np.clip(np.rint(weights / scales[:, None]), -128, 127).astype(np.int8)
    diff = np.abs(codes.astype(np.int32) - reference.astype(np.int32))
    # Division and multiplication by the reciprocal may disagree at exact ties only.
    assert diff.max() <= 1 and (diff > 0).mean() < 1e-3, f"{(diff > 0).sum()} codes differ"
    assert list(response.zero_points) == [0] * 64
    assert len(response.error.per_channel) == 64

    dequantized = codes.astype(np.float32) * scales[:, None]
    error = (dequantized - weights).astype(np.float64)
    mse = float(np.mean(error ** 2))
    assert abs(response.error.tensor.mse - mse) <= 1e-5 * mse, (response.error.tensor.mse, mse)
    sqnr = 10 * np.log10(np.sum(weights.astype(np.float64) ** 2) / np.sum(error ** 2))
    assert abs(response.error.tensor.sqnr_db - sqnr) < 1e-3, (response.error.tensor.sqnr_db, sqnr)
    print(f"ok: per-channel int8 matches numpy (sqnr {sqnr:.2f} dB)")

    spec.scales.extend(response.scales)
    values = client.dequantize(response.quantized, spec)
    np.testing.assert_allclose(values, dequantized, rtol=1e-6, atol=1e-7)
    print("ok: DequantizeTensor inverts the codes")


def check_per_group_int4(client, rng):
    q, t = client.api.quantization, client.api.tensor
    weights = rng.standard_normal((8, 64)).astype(np.float32)
    spec = client.spec(bits=4, granularity=q.GRANULARITY_PER_GROUP, axis=1, group_size=32)
    response = client.quantize(weights, spec)
    assert response.quantized.dtype == t.DATA_TYPE_INT4_PACKED, response.quantized.dtype
    assert len(response.quantized.raw_data) == weights.size // 2
    assert list(response.params_shape) == [8, 2], list(response.params_shape)
    codes = client.codes(response.quantized)
    assert codes.min() >= -8 and codes.max() <= 7
    scales = np.array(response.scales, dtype=np.float32).reshape(8, 2)
    dequantized = codes.astype(np.float32) * np.repeat(scales, 32, axis=1)
    assert np.abs(dequantized - weights).max() <= scales.max() / 2 + 1e-6
    print("ok: per-group int4 codes come packed two per byte and dequantize within S/2")


def correlated_layer(rng, rows=32, cols=128, samples=1024):
    """A weight and activations with correlated inputs, where second-order methods pay off."""
    mixing = rng.standard_normal((cols, cols)).astype(np.float32) / np.sqrt(cols)
    activations = (rng.standard_normal((samples, cols)).astype(np.float32) @ mixing
                   + 0.5 * rng.standard_normal((samples, 1)).astype(np.float32))
    weight = rng.standard_normal((rows, cols)).astype(np.float32)
    return weight, activations


def relative_output_error(weight, changed, activations):
    reference = activations.astype(np.float64) @ weight.T.astype(np.float64)
    delta = activations.astype(np.float64) @ (changed - weight).T.astype(np.float64)
    return float(np.sum(delta ** 2) / np.sum(reference ** 2))


def check_gptq(client, rng):
    q = client.api.quantization
    weight, activations = correlated_layer(rng)
    errors = {}
    for name, algorithm in [("rtn", q.QUANTIZATION_ALGORITHM_ROUND_TO_NEAREST),
                            ("gptq", q.QUANTIZATION_ALGORITHM_GPTQ)]:
        spec = client.spec(bits=4, granularity=q.GRANULARITY_PER_CHANNEL, algorithm=algorithm)
        response = client.quantize(weight, spec, activations=activations)
        scales = np.array(response.scales, dtype=np.float32)
        dequantized = client.codes(response.quantized).astype(np.float32) * scales[:, None]
        ours = relative_output_error(weight, dequantized, activations)
        reported = response.reconstruction.relative_reconstruction_error
        assert abs(reported - ours) <= 1e-3 * ours, (name, reported, ours)
        errors[name] = ours
    assert errors["gptq"] < 0.8 * errors["rtn"], errors
    print(f"ok: 4-bit GPTQ output error {errors['gptq']:.5f} < RTN {errors['rtn']:.5f} "
          "(numpy agrees with the server's report)")


def check_prune(client, rng):
    p = client.api.pruning
    weight, activations = correlated_layer(rng)
    errors = {}
    for name, method in [("magnitude", p.PRUNE_METHOD_MAGNITUDE_PER_ROW),
                         ("sparsegpt", p.PRUNE_METHOD_SPARSEGPT)]:
        pruned, report = client.prune(weight, activations, method=method, sparsity=0.5)
        assert abs(np.mean(pruned == 0) - 0.5) < 1e-9, np.mean(pruned == 0)
        ours = relative_output_error(weight, pruned, activations)
        reported = report.reconstruction.relative_reconstruction_error
        assert abs(reported - ours) <= 1e-3 * ours, (name, reported, ours)
        errors[name] = ours
    assert errors["sparsegpt"] < 0.9 * errors["magnitude"], errors
    pruned, _ = client.prune(weight, method=p.PRUNE_METHOD_N_M, n=2, m=4)
    assert np.all((pruned.reshape(-1, 4) == 0).sum(axis=1) >= 2)
    print(f"ok: 50% SparseGPT output error {errors['sparsegpt']:.4f} < magnitude "
          f"{errors['magnitude']:.4f}; 2:4 pattern holds")


def check_bad_requests(client):
    q = client.api.quantization
    for spec, field in [(client.spec(granularity=q.GRANULARITY_PER_CHANNEL, axis=5), "axis"),
                        (client.spec(bits=12), "bits")]:
        try:
            client.quantize(np.ones((2, 2), dtype=np.float32), spec)
            raise AssertionError(f"{field} accepted")
        except grpc.RpcError as error:
            assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, error
            assert field in error.details(), error.details()
    print("ok: bad axis and bits -> INVALID_ARGUMENT naming the field")


def main():
    work = pathlib.Path(tempfile.mkdtemp())
    port, metrics_port = free_port(), free_port()
    server = subprocess.Popen([str(BINARY / "bin" / "modelpressd"), "--host=127.0.0.1",
                               f"--port={port}", "--metrics_host=127.0.0.1",
                               f"--metrics_port={metrics_port}", f"--data_dir={work / 'data'}",
                               "--log_format=text"],
                              stderr=subprocess.PIPE, text=True)
    try:
        client = ModelpressClient(f"127.0.0.1:{port}", timeout_seconds=30)
        client.wait_ready()
        rng = np.random.default_rng(7)
        check_per_channel_int8(client, rng)
        check_per_group_int4(client, rng)
        check_gptq(client, rng)
        check_prune(client, rng)
        check_bad_requests(client)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            code = server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            raise
        log = server.stderr.read()
    assert code == 0, f"modelpressd exited with {code}\n{log}"
    print("python_client: all checks passed")


if __name__ == "__main__":
    main()
