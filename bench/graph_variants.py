"""What a rewritten graph would buy: variants of the benchmark's GPT-2-shaped fixture.

    /usr/bin/python3 bench/graph_variants.py fused SRC.onnx DST.onnx [--in-place-kv]
    /usr/bin/python3 bench/graph_variants.py products SRC.onnx DST.onnx

Run with Debian's python3-onnx, by bench/generation.ts's "graph" table. Not a general rewriter:
it reads the graphs test/fixtures/make_text_models.py exports (GPT-2 blocks whose weights are
named blocks.N.{ln_1,c_attn,c_proj,ln_2,fc,proj}.*), fp32 or quantized by training/quantize.py,
and refuses anything else. What it measures is how much of a decode step the unfused operators
cost, before anyone writes the rewrite for the graphs the hub ships.

`fused`: the same weights and the same inputs and outputs, each block as
SkipLayerNormalization → product → MultiHeadAttention (causal, past and present in the
exporter's [batch, heads, length, head size] layout) → product → SkipLayerNormalization →
product → FastGelu → product, where the export has ~120 operators a block. The weight products
are the source's own nodes (MatMul, or MatMulNBits for q4), so the bytes read do not change.
With --in-place-kv: GroupQueryAttention in place of MultiHeadAttention, whose past and present
may share one buffer of a fixed length (inputs seqlens_k and total_sequence_length added), the
in-place cache a decoder needs to stop copying the cache every step.

`products`: the weight products alone (every MatMul or MatMulNBits with a weight initializer, the
LM head included), each reading a graph input of its width: the floor no rewrite goes under.
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def copy(node, **inputs):
    c = onnx.NodeProto()
    c.CopyFrom(node)
    for k, name in enumerate(c.input):
        c.input[k] = inputs.get(name, name)
    return c


def fused(src, dst, in_place):
    graph = onnx.load(src).graph
    inits = {i.name: i for i in graph.initializer}
    layers = sum(1 for i in graph.input if i.name.startswith('past_key_values.') and i.name.endswith('.key'))
    if not layers or f'blocks.{layers - 1}.c_attn.bias' not in inits or 'wte.weight' not in inits:
        sys.exit(f'{src}: not a GPT-2 graph from test/fixtures/make_text_models.py')
    heads = graph.input[3].type.tensor_type.shape.dim[1].dim_value
    hidden = inits['wte.weight'].dims[1]
    producer = {o: n for n in graph.node for o in n.output}
    nodes, added, keep = [], [], {'wte.weight', 'wpe.weight', 'ln_f.weight', 'ln_f.bias'}

    def product(bias, x, out):
        """The source's weight product whose output the bias is added to, reading x."""
        add = next(n for n in graph.node if n.op_type == 'Add' and bias in n.input)
        node = producer[next(i for i in add.input if i != bias)]
        if node.op_type == 'MatMul':  # fp32: MatMul(x, Transpose(W)); the transposed weight stored once
            weight = producer[node.input[1]].input[0]
            added.append(numpy_helper.from_array(numpy_helper.to_array(inits[weight]).T.copy(), weight + '.T'))
            nodes.append(helper.make_node('MatMul', [x, weight + '.T'], [out]))
        else:
            keep.update(node.input[1:])
            c = copy(node, **{node.input[0]: x})
            c.output[0] = out
            nodes.append(c)

    def skip_norm(x, skip, norm, bias, out, total):
        inputs = [x, skip, norm + '.weight', norm + '.bias'] + ([bias] if bias else [])
        keep.update(inputs[2:])
        nodes.append(helper.make_node('SkipLayerNormalization', inputs, [out, '', '', total], domain='com.microsoft', epsilon=1e-5))

    nodes.append(helper.make_node('Cast', ['attention_mask'], ['mask_i32'], to=TensorProto.INT32))
    nodes.append(helper.make_node('Gather', ['wte.weight', 'input_ids'], ['tokens']))
    nodes.append(helper.make_node('Gather', ['wpe.weight', 'position_ids'], ['positions']))
    skip_norm('tokens', 'positions', 'blocks.0.ln_1', None, 'ln1.0', 'x.0')
    added.append(numpy_helper.from_array(np.array([hidden] * 3, dtype=np.int64), 'qkv_split'))
    for i in range(layers):
        b = f'blocks.{i}'
        keep.update([f'{b}.c_attn.bias', f'{b}.fc.bias'])
        product(f'{b}.c_attn.bias', f'ln1.{i}', f'qkv.{i}')
        past = [f'past_key_values.{i}.key', f'past_key_values.{i}.value']
        present = [f'attn.{i}', f'present.{i}.key', f'present.{i}.value']
        if in_place:
            nodes.append(helper.make_node('Add', [f'qkv.{i}', f'{b}.c_attn.bias'], [f'qkvb.{i}']))
            nodes.append(helper.make_node('Split', [f'qkvb.{i}', 'qkv_split'], [f'q.{i}', f'k.{i}', f'v.{i}'], axis=2))
            nodes.append(helper.make_node('GroupQueryAttention', [f'q.{i}', f'k.{i}', f'v.{i}'] + past + ['seqlens_k', 'total_sequence_length'],
                                          present, domain='com.microsoft', num_heads=heads, kv_num_heads=heads))
        else:
            nodes.append(helper.make_node('Split', [f'qkv.{i}', 'qkv_split'], [f'q.{i}', f'k.{i}', f'v.{i}'], axis=2))
            nodes.append(helper.make_node('MultiHeadAttention', [f'q.{i}', f'k.{i}', f'v.{i}', f'{b}.c_attn.bias', 'mask_i32', ''] + past,
                                          present, domain='com.microsoft', num_heads=heads, unidirectional=1))
        product(f'{b}.c_proj.bias', f'attn.{i}', f'o.{i}')
        skip_norm(f'o.{i}', f'x.{i}', f'{b}.ln_2', f'{b}.c_proj.bias', f'ln2.{i}', f'a.{i}')
        product(f'{b}.fc.bias', f'ln2.{i}', f'h.{i}')
        nodes.append(helper.make_node('FastGelu', [f'h.{i}', f'{b}.fc.bias'], [f'g.{i}'], domain='com.microsoft'))
        product(f'{b}.proj.bias', f'g.{i}', f'm.{i}')
        last = i + 1 == layers
        skip_norm(f'm.{i}', f'a.{i}', 'ln_f' if last else f'blocks.{i + 1}.ln_1', f'{b}.proj.bias', 'ln_f' if last else f'ln1.{i + 1}', f'x.{i + 1}')
    # The tail as the source has it (the last positions' logits, the LM head), reading the fused ln_f.
    start = next(k for k, n in enumerate(graph.node) if n.output[0] == '/ln_f/Add_1_output_0') + 1
    for n in graph.node[start:]:
        nodes.append(copy(n, **{'/ln_f/Add_1_output_0': 'ln_f'}))
        keep.update(i for i in n.input if i in inits)
    inputs = list(graph.input)
    if in_place:
        inputs += [helper.make_tensor_value_info('seqlens_k', TensorProto.INT32, [1]),
                   helper.make_tensor_value_info('total_sequence_length', TensorProto.INT32, [])]
    save(helper.make_graph(nodes, 'fused', inputs, list(graph.output), [inits[k] for k in sorted(keep)] + added), dst)
    print(f'{dst}: {len(graph.node)} operators -> {len(nodes)}')


def products(src, dst):
    graph = onnx.load(src).graph
    inits = {i.name: i for i in graph.initializer}
    producer = {o: n for n in graph.node for o in n.output}
    nodes, outputs, widths, keep = [], [], {}, set()
    for n in graph.node:
        weight = n.input[1] if len(n.input) > 1 else ''
        if n.op_type == 'MatMul' and weight in producer and producer[weight].op_type == 'Transpose' and producer[weight].input[0] in inits:
            width = inits[producer[weight].input[0]].dims[1]
            nodes.append(copy(producer[weight]))
            keep.add(producer[weight].input[0])
        elif n.op_type == 'MatMulNBits':
            width = next(a.i for a in n.attribute if a.name == 'K')
            keep.update(n.input[1:])
        else:
            continue
        c = copy(n, **{n.input[0]: f'x{width}'})
        c.output[0] = f'{n.output[0]}.alone'
        nodes.append(c)
        outputs.append(c.output[0])
        widths[f'x{width}'] = width
    save(helper.make_graph(nodes, 'products', [helper.make_tensor_value_info(x, TensorProto.FLOAT, [1, 1, w]) for x, w in widths.items()],
                           [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outputs], [inits[k] for k in sorted(keep)]), dst)
    print(f'{dst}: {len(outputs)} products')


def save(graph, dst):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 14), helper.make_opsetid('com.microsoft', 1)])
    model.ir_version = 8
    onnx.save(model, dst)


if __name__ == '__main__':
    mode, src, dst = sys.argv[1:4]
    if mode == 'fused':
        fused(src, dst, '--in-place-kv' in sys.argv[4:])
    elif mode == 'products':
        products(src, dst)
    else:
        sys.exit(f'unknown mode {mode}')
