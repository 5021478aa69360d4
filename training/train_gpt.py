"""Train the default Inkwell GPT (GPT-2 architecture, 3.45M parameters, context 512) and export it.

The full run (corpus, training, export, quantization, evaluation, model card) is
    bash training/run_default_gpt.sh
CPU (default settings: 4 layers × 192, batch 16×512, a 140-minute time budget, cosine
learning-rate schedule over the budget):
    /usr/bin/python3 training/train_gpt.py --out models/inkwell-gpt
GPU with larger settings:
    /usr/bin/python3 training/train_gpt.py --device cuda --n-layer 8 --n-embd 512 --n-head 8 \
        --batch 64 --steps 20000 --time-budget-min 0 --out models/inkwell-gpt

Re-running the same command resumes from training/runs/gpt-default/ckpt.pt (checkpoints every
100 steps, at least every 5 minutes, and on SIGTERM).
"""
import argparse
import json
import math
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402  (sets OPENBLAS_CORETYPE before torch loads)
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import bpe  # noqa: E402
import data  # noqa: E402
from corpus import tokens as corpus_tokens  # noqa: E402
from gpt_model import GPT, GPTConfig  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default=os.path.join(common.REPO_DIR, "models", "inkwell-gpt"))
    p.add_argument("--run-dir", default=os.path.join(common.RUNS_DIR, "gpt-default"))
    p.add_argument("--text-dir", default=None,
                   help="corpus folder (default training/data/text, built by data.py text; "
                        "training/data/text-permissive after data.py text --exclude-copyleft)")
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=0, help="torch threads (default: all cores)")
    p.add_argument("--seed", type=int, default=1337)
    p.add_argument("--vocab-size", type=int, default=8192)
    p.add_argument("--n-layer", type=int, default=4)
    p.add_argument("--n-head", type=int, default=4)
    p.add_argument("--n-embd", type=int, default=192)
    p.add_argument("--ctx", type=int, default=512)
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--steps", type=int, default=200000, help="max optimizer steps")
    p.add_argument("--time-budget-min", type=float, default=140.0,
                   help="train for this many minutes; the cosine schedule follows elapsed/budget. "
                        "0 = schedule over --steps instead (use with --device cuda)")
    p.add_argument("--lr", type=float, default=1.5e-3)
    p.add_argument("--min-lr-frac", type=float, default=0.1)
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--weight-decay", type=float, default=0.1)
    p.add_argument("--eval-every", type=int, default=200)
    p.add_argument("--eval-windows", type=int, default=48)
    p.add_argument("--ckpt-every", type=int, default=100, help="checkpoint every N steps")
    p.add_argument("--ckpt-minutes", type=float, default=5.0, help="and at least every N minutes")
    p.add_argument("--final-eval-windows", type=int, default=240,
                   help="held-out windows for the final perplexity (0 = all)")
    p.add_argument("--no-export", action="store_true")
    return p.parse_args(argv)


def val_bytes_per_token(run_dir):
    """UTF-8 bytes per token of the held-out split (tokens.json), to turn a loss into bits per byte."""
    try:
        c = json.load(open(os.path.join(run_dir, "tokens.json")))["val"]
        return sum(c["bytes_per_source"].values()) / max(1, c["total"])
    except (OSError, KeyError, ValueError):
        return None


def bpb(loss, bytes_per_token):
    return loss / math.log(2) / bytes_per_token if bytes_per_token else float("nan")


def progress(step, elapsed, a):
    if a.time_budget_min > 0:
        return min(1.0, elapsed / (a.time_budget_min * 60.0))
    return min(1.0, step / max(1, a.steps))


def lr_at(step, prog, a):
    if step < a.warmup:
        return a.lr * (step + 1) / a.warmup
    return a.lr * (a.min_lr_frac + (1 - a.min_lr_frac) * 0.5 * (1 + math.cos(math.pi * prog)))


def get_batch(arr, batch, ctx, rng):
    ix = rng.integers(0, len(arr) - ctx - 1, size=batch)
    x = np.stack([arr[i:i + ctx] for i in ix])
    y = np.stack([arr[i + 1:i + ctx + 1] for i in ix])
    return torch.from_numpy(x), torch.from_numpy(y)


@torch.no_grad()
def evaluate(model, arr, ctx, max_windows=None, device="cpu", batch=16):
    """Mean next-token loss over non-overlapping windows of the held-out split."""
    model.eval()
    total = (len(arr) - 1) // ctx
    # evenly spaced windows so a partial evaluation still covers both sources
    wins = np.unique(np.linspace(0, total - 1, min(total, max_windows)).astype(int)) if max_windows else np.arange(total)
    tot, cnt = 0.0, 0
    for s in range(0, len(wins), batch):
        idx = wins[s:s + batch]
        x = torch.from_numpy(np.stack([arr[i * ctx:(i + 1) * ctx] for i in idx])).to(device)
        y = torch.from_numpy(np.stack([arr[i * ctx + 1:(i + 1) * ctx + 1] for i in idx])).to(device)
        logits, _ = model(x)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="sum")
        tot += float(loss)
        cnt += y.numel()
    model.train()
    return tot / cnt


def main(argv=None):
    a = parse_args(argv)
    nthreads = common.setup_threads(a.threads)
    common.set_seed(a.seed)
    log = common.Logger(os.path.join(a.run_dir, "train.log"))
    log("env", json.dumps(common.env_info()))
    log("args", json.dumps(vars(a)))
    tok, arrays = corpus_tokens.prepare(a.run_dir, a.vocab_size, log, text_dir=a.text_dir)
    bytes_per_token = val_bytes_per_token(a.run_dir)
    cfg = GPTConfig(vocab_size=len(tok.vocab), n_positions=a.ctx, n_layer=a.n_layer, n_head=a.n_head,
                    n_embd=a.n_embd, dropout=a.dropout)
    model = GPT(cfg).to(a.device)
    log(f"model params: {model.num_params():,}")
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": a.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=a.lr, betas=(0.9, 0.95))
    ckpt_path = os.path.join(a.run_dir, "ckpt.pt")
    step, elapsed, history = 0, 0.0, []
    ck = common.load_checkpoint(ckpt_path)
    if ck is not None:
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        step, elapsed, history = ck["step"], ck["elapsed"], ck.get("history", [])
        log(f"resumed from step {step} ({elapsed/60:.1f} min trained)")
    stop = {"flag": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(flag=True))
    model.train()
    tokens_per_step = a.batch * a.ctx
    t_last = t_win = t_ckpt = time.time()
    loss_acc, n_acc = 0.0, 0
    while step < a.steps and progress(step, elapsed, a) < 1.0:
        rng = np.random.default_rng(a.seed * 1_000_003 + step)  # deterministic per step, resume-safe
        x, y = get_batch(arrays["train"], a.batch, a.ctx, rng)
        x, y = x.to(a.device), y.to(a.device)
        for g in opt.param_groups:
            g["lr"] = lr_at(step, progress(step, elapsed, a), a)
        logits, _ = model(x)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        loss_acc += float(loss)
        n_acc += 1
        now = time.time()
        elapsed += now - t_last
        t_last = now
        if step % 10 == 0:
            log(f"step {step}/{a.steps} loss {loss_acc/n_acc:.4f} lr {opt.param_groups[0]['lr']:.2e} "
                f"elapsed {elapsed/60:.1f}m tok/s {tokens_per_step * n_acc / max(now - t_win, 1e-9):.0f}")
            t_win = time.time()
            loss_acc, n_acc = 0.0, 0
        done = step >= a.steps or progress(step, elapsed, a) >= 1.0
        if step % a.eval_every == 0 or done:
            vl = evaluate(model, arrays["val"], a.ctx, a.eval_windows, a.device)
            history.append({"step": step, "val_loss": vl, "elapsed_s": elapsed})
            log(f"eval step {step}: val loss {vl:.4f} ppl {math.exp(vl):.2f} ≈{bpb(vl, bytes_per_token):.3f} bits/byte")
            t_last = t_win = time.time()
        if step % a.ckpt_every == 0 or time.time() - t_ckpt > a.ckpt_minutes * 60 or done or stop["flag"]:
            t_ckpt = time.time()
            common.save_checkpoint(ckpt_path, model=model.state_dict(), opt=opt.state_dict(), step=step,
                                   elapsed=elapsed, history=history, config=cfg.to_dict(), args=vars(a))
            t_last = t_win = time.time()
        if stop["flag"]:
            log(f"SIGTERM: checkpoint saved at step {step}, exiting")
            return
    metrics_path = os.path.join(a.run_dir, "metrics.json")
    if not os.path.exists(metrics_path):
        log("full held-out evaluation")
        t0 = time.time()
        vl = evaluate(model, arrays["val"], a.ctx, a.final_eval_windows or None, a.device)
        tl = evaluate(model, arrays["train"], a.ctx, 64, a.device)
        n_val_windows = (len(arrays["val"]) - 1) // a.ctx
        n_eval = min(n_val_windows, a.final_eval_windows or n_val_windows)
        metrics = {
            "val_loss": vl, "val_ppl": math.exp(vl), "train_loss_sample": tl, "train_ppl_sample": math.exp(tl),
            "val_bits_per_byte": bpb(vl, bytes_per_token), "val_bytes_per_token": bytes_per_token,
            "val_tokens": int(len(arrays["val"])), "val_windows_evaluated": int(n_eval),
            "val_windows_total": int(n_val_windows), "train_tokens": int(len(arrays["train"])),
            "steps": step, "tokens_seen": step * tokens_per_step, "train_time_s": elapsed,
            "tokens_per_s": step * tokens_per_step / max(elapsed, 1e-9), "params": model.num_params(),
            "threads": nthreads, "env": common.env_info(), "history": history, "args": vars(a),
            "config": cfg.to_dict(),
        }
        with open(metrics_path, "w") as f:
            json.dump(metrics, f, indent=1)
        log(f"held-out ppl {math.exp(vl):.2f} (loss {vl:.4f}, ≈{bpb(vl, bytes_per_token):.3f} bits/byte) in {time.time()-t0:.0f}s")
    if not a.no_export:
        import export_gpt
        model.cpu()
        export_gpt.export(model, tok, a.out, a.run_dir, log,
                          command="/usr/bin/python3 training/train_gpt.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
