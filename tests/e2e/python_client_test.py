"""Python grpcio as a second, independent client of the real modelpressd.

Generates Python message classes from proto/ with protoc, starts modelpressd on free
loopback ports, and checks QuantizeTensor against a numpy reference on a random tensor,
DequantizeTensor as its inverse, and that bad requests get INVALID_ARGUMENT.
"""
import os
import pathlib
import signal
import socket
import subprocess
import sys
import tempfile
import time

import grpc
import numpy as np

SOURCE = pathlib.Path(os.environ.get("MODELPRESS_SOURCE_DIR", pathlib.Path(__file__).parents[2]))
BINARY = pathlib.Path(os.environ.get("MODELPRESS_BINARY_DIR", SOURCE / "build"))
SERVICE = "/modelpress.v1.CompressionService/"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def generate_messages(out_dir):
    protos = sorted(str(p.relative_to(SOURCE / "proto")) for p in (SOURCE / "proto").rglob("*.proto"))
    subprocess.run(["protoc", f"--proto_path={SOURCE / 'proto'}", "--proto_path=/usr/include",
                    f"--python_out={out_dir}", *protos], check=True)
    sys.path.insert(0, str(out_dir))


def main():
    work = pathlib.Path(tempfile.mkdtemp())
    generate_messages(work)
    from modelpress.v1 import service_pb2, tensor_pb2, quantization_pb2  # noqa: E402

    port, metrics_port = free_port(), free_port()
    server = subprocess.Popen([str(BINARY / "bin" / "modelpressd"), "--host=127.0.0.1",
                               f"--port={port}", "--metrics_host=127.0.0.1",
                               f"--metrics_port={metrics_port}", f"--data_dir={work / 'data'}",
                               "--log_format=text"],
                              stderr=subprocess.PIPE, text=True)
    try:
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        grpc.channel_ready_future(channel).result(timeout=20)

        def rpc(method, request, response_type):
            call = channel.unary_unary(SERVICE + method,
                                       request_serializer=lambda m: m.SerializeToString(),
                                       response_deserializer=response_type.FromString)
            return call(request, timeout=30)

        rng = np.random.default_rng(7)
        weights = (rng.standard_normal((64, 256)) * rng.uniform(0.01, 2.0, (64, 1))).astype(np.float32)
        request = service_pb2.QuantizeTensorRequest(
            tensor=tensor_pb2.Tensor(name="w", dtype=tensor_pb2.DATA_TYPE_FLOAT32,
                                     shape=list(weights.shape), raw_data=weights.tobytes()),
            spec=quantization_pb2.QuantizationSpec(
                granularity=quantization_pb2.GRANULARITY_PER_CHANNEL, axis=0),
            per_channel_report=True)
        response = rpc("QuantizeTensor", request, service_pb2.QuantizeTensorResponse)

        scales = np.array(response.scales, dtype=np.float32)
        expected_scales = (np.abs(weights).max(axis=1) / np.float32(127)).astype(np.float32)
        np.testing.assert_allclose(scales, expected_scales, rtol=1e-6)
        codes = np.frombuffer(response.quantized.raw_data, dtype=np.int8).reshape(weights.shape)
        reference = np.clip(np.rint(weights / scales[:, None]), -128, 127).astype(np.int8)
        diff = np.abs(codes.astype(np.int32) - reference.astype(np.int32))
        # Division and multiplication by the reciprocal may disagree at exact ties only.
        assert diff.max() <= 1 and (diff > 0).mean() < 1e-3, f"{(diff > 0).sum()} codes differ"
        assert list(response.zero_points) == [0] * 64
        assert len(response.error.per_channel) == 64
        dequantized = codes.astype(np.float32) * scales[:, None]
        mse = float(np.mean((dequantized - weights) ** 2))
        assert abs(response.error.tensor.mse - mse) <= 1e-6 * max(mse, 1e-12) + 1e-12, \
            (response.error.tensor.mse, mse)
        sqnr = 10 * np.log10(np.sum(weights.astype(np.float64) ** 2) /
                             np.sum((dequantized - weights).astype(np.float64) ** 2))
        assert abs(response.error.tensor.sqnr_db - sqnr) < 1e-3, (response.error.tensor.sqnr_db, sqnr)
        print(f"ok: QuantizeTensor per-channel matches numpy (sqnr {sqnr:.2f} dB)")

        back = rpc("DequantizeTensor", service_pb2.DequantizeTensorRequest(
            quantized=response.quantized,
            spec=quantization_pb2.QuantizationSpec(
                granularity=quantization_pb2.GRANULARITY_PER_CHANNEL, axis=0,
                scales=list(response.scales))), service_pb2.DequantizeTensorResponse)
        values = np.frombuffer(back.tensor.raw_data, dtype=np.float32).reshape(weights.shape)
        np.testing.assert_allclose(values, dequantized, rtol=1e-6, atol=1e-7)
        print("ok: DequantizeTensor inverts the codes")

        bad = service_pb2.QuantizeTensorRequest(
            tensor=tensor_pb2.Tensor(dtype=tensor_pb2.DATA_TYPE_FLOAT32, shape=[2, 2],
                                     float_data=[1, 2, 3, 4]),
            spec=quantization_pb2.QuantizationSpec(
                granularity=quantization_pb2.GRANULARITY_PER_CHANNEL, axis=5))
        try:
            rpc("QuantizeTensor", bad, service_pb2.QuantizeTensorResponse)
            raise AssertionError("axis 5 accepted")
        except grpc.RpcError as error:
            assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, error
            assert "axis" in error.details(), error.details()
        print("ok: bad axis -> INVALID_ARGUMENT naming axis")
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
