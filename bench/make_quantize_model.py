#!/usr/bin/python3
"""Writes a one-node ONNX model for bench/quantize_onnxruntime.mjs: y = QuantizeLinear(x,
scale[4096], zero_point[4096]) per axis 0 (opset 13), i.e. per-channel int8 with given scales."""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROWS, COLS = 4096, 16384
out = sys.argv[1]
scale = numpy_helper.from_array(np.full((ROWS,), 0.03, dtype=np.float32), "scale")
zero = numpy_helper.from_array(np.zeros((ROWS,), dtype=np.int8), "zero_point")
node = helper.make_node("QuantizeLinear", ["x", "scale", "zero_point"], ["y"], axis=0)
graph = helper.make_graph(
    [node], "quantize",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [ROWS, COLS])],
    [helper.make_tensor_value_info("y", TensorProto.INT8, [ROWS, COLS])],
    initializer=[scale, zero])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 8
onnx.checker.check_model(model)
onnx.save(model, out)
