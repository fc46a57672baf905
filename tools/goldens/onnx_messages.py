"""ONNX message golden: a small ModelProto built with onnx's own helpers and serialized by its
protobuf library, printed as hex. Tests/ONNXTests/ONNXMessageTests.swift builds the same model
with specrun's encoder and expects these bytes exactly. Run from the repository root:

    /tmp/onnxenv/bin/python tools/goldens/onnx_messages.py

(`python3 -m venv /tmp/onnxenv && /tmp/onnxenv/bin/pip install onnx onnxruntime numpy`.)
"""
import numpy as np
import onnx
from onnx import TensorProto, helper

weight = helper.make_tensor("w", TensorProto.FLOAT, [2, 1], np.array([1.5, -2], dtype="<f4").tobytes(), raw=True)
shape = helper.make_tensor("s", TensorProto.INT64, [2], np.array([0, -1], dtype="<i8").tobytes(), raw=True)
nodes = [
    helper.make_node("Reshape", ["x", "s"], ["r"], name="n/Reshape"),
    helper.make_node("LeakyRelu", ["r"], ["l"], name="n/LeakyRelu", alpha=0.25),
    helper.make_node("Conv", ["l", "w"], ["c"], name="n/Conv", kernel_shape=[1, 1], group=1),
    helper.make_node("Identity", ["c"], ["y"], name="y/Identity"),
]
graph = helper.make_graph(
    nodes, "g",
    inputs=[helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 2])],
    outputs=[helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 2])],
    initializer=[weight, shape])
model = helper.make_model(graph, producer_name="specrun", producer_version="0.1.0", doc_string="doc",
                          opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
helper.set_model_props(model, {"specrun.spec": "golden"})
print(model.SerializeToString().hex())
