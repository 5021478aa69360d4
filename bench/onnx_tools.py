"""ONNX helpers of the generation benchmark (bench/generation.ts), run with Debian's python3-onnx.

    /usr/bin/python3 bench/onnx_tools.py weights FILE...   # JSON: bytes one decode step reads, per file
    /usr/bin/python3 bench/onnx_tools.py readbw OUT.onnx   # the read-bandwidth graph

`weights`: decode on a CPU is bound by reading the weights once per token. A step reads every
initializer whole, except a table that is only gathered from (token and position embeddings, and
the per-row scales of an int8 embedding), of which it reads one row. Counting such a table whole
would put the bound too low and flatter the engine measured against it: a q4 file that keeps a
float32 embedding table for the Gather and a 4-bit copy for the LM head reads the copy, not the
table.

`readbw`: Y = X [1, 4096] · W [4096, 16384], W a 256 MiB float32 initializer: the matrix-vector
product of decoding, so ONNX Runtime's own kernel reads W with all its intra-op threads. W lives
in the graph because onnxruntime-node may copy input tensors before a run, which would add a copy
to what is measured.
"""
import json
import os
import sys

import onnx
from onnx import TensorProto, helper

ELEMENT_BYTES = {
    TensorProto.FLOAT: 4, TensorProto.FLOAT16: 2, TensorProto.BFLOAT16: 2, TensorProto.DOUBLE: 8,
    TensorProto.INT8: 1, TensorProto.UINT8: 1, TensorProto.INT16: 2, TensorProto.UINT16: 2,
    TensorProto.INT32: 4, TensorProto.UINT32: 4, TensorProto.INT64: 8, TensorProto.UINT64: 8, TensorProto.BOOL: 1,
}


def consumers(graph, uses):
    """(op_type, input index) of every use of every name, subgraphs included."""
    for node in graph.node:
        for i, name in enumerate(node.input):
            uses.setdefault(name, []).append((node.op_type, i))
        for attr in node.attribute:
            for sub in ([attr.g] if attr.HasField('g') else []) + list(attr.graphs):
                consumers(sub, uses)
    return uses


def step_bytes(path):
    model = onnx.load(path, load_external_data=False)
    uses = consumers(model.graph, {})
    total = read = 0
    for init in model.graph.initializer:
        count = 1
        for d in init.dims:
            count *= d
        size = count * ELEMENT_BYTES.get(init.data_type, 4)
        total += size
        gathered_only = uses.get(init.name) and all(op == 'Gather' and i == 0 for op, i in uses[init.name])
        read += size // init.dims[0] if gathered_only and init.dims else size
    return {'file_bytes': os.path.getsize(path), 'weight_bytes': total, 'read_per_token': read}


def readbw(out, k=4096, n=16384):
    import numpy as np
    from onnx import numpy_helper
    x = helper.make_tensor_value_info('X', TensorProto.FLOAT, [1, k])
    y = helper.make_tensor_value_info('Y', TensorProto.FLOAT, [1, n])
    w = numpy_helper.from_array(np.random.default_rng(0).standard_normal((k, n), dtype=np.float32) * 0.01, 'W')
    node = helper.make_node('MatMul', ['X', 'W'], ['Y'])
    graph = helper.make_graph([node], 'read_bandwidth', [x], [y], initializer=[w])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, out)


if __name__ == '__main__':
    if sys.argv[1] == 'weights':
        print(json.dumps({f: step_bytes(f) for f in sys.argv[2:]}))
    elif sys.argv[1] == 'readbw':
        readbw(sys.argv[2])
    else:
        sys.exit(f'unknown command {sys.argv[1]}')
