"""Training throughput of candidate GPT sizes, for planning a time-budgeted run.

    nice -n 10 /usr/bin/python3 training/bench_gpt.py --steps 24 --out training/bench_gpt.json

Runs a few optimizer steps (AdamW, batch × sequence length tokens, random token ids:
the cost does not depend on the data) for each size in SIZES and reports tokens/s
measured on the wall clock, the CPU time the process got, the load average around
the measurement, and the throughput scaled to an unshared machine
(tokens/s × threads × wall / CPU time: what the steps would do with every core to
themselves). Also prints the compute-optimal plan for a time budget (see `plan`).

    /usr/bin/python3 training/bench_gpt.py --from-json training/runs/bench_gpt.json   # plan only
"""
import argparse
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from gpt_model import GPT, GPTConfig  # noqa: E402

# (name, layers, heads, width)
SIZES = [("S", 4, 4, 128), ("M", 4, 4, 192), ("L", 6, 4, 256)]


def step_flops(cfg, params_nonemb, tokens):
    """Training FLOPs of one step: 6 per weight per token for the blocks and the tied LM head,
    plus attention scores (12·layers·ctx·width per token, forward and backward)."""
    per_token = 6 * (params_nonemb + cfg.n_embd * cfg.vocab_size) + 12 * cfg.n_layer * cfg.n_positions * cfg.n_embd
    return per_token * tokens


def bench(name, n_layer, n_head, n_embd, a):
    torch.manual_seed(0)
    cfg = GPTConfig(vocab_size=a.vocab_size, n_positions=a.ctx, n_layer=n_layer, n_head=n_head, n_embd=n_embd)
    model = GPT(cfg)
    params = model.num_params()
    emb = model.wte.weight.numel() + model.wpe.weight.numel()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.95), weight_decay=0.1)
    x = torch.randint(0, a.vocab_size, (a.batch, a.ctx + 1))
    model.train()

    def one():
        logits, _ = model(x[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), x[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    for _ in range(a.warmup):
        one()
    load0 = os.getloadavg()[0]
    t0, c0 = time.time(), time.process_time()
    for _ in range(a.steps):
        one()
    wall, cpu = time.time() - t0, time.process_time() - c0
    load1 = os.getloadavg()[0]
    tokens = a.steps * a.batch * a.ctx
    tps = tokens / wall
    cores_got = cpu / wall
    threads = torch.get_num_threads()
    r = {"name": name, "n_layer": n_layer, "n_head": n_head, "n_embd": n_embd, "params": params,
         "params_nonembedding": params - emb, "steps": a.steps, "batch": a.batch, "ctx": a.ctx,
         "wall_s": wall, "cpu_s": cpu, "cores_used": cores_got, "threads": threads,
         "load_avg_1min_before_after": [load0, load1], "tokens_per_s": tps,
         "tokens_per_s_unshared": tps * threads / max(cores_got, 1e-9),  # upper bound: linear in cores
         "gflops_per_s": step_flops(cfg, params - emb, a.batch * a.ctx) * a.steps / wall / 1e9}
    print(json.dumps(r), flush=True)
    return r


def quiet_tokens_per_s(r):
    """Throughput on the same machine without other jobs. A run that got at least 75% of its
    threads' cores was parallel and slowed by contention: scaled by threads / cores obtained. A
    run that got less stayed near one core although the load average left more to share (small
    matrices do not split across threads, so it would not use a free core either): not scaled."""
    if r["cores_used"] >= 0.75 * r["threads"]:
        return r["tokens_per_s"] * r["threads"] / r["cores_used"]
    return r["tokens_per_s"]


def chinchilla_loss(n, d):
    """Hoffmann et al. (2022) parametric fit L(N, D) = E + A/N^a + B/D^b (their fitted constants);
    used only to rank sizes: absolute values do not transfer to this tokenizer and data."""
    return 1.69 + 406.4 / n ** 0.34 + 410.7 / d ** 0.28


def plan(results, budget_s, tokens_per_param):
    """For each measured size: tokens it can train on in the budget at its quiet-machine throughput,
    tokens per parameter, and the Chinchilla fit's loss for that (N, D); the choice is the size
    with the lowest predicted loss (the compute-optimal one for this budget and these throughputs;
    at a fixed FLOP rate that is the size near `tokens_per_param` tokens per parameter)."""
    rows = []
    for r in results:
        q = quiet_tokens_per_s(r)
        d = q * budget_s
        rows.append({"name": r["name"], "params": r["params"], "quiet_tokens_per_s": q, "tokens_in_budget": d,
                     "tokens_per_param": d / r["params"], "predicted_loss": chinchilla_loss(r["params"], d)})
    best = min(rows, key=lambda x: x["predicted_loss"])
    return rows, best


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=24)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--ctx", type=int, default=512)
    p.add_argument("--vocab-size", type=int, default=8192)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--sizes", default=",".join(s[0] for s in SIZES))
    p.add_argument("--budget-min", type=float, default=150.0)
    p.add_argument("--tokens-per-param", type=float, default=20.0)
    p.add_argument("--out", default=None)
    p.add_argument("--from-json", default=None, help="plan from the results of an earlier run")
    a = p.parse_args()
    if a.from_json:
        prev = json.load(open(a.from_json))
        rows, best = plan(prev["results"], a.budget_min * 60, a.tokens_per_param)
        for r in rows:
            print(f"{r['name']}: {r['params']/1e6:.2f}M params, {r['quiet_tokens_per_s']:.0f} tokens/s quiet, "
                  f"{r['tokens_in_budget']/1e6:.1f}M tokens in {a.budget_min:.0f} min = "
                  f"{r['tokens_per_param']:.1f} tokens/param, predicted loss {r['predicted_loss']:.3f}")
        print(f"lowest predicted loss (Chinchilla fit): {best['name']}")
        return
    common.setup_threads(a.threads)
    env = common.env_info()
    print(json.dumps({"env": env, "cpu_count": os.cpu_count()}), flush=True)
    results = [bench(*s, a) for s in SIZES if s[0] in a.sizes.split(",")]
    rows, best = plan(results, a.budget_min * 60, a.tokens_per_param)
    for r in rows:
        print(f"{r['name']}: {r['params']/1e6:.2f}M params, {r['quiet_tokens_per_s']:.0f} tokens/s quiet, "
              f"{r['tokens_in_budget']/1e6:.1f}M tokens in {a.budget_min:.0f} min = {r['tokens_per_param']:.1f} "
              f"tokens/param, predicted loss {r['predicted_loss']:.3f}")
    print(f"lowest predicted loss (Chinchilla fit): {best['name']}")
    if a.out:
        with open(a.out, "w") as f:
            json.dump({"env": env, "args": vars(a), "results": results, "plan": rows, "choice": best}, f, indent=1)


if __name__ == "__main__":
    main()
