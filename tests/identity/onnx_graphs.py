"""Small ONNX graphs made here, for the embedding back-end's tests and the face bench's cost figures.

No face-embedding model with a licence a government deployment can rely on ships in a registry package
(docs/FACE_MODELS.md), so the back-end's plumbing is tested on graphs whose output is known exactly, and
its cost is measured on an untrained network of a face model's size (random weights: cost, not accuracy).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13


def _save(graph: onnx.GraphProto, path: Path) -> Path:
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def channel_mean_model(path: Path, size: int = 112) -> Path:
    """(1, 3, S, S) -> (1, 3): each input channel's mean, so the normalisation and channel order the
    back-end feeds can be read back from the embedding."""
    graph = helper.make_graph(
        [
            helper.make_node("GlobalAveragePool", ["data"], ["pooled"]),
            helper.make_node("Flatten", ["pooled"], ["embedding"], axis=1),
        ],
        "channel_mean",
        [helper.make_tensor_value_info("data", TensorProto.FLOAT, [1, 3, size, size])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, [1, 3])],
    )
    return _save(graph, path)


def scalar_model(path: Path, size: int = 112) -> Path:
    """(1, 3, S, S) -> (1, 1): not an embedding (one number)."""
    graph = helper.make_graph(
        [
            helper.make_node("ReduceMean", ["data"], ["mean"], keepdims=0),
            helper.make_node("Reshape", ["mean", "shape"], ["embedding"]),
        ],
        "scalar",
        [helper.make_tensor_value_info("data", TensorProto.FLOAT, [1, 3, size, size])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, [1, 1])],
        [numpy_helper.from_array(np.array([1, 1], dtype=np.int64), "shape")],
    )
    return _save(graph, path)


def flat_projection_model(path: Path, size: int) -> Path:
    """(1, 3, S, S) -> (1, 4) through a fixed (3 S S, 4) projection: it only takes S x S faces."""
    weight = np.random.default_rng(1).normal(0, 1, (3 * size * size, 4)).astype(np.float32)
    graph = helper.make_graph(
        [
            helper.make_node("Flatten", ["data"], ["flat"], axis=1),
            helper.make_node("MatMul", ["flat", "w"], ["embedding"]),
        ],
        "flat_projection",
        [helper.make_tensor_value_info("data", TensorProto.FLOAT, [1, 3, size, size])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, [1, 4])],
        [numpy_helper.from_array(weight, "w")],
    )
    return _save(graph, path)


def conv_net(path: Path, widths: tuple[int, ...], *, size: int = 112, dim: int = 512, seed: int = 0) -> float:
    """An untrained plain conv net (3x3 convolutions, stride 2 at each new width, ReLU, global pooling,
    a dim-wide projection) of a face model's shape; returns its GFLOPs (multiply-adds x 2)."""
    rng = np.random.default_rng(seed)
    nodes, inits = [], []
    flops = 0.0
    current, channels, side = "data", 3, size
    for index, width in enumerate(widths):
        for repeat, stride in enumerate((2, 1)):
            name = f"c{index}_{repeat}"
            weight = rng.normal(0, np.sqrt(2 / (channels * 9)), (width, channels, 3, 3)).astype(np.float32)
            inits += [numpy_helper.from_array(weight, f"{name}_w"), numpy_helper.from_array(
                np.zeros(width, np.float32), f"{name}_b")]  # fmt: skip
            conv = helper.make_node(
                "Conv",
                [current, f"{name}_w", f"{name}_b"],
                [f"{name}_conv"],
                kernel_shape=[3, 3],
                pads=[1, 1, 1, 1],
                strides=[stride, stride],
            )
            nodes.append(conv)
            nodes.append(helper.make_node("Relu", [f"{name}_conv"], [f"{name}_out"]))
            side = (side + stride - 1) // stride
            flops += 2 * side * side * channels * width * 9
            current, channels = f"{name}_out", width
    projection = rng.normal(0, np.sqrt(1 / channels), (channels, dim)).astype(np.float32)
    inits.append(numpy_helper.from_array(projection, "proj_w"))
    nodes += [
        helper.make_node("GlobalAveragePool", [current], ["pooled"]),
        helper.make_node("Flatten", ["pooled"], ["flat"], axis=1),
        helper.make_node("MatMul", ["flat", "proj_w"], ["embedding"]),
    ]
    flops += 2 * channels * dim
    graph = helper.make_graph(
        nodes,
        "cost_stand_in",
        [helper.make_tensor_value_info("data", TensorProto.FLOAT, [1, 3, size, size])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, [1, dim])],
        inits,
    )
    _save(graph, path)
    return flops / 1e9
