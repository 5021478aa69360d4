"""Weight-only quantization of an exported decoder for onnxruntime's CPU kernels.

    /usr/bin/python3 training/quantize.py MODEL_DIR --bits 4            # -> onnx/model_q4.onnx
    /usr/bin/python3 training/quantize.py MODEL_DIR --bits 8            # -> onnx/model_int8.onnx
    options: --block-size 32 --accuracy-level 4 --asymmetric --embeddings fp32|int8
             --lm-head nbits|fp32 --eval TEXT.jsonl --max-tokens N --limit-bpb 0.05

Every MatMul whose weight is a constant 2-D float matrix [K, N] becomes onnxruntime's
`com.microsoft.MatMulNBits` (the layout transformers.js's q4 files use): the weight is
stored transposed as [N, ceil(K / block), block * bits / 8] bytes, codes packed low
nibble first, one float scale per block, and, when asymmetric, one zero point per block
(packed two per byte at 4 bits). Symmetric blocks use the kernel's default zero point
(8 at 4 bits, 128 at 8 bits) and a scale chosen so the block's largest-magnitude weight
lands exactly on the end of the code range.

With `--embeddings int8` the token-embedding table of a Gather is stored as int8 with
one scale per row and dequantized after the Gather (only the looked-up rows).

The output is written next to the input in the hub's naming (`onnx/model_q4.onnx`,
`onnx/model_int8.onnx`), so the same folder loads in transformers.js. With `--eval`,
`training/score_lm.cjs` scores the original and the quantized file on held-out text in
onnxruntime-node and the script prints bits per byte, perplexity, top-1 agreement under
teacher forcing, and the file sizes; it exits 3 when the quantized model's bits per byte
exceed the original's by more than `--limit-bpb` (relative; default 5%).
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

TRAINING_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_DIR = os.path.dirname(TRAINING_DIR)


def quantize_blocks(w, bits, block, asymmetric):
    """w: [K, N] float32. Returns packed [N, kb, block*bits/8] uint8, scales [N*kb], zp or None."""
    k, n = w.shape
    kb = (k + block - 1) // block
    wt = np.zeros((n, kb * block), dtype=np.float32)
    wt[:, :k] = w.T
    blocks = wt.reshape(n, kb, block)
    qmax = (1 << bits) - 1
    if asymmetric:
        lo = np.minimum(blocks.min(axis=2), 0.0)
        hi = np.maximum(blocks.max(axis=2), 0.0)
        scale = (hi - lo) / qmax
        scale[scale == 0] = 1.0
        zp = np.clip(np.round(-lo / scale), 0, qmax).astype(np.uint8)
    else:
        # Signed value of largest magnitude maps to the end of the range (-2^(bits-1)).
        idx = np.abs(blocks).argmax(axis=2)
        peak = np.take_along_axis(blocks, idx[..., None], axis=2)[..., 0]
        scale = peak / -(1 << (bits - 1))
        scale[scale == 0] = 1.0
        zp = np.full(scale.shape, 1 << (bits - 1), dtype=np.uint8)
    q = np.clip(np.round(blocks / scale[..., None]) + zp[..., None], 0, qmax).astype(np.uint8)
    if bits == 4:
        packed = (q[..., 0::2] | (q[..., 1::2] << 4)).astype(np.uint8)
    elif bits == 8:
        packed = q
    else:
        raise ValueError("bits must be 4 or 8")
    zp_out = None
    if asymmetric:
        if bits == 4:
            zpad = np.full((n, (kb + 1) // 2 * 2), 8, dtype=np.uint8)
            zpad[:, :kb] = zp
            zp_out = (zpad[:, 0::2] | (zpad[:, 1::2] << 4)).reshape(-1)
        else:
            zp_out = zp.reshape(-1)
    return packed, scale.astype(np.float32).reshape(-1), zp_out


def dequantize_blocks(packed, scales, zp, k, bits, block, asymmetric):
    """Inverse of quantize_blocks (for the error report). Returns [K, N]."""
    n, kb, _ = packed.shape
    if bits == 4:
        q = np.empty((n, kb, block), dtype=np.float32)
        q[..., 0::2] = packed & 0x0F
        q[..., 1::2] = packed >> 4
    else:
        q = packed.astype(np.float32)
    if asymmetric:
        if bits == 4:
            z = np.empty((n, (kb + 1) // 2 * 2), dtype=np.float32)
            zz = zp.reshape(n, -1)
            z[:, 0::2] = zz & 0x0F
            z[:, 1::2] = zz >> 4
            z = z[:, :kb]
        else:
            z = zp.reshape(n, kb).astype(np.float32)
    else:
        z = np.full((n, kb), 1 << (bits - 1), dtype=np.float32)
    w = (q - z[..., None]) * scales.reshape(n, kb)[..., None]
    return w.reshape(n, kb * block)[:, :k].T


def _attr(node, name, default):
    for a in node.attribute:
        if a.name == name:
            return helper.get_attribute_value(a)
    return default


def find_linear_layers(graph, inits):
    """Nodes computing A @ W with a constant W, as (node index, W [K, N], bias name or None).

    Covers what exporters write: MatMul on a [K, N] initializer (Optimum's GPT-2 Conv1D,
    Llama), MatMul on Transpose([N, K] initializer) (torch.onnx of nn.Linear), and Gemm
    with transB (tied LM heads)."""
    producers = {o: n for n in graph.node for o in n.output}
    found = []
    for index, node in enumerate(graph.node):
        if node.op_type == "MatMul":
            b = node.input[1]
            if b in inits and len(inits[b].dims) == 2:
                found.append((index, numpy_helper.to_array(inits[b]).astype(np.float32), None))
                continue
            t = producers.get(b)
            if t is not None and t.op_type == "Transpose" and t.input[0] in inits and len(inits[t.input[0]].dims) == 2 \
                    and list(_attr(t, "perm", [1, 0])) == [1, 0]:
                found.append((index, numpy_helper.to_array(inits[t.input[0]]).astype(np.float32).T, None))
        elif node.op_type == "Gemm" and node.input[1] in inits and not _attr(node, "transA", 0) \
                and _attr(node, "alpha", 1.0) == 1.0 and _attr(node, "beta", 1.0) == 1.0:
            w = numpy_helper.to_array(inits[node.input[1]]).astype(np.float32)
            found.append((index, w.T if _attr(node, "transB", 0) else w, node.input[2] if len(node.input) > 2 else None))
    return found


def quantize_model(src, dst, bits, block, accuracy_level, asymmetric, embeddings, lm_head):
    model = onnx.load(src, load_external_data=True)
    graph = model.graph
    inits = {t.name: t for t in graph.initializer}
    linear = {index: (w, bias) for index, w, bias in find_linear_layers(graph, inits)}
    report = {"bits": bits, "block_size": block, "accuracy_level": accuracy_level, "asymmetric": asymmetric,
              "embeddings": embeddings, "lm_head": lm_head, "matmuls": []}
    new_nodes = []
    for index, original in enumerate(graph.node):
        node = onnx.NodeProto()
        node.CopyFrom(original)
        is_head = "logits" in node.output or node.op_type == "Gemm"
        if index in linear and not (lm_head == "fp32" and is_head):
            w, bias = linear[index]
            k, n = w.shape
            packed, scales, zp = quantize_blocks(w, bits, block, asymmetric)
            err = dequantize_blocks(packed, scales, zp, k, bits, block, asymmetric) - w
            rel = float(np.sqrt((err ** 2).mean()) / (np.sqrt((w ** 2).mean()) + 1e-12))
            base = (node.name or node.output[0]).strip("/").replace("/", "_") + f"_q{bits}"
            graph.initializer.extend([numpy_helper.from_array(packed, base), numpy_helper.from_array(scales, base + "_scales")])
            inputs = [node.input[0], base, base + "_scales"]
            if zp is not None:
                graph.initializer.append(numpy_helper.from_array(zp, base + "_zp"))
                inputs.append(base + "_zp")
            out = node.output[0] if bias is None else node.output[0] + "_nobias"
            new_nodes.append(helper.make_node(
                "MatMulNBits", inputs, [out], name=base, domain="com.microsoft",
                K=k, N=n, bits=bits, block_size=block, accuracy_level=accuracy_level))
            if bias is not None:
                new_nodes.append(helper.make_node("Add", [out, bias], [node.output[0]], name=base + "_bias"))
            report["matmuls"].append({"name": node.name, "K": k, "N": n, "relative_rms_error": rel})
        elif node.op_type == "Gather" and embeddings == "int8" and node.input[0] in inits \
                and len(inits[node.input[0]].dims) == 2 and inits[node.input[0]].dims[0] > 1024:
            table = numpy_helper.to_array(inits[node.input[0]]).astype(np.float32)
            scale = np.abs(table).max(axis=1) / 127.0
            scale[scale == 0] = 1.0
            q = np.clip(np.round(table / scale[:, None]), -127, 127).astype(np.int8)
            base = node.input[0] + "_i8"
            graph.initializer.extend([numpy_helper.from_array(q, base), numpy_helper.from_array(scale.astype(np.float32), base + "_scale")])
            out = node.output[0]
            rows, row_scale, rows_f, row_scale_u = (out + s for s in ("_rows_i8", "_row_scale", "_rows_f", "_row_scale_u"))
            axes = base + "_axes"
            graph.initializer.append(numpy_helper.from_array(np.array([-1], dtype=np.int64), axes))
            new_nodes += [
                helper.make_node("Gather", [base, node.input[1]], [rows], name=node.name + "_q"),
                helper.make_node("Gather", [base + "_scale", node.input[1]], [row_scale], name=node.name + "_qs"),
                helper.make_node("Cast", [rows], [rows_f], to=TensorProto.FLOAT, name=node.name + "_cast"),
                helper.make_node("Unsqueeze", [row_scale, axes], [row_scale_u], name=node.name + "_unsq"),
                helper.make_node("Mul", [rows_f, row_scale_u], [out], name=node.name + "_deq"),
            ]
            report["embedding_int8"] = {"name": node.input[0], "shape": list(table.shape)}
        else:
            new_nodes.append(node)
    # Drop what nothing reads any more: float weights and their Transposes (a tied table
    # may still feed a Gather and stays).
    while True:
        used = {name for n in new_nodes for name in n.input} | {o.name for o in graph.output}
        alive = [n for n in new_nodes if any(o in used for o in n.output)]
        if len(alive) == len(new_nodes):
            break
        new_nodes = alive
    del graph.node[:]
    graph.node.extend(new_nodes)
    used = {name for n in new_nodes for name in n.input}
    keep = []
    for t in graph.initializer:
        if t.name in used:
            c = onnx.TensorProto()
            c.CopyFrom(t)
            keep.append(c)
    del graph.initializer[:]
    graph.initializer.extend(keep)
    if not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    model.producer_name = "inkwell-quantize"
    size = sum(t.ByteSize() for t in graph.initializer)
    if size > 1.8e9:
        onnx.save(model, dst, save_as_external_data=True, all_tensors_to_one_file=True,
                  location=os.path.basename(dst) + "_data")
    else:
        onnx.save(model, dst)
    return report


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model_dir")
    ap.add_argument("--src", default="onnx/model.onnx", help="input file inside MODEL_DIR")
    ap.add_argument("--bits", type=int, choices=(4, 8), default=4)
    ap.add_argument("--block-size", type=int, default=32, help="power of two >= 16")
    ap.add_argument("--accuracy-level", type=int, default=4, choices=(0, 1, 2, 3, 4),
                    help="MatMulNBits compute type: 0 unset, 1 fp32, 2 fp16, 3 bf16, 4 int8 activations")
    ap.add_argument("--asymmetric", action="store_true")
    ap.add_argument("--embeddings", choices=("fp32", "int8"), default="fp32")
    ap.add_argument("--lm-head", choices=("nbits", "fp32"), default="nbits")
    ap.add_argument("--out", help="output file (default onnx/model_q4.onnx or onnx/model_int8.onnx)")
    ap.add_argument("--eval", help="held-out text (.jsonl with a 'text' field, or plain text) to score both files on")
    ap.add_argument("--max-tokens", type=int, default=50000)
    ap.add_argument("--limit-bpb", type=float, default=0.05,
                    help="largest accepted relative rise in bits per byte (default 0.05 = 5%%)")
    ap.add_argument("--report", help="write the JSON report here (default next to the output)")
    a = ap.parse_args()
    if a.block_size < 16 or a.block_size & (a.block_size - 1):
        ap.error("--block-size must be a power of two >= 16")
    src = os.path.join(a.model_dir, a.src)
    out = a.out or os.path.join(a.model_dir, "onnx", "model_q4.onnx" if a.bits == 4 else "model_int8.onnx")
    report = quantize_model(src, out, a.bits, a.block_size, a.accuracy_level, a.asymmetric, a.embeddings, a.lm_head)
    report["file"] = os.path.basename(out)
    report["source_bytes"] = os.path.getsize(src)
    report["output_bytes"] = os.path.getsize(out)
    print(f"wrote {out}: {report['output_bytes']/1e6:.2f} MB (from {report['source_bytes']/1e6:.2f} MB), "
          f"{len(report['matmuls'])} MatMul -> MatMulNBits")
    rc = 0
    if a.eval:
        # windows of 256 tokens, or the model's context when it is shorter
        with open(os.path.join(a.model_dir, "config.json")) as f:
            window = min(256, int(json.load(f).get("n_positions", 256)))
        res = subprocess.run(["node", os.path.join(TRAINING_DIR, "score_lm.cjs"), "--model-dir", a.model_dir,
                              "--onnx", src, "--onnx", out, "--text", a.eval, "--max-tokens", str(a.max_tokens),
                              "--window", str(window)],
                             check=True, cwd=REPO_DIR, capture_output=True, text=True)
        ref, cand = json.loads(res.stdout)
        rise = cand["bits_per_byte"] / ref["bits_per_byte"] - 1
        report["eval"] = {"text": a.eval, "tokens": ref["tokens"], "reference": ref, "quantized": cand,
                          "relative_bpb_rise": rise, "limit": a.limit_bpb, "within_limit": rise <= a.limit_bpb}
        print(f"held-out {ref['tokens']} tokens: bits/byte {ref['bits_per_byte']:.4f} -> {cand['bits_per_byte']:.4f} "
              f"({rise*100:+.2f}%, limit +{a.limit_bpb*100:.1f}%), perplexity {ref['perplexity']:.2f} -> "
              f"{cand['perplexity']:.2f}, top-1 agreement {cand['top1_agreement_with_first']*100:.2f}%")
        if rise > a.limit_bpb:
            print("quantized model exceeds the quality limit", file=sys.stderr)
            rc = 3
    with open(a.report or out + ".report.json", "w") as f:
        json.dump(report, f, indent=2)
    sys.exit(rc)


if __name__ == "__main__":
    main()
