#!/usr/bin/python3
"""Example pipeline client for modelpressd, on Debian's python3-grpcio and numpy.

It needs no generated files in the repository: the message classes are generated from
proto/ with protoc into a temporary folder at start-up.

    /usr/bin/python3 client/python/modelpress_client.py --target localhost:50051 \
        quantize weights.npy --granularity per-channel --axis 0 --bits 8

prints the error report as JSON and, with --out, writes the codes as .npy.
"""
import argparse
import json
import pathlib
import subprocess
import sys
import tempfile

import grpc
import numpy as np

PROTO_ROOT = pathlib.Path(__file__).resolve().parents[2] / "proto"
SERVICE = "/modelpress.v1.CompressionService/"
_api = None


def load_api():
    """Generates and imports the modelpress.v1 message modules once per process."""
    global _api
    if _api is None:
        out_dir = tempfile.mkdtemp(prefix="modelpress_api_")
        protos = sorted(str(p.relative_to(PROTO_ROOT)) for p in PROTO_ROOT.rglob("*.proto"))
        subprocess.run(["protoc", f"--proto_path={PROTO_ROOT}", "--proto_path=/usr/include",
                        f"--python_out={out_dir}", *protos], check=True)
        sys.path.insert(0, out_dir)
        from modelpress.v1 import pruning_pb2, quantization_pb2, service_pb2, tensor_pb2
        _api = argparse.Namespace(quantization=quantization_pb2, pruning=pruning_pb2,
                                  service=service_pb2, tensor=tensor_pb2)
    return _api


class ModelpressClient:
    """Blocking client over one insecure channel; errors raise grpc.RpcError."""

    def __init__(self, target, timeout_seconds=60.0, token=None):
        self.api = load_api()
        self.channel = grpc.insecure_channel(target)
        self.timeout_seconds = timeout_seconds
        self.metadata = [("authorization", f"Bearer {token}")] if token else None

    def wait_ready(self, timeout_seconds=20.0):
        grpc.channel_ready_future(self.channel).result(timeout=timeout_seconds)

    def _call(self, method, request, response_type):
        call = self.channel.unary_unary(SERVICE + method,
                                        request_serializer=lambda m: m.SerializeToString(),
                                        response_deserializer=response_type.FromString)
        return call(request, timeout=self.timeout_seconds, metadata=self.metadata)

    def spec(self, **fields):
        """QuantizationSpec from keyword fields; enum fields take their proto names."""
        return self.api.quantization.QuantizationSpec(**fields)

    def tensor(self, array, name=""):
        """FP32 numpy array -> Tensor message (raw little-endian bytes)."""
        array = np.ascontiguousarray(array, dtype="<f4")
        return self.api.tensor.Tensor(name=name, dtype=self.api.tensor.DATA_TYPE_FLOAT32,
                                      shape=list(array.shape), raw_data=array.tobytes())

    def quantize(self, array, spec, per_channel_report=False, name="tensor", activations=None):
        """QuantizeTensor; `activations` [rows, in_features] enable GPTQ and the
        reconstruction report."""
        request = self.api.service.QuantizeTensorRequest(
            tensor=self.tensor(array, name), spec=spec, per_channel_report=per_channel_report)
        if activations is not None:
            request.activations.CopyFrom(self.tensor(activations))
        return self._call("QuantizeTensor", request, self.api.service.QuantizeTensorResponse)

    def prune(self, weight, activations=None, **spec_fields):
        """PruneTensor; returns (pruned weight as numpy, PruneReport)."""
        request = self.api.service.PruneTensorRequest(
            weight=self.tensor(weight), spec=self.api.pruning.PruneSpec(**spec_fields))
        if activations is not None:
            request.activations.CopyFrom(self.tensor(activations))
        response = self._call("PruneTensor", request, self.api.service.PruneTensorResponse)
        pruned = np.frombuffer(response.weight.raw_data, dtype="<f4").reshape(
            list(response.weight.shape))
        return pruned, response.report

    def dequantize(self, quantized, spec):
        request = self.api.service.DequantizeTensorRequest(quantized=quantized, spec=spec)
        response = self._call("DequantizeTensor", request,
                              self.api.service.DequantizeTensorResponse)
        return np.frombuffer(response.tensor.raw_data, dtype="<f4").reshape(
            list(response.tensor.shape))

    def codes(self, quantized):
        """Unpacked codes of a QuantizeTensorResponse.quantized tensor as a numpy array."""
        t = self.api.tensor
        raw = np.frombuffer(quantized.raw_data, dtype=np.uint8)
        count = int(np.prod(quantized.shape)) if len(quantized.shape) else 1
        if quantized.dtype in (t.DATA_TYPE_INT4_PACKED, t.DATA_TYPE_UINT4_PACKED):
            nibbles = np.empty(raw.size * 2, dtype=np.uint8)
            nibbles[0::2], nibbles[1::2] = raw & 0xF, raw >> 4
            nibbles = nibbles[:count]
            if quantized.dtype == t.DATA_TYPE_INT4_PACKED:
                return np.where(nibbles >= 8, nibbles.astype(np.int16) - 16,
                                nibbles).astype(np.int8).reshape(list(quantized.shape))
            return nibbles.reshape(list(quantized.shape))
        dtype = np.int8 if quantized.dtype == t.DATA_TYPE_INT8 else np.uint8
        return raw.view(dtype).reshape(list(quantized.shape))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default="localhost:50051")
    sub = parser.add_subparsers(dest="command", required=True)
    q = sub.add_parser("quantize", help="quantize one .npy tensor and print the report")
    q.add_argument("npy")
    q.add_argument("--bits", type=int, default=8)
    q.add_argument("--granularity", choices=["per-tensor", "per-channel", "per-group"],
                   default="per-tensor")
    q.add_argument("--axis", type=int, default=0)
    q.add_argument("--group-size", type=int, default=0)
    q.add_argument("--asymmetric", action="store_true")
    q.add_argument("--calibration", choices=["min-max", "percentile", "mse", "entropy"],
                   default="min-max")
    q.add_argument("--out", help="write the codes here as .npy")
    args = parser.parse_args()

    client = ModelpressClient(args.target)
    quantization = client.api.quantization
    spec = client.spec(
        bits=args.bits, asymmetric=args.asymmetric, axis=args.axis, group_size=args.group_size,
        granularity=getattr(quantization, "GRANULARITY_" + args.granularity.upper().replace("-", "_")),
        calibration=getattr(quantization,
                            "CALIBRATION_METHOD_" + args.calibration.upper().replace("-", "_")))
    response = client.quantize(np.load(args.npy), spec)
    stats = response.error.tensor
    print(json.dumps({field.name: value for field, value in stats.ListFields()}, indent=2))
    if args.out:
        np.save(args.out, client.codes(response.quantized))


if __name__ == "__main__":
    main()
