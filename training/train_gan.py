"""Train the default Inkwell GAN (DCGAN, 32x32 RGBA emoji-style images) and export
generator.onnx + manifest.json to models/inkwell-gan.

    /usr/bin/python3 training/train_gan.py --out models/inkwell-gan
    /usr/bin/python3 training/train_gan.py --device cuda --time-budget-min 0 --steps 30000 --out models/inkwell-gan

Re-running the same command resumes from training/runs/gan/ckpt.pt.
Stabilisers: spectral-norm discriminator with hinge loss, EMA of the generator
weights (exported), and BatchNorm statistics re-estimated on the EMA generator.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch.nn.utils import spectral_norm as SN  # noqa: E402

import imgutil  # noqa: E402


class Generator(nn.Module):
    def __init__(self, z=64, w=64, ch=4):
        super().__init__()
        self.net = nn.Sequential(
            nn.ConvTranspose2d(z, 4 * w, 4, 1, 0, bias=False), nn.BatchNorm2d(4 * w), nn.ReLU(True),      # 4
            nn.ConvTranspose2d(4 * w, 2 * w, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * w), nn.ReLU(True),  # 8
            nn.ConvTranspose2d(2 * w, w, 4, 2, 1, bias=False), nn.BatchNorm2d(w), nn.ReLU(True),          # 16
            nn.ConvTranspose2d(w, ch, 4, 2, 1), nn.Tanh(),                                                 # 32
        )

    def forward(self, z):
        return self.net(z)


class Discriminator(nn.Module):
    def __init__(self, w=64, ch=4):
        super().__init__()
        self.net = nn.Sequential(
            SN(nn.Conv2d(ch, w, 4, 2, 1)), nn.LeakyReLU(0.2, True),           # 16
            SN(nn.Conv2d(w, 2 * w, 4, 2, 1)), nn.LeakyReLU(0.2, True),        # 8
            SN(nn.Conv2d(2 * w, 4 * w, 4, 2, 1)), nn.LeakyReLU(0.2, True),    # 4
            SN(nn.Conv2d(4 * w, 1, 4, 1, 0)),
        )

    def forward(self, x):
        return self.net(x).view(-1)


def add_model_args(p):
    p.add_argument("--lr-g", type=float, default=2e-4)
    p.add_argument("--lr-d", type=float, default=4e-4)
    p.add_argument("--ema", type=float, default=0.995)
    p.add_argument("--steps", type=int, default=1000000, help="max steps")


def parse_args(argv=None):
    return common.parse_training_args(argv, __doc__, "gan", seed=4242, zdim=64, batch=32, time_budget_min=55.0,
                                      budget_unit="--steps", add_model_args=add_model_args)


def main(argv=None):
    a = parse_args(argv)
    log = common.start_run(a)
    x01 = imgutil.load_emoji(32)
    if a.limit:
        x01 = x01[:a.limit]
    x_all = x01 * 2 - 1
    n = x_all.shape[0]
    G, D = Generator(a.zdim, a.width).to(a.device), Discriminator(a.width).to(a.device)
    ema = imgutil.EMA(G, a.ema)
    log(f"images {tuple(x_all.shape)}; params G {sum(p.numel() for p in G.parameters()):,} D {sum(p.numel() for p in D.parameters()):,}")
    opt_g = torch.optim.Adam(G.parameters(), lr=a.lr_g, betas=(0.0, 0.9))
    opt_d = torch.optim.Adam(D.parameters(), lr=a.lr_d, betas=(0.0, 0.9))
    ckpt_path = os.path.join(a.run_dir, "ckpt.pt")
    step, elapsed, history = 0, 0.0, []
    ck = common.load_checkpoint(ckpt_path)
    if ck is not None:
        G.load_state_dict(ck["G"])
        D.load_state_dict(ck["D"])
        ema.model.load_state_dict(ck["G_ema"])
        opt_g.load_state_dict(ck["opt_g"])
        opt_d.load_state_dict(ck["opt_d"])
        step, elapsed, history = ck["step"], ck["elapsed"], ck["history"]
        log(f"resumed at step {step} ({elapsed/60:.1f} min)")
    fixed_z = torch.randn(64, a.zdim, 1, 1, generator=torch.Generator().manual_seed(a.seed))

    def prog():
        return elapsed / (a.time_budget_min * 60) if a.time_budget_min > 0 else step / a.steps

    def save():
        common.save_checkpoint(ckpt_path, G=G.state_dict(), D=D.state_dict(), G_ema=ema.model.state_dict(),
                               opt_g=opt_g.state_dict(), opt_d=opt_d.state_dict(), step=step, elapsed=elapsed,
                               history=history, args=vars(a))

    t_win, dl, gl = time.time(), 0.0, 0.0
    while step < a.steps and prog() < 1.0:
        t0 = time.time()
        g = torch.Generator().manual_seed(a.seed * 1_000_003 + step)
        idx = torch.randint(0, n, (a.batch,), generator=g)
        real = x_all[idx].to(a.device)
        z = torch.randn(a.batch, a.zdim, 1, 1, generator=g).to(a.device)
        fake = G(z)
        d_loss = F.relu(1 - D(real)).mean() + F.relu(1 + D(fake.detach())).mean()
        opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        opt_d.step()
        g_loss = -D(fake).mean()
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        opt_g.step()
        ema.update(G)
        step += 1
        dl += float(d_loss)
        gl += float(g_loss)
        elapsed += time.time() - t0
        if step % 50 == 0:
            log(f"step {step} d_loss {dl/50:.3f} g_loss {gl/50:.3f} {50/(time.time()-t_win):.2f} steps/s elapsed {elapsed/60:.1f}m")
            history.append({"step": step, "d_loss": dl / 50, "g_loss": gl / 50, "elapsed_s": elapsed})
            dl = gl = 0.0
            t_win = time.time()
        if step % 250 == 0:
            save()
            with torch.no_grad():
                imgutil.save_grid((ema.model.eval()(fixed_z) + 1) / 2, os.path.join(a.run_dir, f"progress_{step:06d}.png"))
            t_win = time.time()
    save()
    if not a.no_export:
        export(ema.model, x01, a, step, elapsed, history, log)


@torch.no_grad()
def recalibrate_bn(G, zdim, seed, batches=20, batch=128):
    """Re-estimate BatchNorm running statistics for the (EMA) generator."""
    for m in G.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None  # cumulative average
    G.train()
    g = torch.Generator().manual_seed(seed)
    for _ in range(batches):
        G(torch.randn(batch, zdim, 1, 1, generator=g))
    G.eval()


@torch.no_grad()
def export(G, x01, a, step, elapsed, history, log):
    out = a.out
    os.makedirs(out, exist_ok=True)
    work = os.path.join(a.run_dir, "export_check")
    G = G.cpu()
    recalibrate_bn(G, a.zdim, a.seed + 1)
    z = torch.randn(256, a.zdim, 1, 1, generator=torch.Generator().manual_seed(a.seed + 2))
    samples = (G(z) + 1) / 2
    div = imgutil.diversity_report(samples, x01)
    log("diversity:", json.dumps(div))
    imgutil.save_grid(samples[:64], os.path.join(out, "samples.png"))
    path = os.path.join(out, "generator.onnx")
    torch.onnx.export(G, (z[:2],), path, input_names=["z"], output_names=["image"],
                      dynamic_axes={"z": {0: "batch"}, "image": {0: "batch"}}, opset_version=14)
    zt = z[:16]
    got = common.ort_run(path, {"z": zt.numpy()}, os.path.join(work, "b16"))
    d16 = imgutil.max_abs_diff(got["image"], G(zt).numpy())
    got = common.ort_run(path, {"z": zt[:1].numpy()}, os.path.join(work, "b1"))
    d1 = imgutil.max_abs_diff(got["image"], G(zt[:1]).numpy())
    log(f"onnxruntime-node vs PyTorch max abs diff: batch 16 {d16:.2e}, batch 1 {d1:.2e}")
    if max(d16, d1) > 1e-4:
        raise RuntimeError("ONNX mismatch")
    manifest = {"kind": "gan", "displayName": "Inkwell Emoji GAN (32px)", "license": "Apache-2.0",
                "onnx": "generator.onnx", "input": {"name": "z", "shape": [-1, a.zdim, 1, 1]},
                "output": {"name": "image", "layout": "NCHW", "channels": 4, "range": "tanh"}, "imageSize": 32}
    report = {"steps": step, "train_time_s": elapsed, "diversity": div, "ort_max_abs_diff": {"batch16": d16, "batch1": d1},
              "env": common.env_info(), "args": vars(a), "history_tail": history[-5:],
              "size_kb": os.path.getsize(path) / 1024}
    common.write_export_files(out, manifest, report, write_card, a)
    log(f"exported to {out}")


def _collapse_verdict(d):
    if d["diversity_ratio"] >= 0.5 and d["min_pairwise_samples"] > d["train_nn_min"]:
        return (f"No mode collapse: samples are {d['diversity_ratio']:.0%} as spread out as the training images and "
                f"no two of the {d['n_samples']} samples are near-duplicates (closest pair {d['min_pairwise_samples']:.3f}).")
    return (f"Diversity is limited: samples are {d['diversity_ratio']:.0%} as spread out as the training images "
            f"(closest pair of samples {d['min_pairwise_samples']:.3f}).")


def write_card(out, r, a):
    d = r["diversity"]
    env = r["env"]
    card = f"""# Inkwell Emoji GAN (inkwell-gan)

A small DCGAN generator that produces 32×32 RGBA emoji-style images (placeholder
icons and decorations for blog posts) from a 64-dimensional standard-normal
latent vector.

## Files

| file | |
|---|---|
| `generator.onnx` | input `z` float32 `[N, {a.zdim}, 1, 1]` → `image` float32 `[N, 4, 32, 32]` NCHW RGBA in [-1, 1] (tanh), {r['size_kb']:.0f} KB |
| `manifest.json` | runtime manifest |
| `samples.png` | 64 samples, composited over white |

{common.EMOJI_DATA_SECTION}

## Training

```
/usr/bin/python3 training/train_gan.py --out models/inkwell-gan
```

DCGAN generator (transposed convs + BatchNorm + ReLU, tanh output, width {a.width}),
spectral-norm discriminator with hinge loss, Adam (β 0/0.9, lr G {a.lr_g} / D {a.lr_d}), batch {a.batch},
EMA of generator weights (decay {a.ema}) is exported after re-estimating its
BatchNorm statistics, seed {a.seed}. Trained for {r['steps']:,} steps in
{r['train_time_s']/60:.1f} min on {env.get('cpu','?')} ({env.get('threads')} thread(s), machine shared with other jobs).

## Diversity check (mode collapse)

{d['n_samples']} samples vs. 256 random training images, {d['metric']}:

| | value |
|---|---|
| mean pairwise distance between samples | {d['mean_pairwise_samples']:.4f} |
| mean pairwise distance between training images | {d['mean_pairwise_train']:.4f} |
| ratio (1.0 = as diverse as the data) | **{d['diversity_ratio']:.2f}** |
| smallest distance between two samples | {d['min_pairwise_samples']:.4f} |
| median distance sample → nearest training image | {d['nn_to_train_median']:.4f} |
| median distance training image → nearest other training image | {d['train_nn_median']:.4f} |

{_collapse_verdict(d)}

![samples](samples.png)

## Export verification (onnxruntime-node 1.30 vs PyTorch)

| batch | max abs diff |
|---|---|
| 16 | {r['ort_max_abs_diff']['batch16']:.2e} |
| 1 | {r['ort_max_abs_diff']['batch1']:.2e} |

## Limitations

Tiny model trained briefly on CPU: samples are emoji-like blobs, faces and flag-like
patterns rather than crisp, recognisable emoji.
"""
    common.write_model_card(out, card)


if __name__ == "__main__":
    common.run_training_script(main, write_card)
