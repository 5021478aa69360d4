"""Fine-tune the shipped Inkwell GPT on your own Markdown posts.

    /usr/bin/python3 training/finetune_gpt.py --posts ~/blog/content --out models/my-gpt

Reads every .md / .markdown file under --posts (recursively), strips YAML (---)
or TOML (+++) frontmatter, fine-tunes the model in --base (default
models/inkwell-gpt; weights are read from its onnx/model.onnx) and writes a model
folder with the same layout (config.json, tokenizer files, onnx/model.onnx,
MODEL_CARD.md), verified with onnxruntime-node. Re-running resumes from
--run-dir. Add --device cuda on a GPU machine.
"""
import argparse
import hashlib
import json
import math
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import bpe  # noqa: E402
import export_gpt  # noqa: E402
from gpt_model import GPTConfig  # noqa: E402
from loss_mask import loss_weights, token_bytes  # noqa: E402

FRONTMATTER = re.compile(r"\A\ufeff?(?:---[ \t]*\r?\n.*?\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)|\+\+\+[ \t]*\r?\n.*?\r?\n\+\+\+[ \t]*(?:\r?\n|\Z))", re.S)


def strip_frontmatter(text):
    return FRONTMATTER.sub("", text, count=1).lstrip("\ufeff")


def read_posts(folder):
    posts = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "node_modules")
        for fn in sorted(files):
            if fn.lower().endswith((".md", ".markdown")):
                with open(os.path.join(root, fn), encoding="utf-8", errors="replace") as f:
                    body = strip_frontmatter(f.read()).strip()
                if body:
                    posts.append((os.path.relpath(os.path.join(root, fn), folder), body))
    return posts


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--posts", required=True, help="folder with Markdown posts")
    p.add_argument("--out", required=True, help="output model folder")
    p.add_argument("--base", default=os.path.join(common.REPO_DIR, "models", "inkwell-gpt"))
    p.add_argument("--run-dir", default=None, help="checkpoint folder (default: training/runs/finetune-<hash of --out>)")
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--time-budget-min", type=float, default=0.0, help="stop after this many minutes (0 = use --steps)")
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--lr", type=float, default=3e-4)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--val-frac", type=float, default=0.1)
    p.add_argument("--aligned", action="store_true",
                   help="start every training window at a post's first token (for exercises shorter than the context, "
                        "whose end depends on their beginning), instead of anywhere")
    p.add_argument("--loss-after", default=None, metavar="MARKER",
                   help="train only on what follows MARKER in each post (and its end of text): for exercises whose "
                        "first part is given, like a rewrite's original; a post without MARKER adds no loss")
    p.add_argument("--no-heldout", action="store_true",
                   help="skip bits per byte on the base corpus's held-out set (training/data/text/eval.jsonl)")
    return p.parse_args(argv)


def windows(arr, ctx):
    n = max(1, (len(arr) - 1) // ctx)
    return n


@torch.no_grad()
def eval_loss(model, arr, ctx, device, max_windows=64, weights=None):
    """Mean next-token loss over consecutive windows; with weights (one per token of arr), only
    the tokens weighted 1 count."""
    model.eval()
    ctx = min(ctx, len(arr) - 1)
    n = min(max_windows, (len(arr) - 1) // ctx)
    tot, cnt = 0.0, 0.0
    for i in range(n):
        x = torch.from_numpy(arr[i * ctx:(i + 1) * ctx][None]).to(device)
        y = torch.from_numpy(arr[i * ctx + 1:(i + 1) * ctx + 1][None]).to(device)
        w = torch.ones(ctx) if weights is None else torch.from_numpy(weights[i * ctx + 1:(i + 1) * ctx + 1])
        logits, _ = model(x)
        tot += float((F.cross_entropy(logits[0], y[0], reduction="none") * w.to(device)).sum())
        cnt += float(w.sum())
    model.train()
    return tot / max(cnt, 1)


@torch.no_grad()
def eval_bpb(model, arr, ctx, device, nbytes, max_windows=64):
    """Bits per byte of next-token prediction over the same windows as eval_loss: summed loss in
    bits divided by the UTF-8 bytes of the predicted tokens (comparable across tokenizers)."""
    model.eval()
    ctx = min(ctx, len(arr) - 1)
    n = min(max_windows, (len(arr) - 1) // ctx)
    nats, nb = 0.0, 0
    for i in range(n):
        x = torch.from_numpy(arr[i * ctx:(i + 1) * ctx][None]).to(device)
        y = arr[i * ctx + 1:(i + 1) * ctx + 1]
        logits, _ = model(x)
        nats += float(F.cross_entropy(logits[0], torch.from_numpy(y).to(device), reduction="sum"))
        nb += int(nbytes[y].sum())
    model.train()
    return nats / math.log(2) / max(nb, 1)


def heldout_arrays(tok):
    """The fixed evaluation set of the base model's corpus (training/data/text/eval.jsonl), per group."""
    path = os.path.join(common.DATA_DIR, "text", "eval.jsonl")
    if not os.path.exists(path):
        return {}
    out = {}
    for line in open(path, encoding="utf-8"):
        d = json.loads(line)
        out.setdefault(d["group"], []).extend(tok.encode(d["text"]) + [tok.eos_id])
    return {g: np.array(v, dtype=np.int64) for g, v in out.items()}


def main(argv=None):
    a = parse_args(argv)
    common.setup_threads(a.threads)
    common.set_seed(a.seed)
    run_dir = a.run_dir or os.path.join(common.RUNS_DIR, "finetune-" + hashlib.sha1(os.path.abspath(a.out).encode()).hexdigest()[:8])
    log = common.Logger(os.path.join(run_dir, "train.log"))
    log("args", json.dumps(vars(a)))
    with open(os.path.join(a.base, "config.json")) as f:
        conf = json.load(f)
    cfg = GPTConfig(vocab_size=conf["vocab_size"], n_positions=conf["n_positions"], n_layer=conf["n_layer"],
                    n_head=conf["n_head"], n_embd=conf["n_embd"], layer_norm_epsilon=conf.get("layer_norm_epsilon", 1e-5))
    tok = bpe.Tokenizer.load(os.path.join(a.base, "tokenizer.json"))
    posts = read_posts(a.posts)
    if not posts:
        sys.exit(f"no Markdown posts found under {a.posts}")
    n_val = int(len(posts) * a.val_frac) if len(posts) >= 5 else 0
    splits = {"train": posts[:len(posts) - n_val] if n_val else posts, "val": posts[len(posts) - n_val:] if n_val else []}
    nbytes = token_bytes(tok)
    arrays, weights = {}, {}
    for k, ps in splits.items():
        ids, ws = [], []
        for _, body in ps:
            t = tok.encode(body) + [tok.eos_id]
            ids.extend(t)
            # The end of text (0 bytes, after everything) counts where the answer does.
            ws.extend(loss_weights(body, t, nbytes, a.loss_after))
        arrays[k] = np.array(ids, dtype=np.int64)
        weights[k] = np.array(ws, dtype=np.float32)
    if a.loss_after is not None:
        log(f"loss on what follows {a.loss_after!r}: {int(weights['train'].sum()):,} of {len(arrays['train']):,} training tokens")
    log(f"posts: {len(posts)} ({len(splits['val'])} held out); train tokens {len(arrays['train']):,}, val tokens {len(arrays['val']):,}")
    if len(arrays["train"]) < 16:
        sys.exit("not enough text to fine-tune")
    ctx = min(cfg.n_positions, len(arrays["train"]) - 1)

    model = export_gpt.load_from_onnx(os.path.join(a.base, "onnx", "model.onnx"), cfg).to(a.device)
    eval_arr = arrays["val"] if len(arrays["val"]) > 16 else arrays["train"]
    eval_name = "held-out posts" if eval_arr is arrays["val"] else "training posts"
    eval_w = weights["val"] if eval_arr is arrays["val"] else weights["train"]
    if a.loss_after is not None:
        log(f"base model on {eval_name}, loss after the marker: {eval_loss(model, eval_arr, cfg.n_positions, a.device, weights=eval_w):.4f}")
    base_loss = eval_loss(model, eval_arr, cfg.n_positions, a.device)
    base_bpb = eval_bpb(model, eval_arr, cfg.n_positions, a.device, nbytes)
    log(f"base model on {eval_name}: {base_bpb:.4f} bits/byte (loss {base_loss:.4f}, ppl {math.exp(base_loss):.1f})")
    general = heldout_arrays(tok) if not a.no_heldout else {}
    base_general = {g: eval_bpb(model, arr, cfg.n_positions, a.device, nbytes, 24) for g, arr in general.items()}
    for g, v in base_general.items():
        log(f"base model on the held-out {g} set: {v:.4f} bits/byte")
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, betas=(0.9, 0.95), weight_decay=0.01)
    ckpt_path = os.path.join(run_dir, "ckpt.pt")
    step, elapsed = 0, 0.0
    ck = common.load_checkpoint(ckpt_path)
    if ck is not None:
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        step, elapsed = ck["step"], ck["elapsed"]
        log(f"resumed at step {step}")

    def prog():
        p1 = step / a.steps
        return max(p1, elapsed / (a.time_budget_min * 60)) if a.time_budget_min > 0 else p1

    model.train()
    train, train_w = arrays["train"], weights["train"]
    # Where posts start (after each end of text), for --aligned windows.
    starts = np.concatenate([[0], np.nonzero(train == tok.eos_id)[0] + 1])
    starts = starts[starts < len(train) - ctx]
    while prog() < 1.0:
        t0 = time.time()
        rng = np.random.default_rng(a.seed * 1_000_003 + step)
        if a.aligned and len(starts):
            ix = rng.choice(starts, size=a.batch)
        else:
            ix = rng.integers(0, len(train) - ctx, size=a.batch) if len(train) - ctx > 0 else np.zeros(a.batch, int)
        x = torch.from_numpy(np.stack([train[i:i + ctx] for i in ix])).to(a.device)
        y = torch.from_numpy(np.stack([train[i + 1:i + ctx + 1] for i in ix])).to(a.device)
        w = torch.from_numpy(np.stack([train_w[i + 1:i + ctx + 1] for i in ix])).to(a.device)
        lr = a.lr * min(1.0, (step + 1) / a.warmup) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, prog()))))
        for g in opt.param_groups:
            g["lr"] = lr
        logits, _ = model(x)
        per_token = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="none")
        loss = (per_token * w.reshape(-1)).sum() / w.sum().clamp(min=1.0)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        elapsed += time.time() - t0
        if step % 10 == 0:
            log(f"step {step} loss {float(loss):.4f} lr {lr:.2e} elapsed {elapsed/60:.1f}m")
        if step % 50 == 0:
            common.save_checkpoint(ckpt_path, model=model.state_dict(), opt=opt.state_dict(), step=step, elapsed=elapsed)
    common.save_checkpoint(ckpt_path, model=model.state_dict(), opt=opt.state_dict(), step=step, elapsed=elapsed)
    if a.loss_after is not None:
        log(f"fine-tuned on {eval_name}, loss after the marker: {eval_loss(model, eval_arr, cfg.n_positions, a.device, weights=eval_w):.4f}")
    final_loss = eval_loss(model, eval_arr, cfg.n_positions, a.device)
    final_bpb = eval_bpb(model, eval_arr, cfg.n_positions, a.device, nbytes)
    log(f"fine-tuned on {eval_name}: {final_bpb:.4f} bits/byte (loss {final_loss:.4f}, ppl {math.exp(final_loss):.1f})")
    final_general = {g: eval_bpb(model, arr, cfg.n_positions, a.device, nbytes, 24) for g, arr in general.items()}
    for g, v in final_general.items():
        log(f"fine-tuned on the held-out {g} set: {v:.4f} bits/byte (base {base_general[g]:.4f})")
    info = {"posts": len(posts), "val_posts": len(splits["val"]), "train_tokens": int(len(train)),
            "eval_on": eval_name, "base_bpb": base_bpb, "final_bpb": final_bpb,
            "base_heldout_bpb": base_general, "final_heldout_bpb": final_general,
            "base_ppl": math.exp(base_loss), "final_ppl": math.exp(final_loss),
            "steps": step, "train_time_s": elapsed, "env": common.env_info(), "args": vars(a)}
    with open(os.path.join(run_dir, "finetune.json"), "w") as f:
        json.dump(info, f, indent=1)

    def card(out_dir, cfg_, metrics, report, command, extra):
        text = f"""# Fine-tuned Inkwell GPT

Fine-tuned from `{os.path.relpath(a.base, common.REPO_DIR) if a.base.startswith(common.REPO_DIR) else a.base}` on {len(posts)} Markdown posts
(frontmatter stripped; {len(splits['val'])} held out), {len(train):,} training tokens.

```
{command}
```

| | |
|---|---|
| steps | {step} (batch {a.batch}×{ctx} tokens, lr {a.lr}) |
| time | {elapsed/60:.1f} min on {info['env'].get('cpu', '?')} |
| bits per byte on {eval_name}: base → fine-tuned | {info['base_bpb']:.4f} → **{info['final_bpb']:.4f}** |
| perplexity on {eval_name}: base → fine-tuned | {info['base_ppl']:.1f} → {info['final_ppl']:.1f} |
{''.join(f"| bits per byte on the base model's held-out {g} text: base → fine-tuned | {base_general[g]:.4f} → {final_general[g]:.4f} |" + chr(10) for g in sorted(final_general))}
| onnxruntime-node vs PyTorch max abs diff | {max(r['max_abs_diff'] for r in report['numeric_checks']):.2e} |
| greedy decoding matches (onnxruntime-node KV cache vs PyTorch) | {report['greedy_onnx_matches_torch']} |

The training data of the base model is described in its MODEL_CARD.md; the
posts used here stay on your machine and are not part of this folder.

## Samples (greedy, 100 tokens)

{export_gpt._fmt_samples(report['greedy'])}
"""
        with open(os.path.join(out_dir, "MODEL_CARD.md"), "w") as f:
            f.write(text)

    export_gpt.export(model.cpu(), tok, a.out, run_dir, log,
                      command=f"/usr/bin/python3 training/finetune_gpt.py --posts {a.posts} --out {a.out}",
                      card_writer=card)


if __name__ == "__main__":
    main()
