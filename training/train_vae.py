"""Train the default Inkwell VAE (32x32 RGBA emoji-style images) and export
encoder.onnx + decoder.onnx + manifest.json to models/inkwell-vae.

    /usr/bin/python3 training/train_vae.py --out models/inkwell-vae
    /usr/bin/python3 training/train_vae.py --device cuda --time-budget-min 0 --epochs 400 --out models/inkwell-vae

Re-running the same command resumes from training/runs/vae/ckpt.pt.
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

import imgutil  # noqa: E402

LICENSE = "Apache-2.0 (model weights trained on Noto Emoji artwork, Apache-2.0)"


class Encoder(nn.Module):
    def __init__(self, zdim=32, ch=4, w=32):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(ch, w, 4, 2, 1), nn.LeakyReLU(0.2),          # 16
            nn.Conv2d(w, 2 * w, 4, 2, 1), nn.LeakyReLU(0.2),       # 8
            nn.Conv2d(2 * w, 4 * w, 4, 2, 1), nn.LeakyReLU(0.2),   # 4
            nn.Flatten(),
            nn.Linear(4 * w * 16, 256), nn.LeakyReLU(0.2),
        )
        self.mean = nn.Linear(256, zdim)
        self.logvar = nn.Linear(256, zdim)

    def forward(self, image):
        h = self.net(image)
        return self.mean(h), self.logvar(h)


class Decoder(nn.Module):
    def __init__(self, zdim=32, ch=4, w=32):
        super().__init__()
        self.w = w
        self.fc = nn.Sequential(nn.Linear(zdim, 256), nn.LeakyReLU(0.2), nn.Linear(256, 4 * w * 16), nn.LeakyReLU(0.2))
        self.net = nn.Sequential(
            nn.ConvTranspose2d(4 * w, 2 * w, 4, 2, 1), nn.LeakyReLU(0.2),  # 8
            nn.ConvTranspose2d(2 * w, w, 4, 2, 1), nn.LeakyReLU(0.2),      # 16
            nn.ConvTranspose2d(w, ch, 4, 2, 1),                             # 32
        )

    def logits(self, z):
        h = self.fc(z).view(-1, 4 * self.w, 4, 4)
        return self.net(h)

    def forward(self, z):
        return torch.sigmoid(self.logits(z))


def add_model_args(p):
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--beta", type=float, default=1.0, help="KL weight (after warm-up)")
    p.add_argument("--kl-warmup-epochs", type=float, default=3)
    p.add_argument("--epochs", type=int, default=100000, help="max epochs")


def parse_args(argv=None):
    return common.parse_training_args(argv, __doc__, "vae", seed=2024, zdim=32, batch=64, time_budget_min=45.0,
                                      budget_unit="--epochs", add_model_args=add_model_args)


def vae_loss(enc, dec, x, beta, gen=None):
    mean, logvar = enc(x)
    eps = torch.randn(mean.shape, generator=gen) if gen is not None else torch.randn_like(mean)
    z = mean + torch.exp(0.5 * logvar) * eps.to(mean.device)
    logits = dec.logits(z)
    rec = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / x.shape[0]
    kl = -0.5 * torch.sum(1 + logvar - mean.pow(2) - logvar.exp()) / x.shape[0]
    return rec + beta * kl, rec, kl


def main(argv=None):
    a = parse_args(argv)
    log = common.start_run(a)
    x_all = imgutil.load_emoji(32)
    if a.limit:
        x_all = x_all[:a.limit]
    n = x_all.shape[0]
    log(f"images: {tuple(x_all.shape)}")
    enc, dec = Encoder(a.zdim, 4, a.width).to(a.device), Decoder(a.zdim, 4, a.width).to(a.device)
    params = list(enc.parameters()) + list(dec.parameters())
    log(f"params: encoder {sum(p.numel() for p in enc.parameters()):,} decoder {sum(p.numel() for p in dec.parameters()):,}")
    opt = torch.optim.Adam(params, lr=a.lr)
    ckpt_path = os.path.join(a.run_dir, "ckpt.pt")
    epoch, elapsed, history = 0, 0.0, []
    ck = common.load_checkpoint(ckpt_path)
    if ck is not None:
        enc.load_state_dict(ck["enc"])
        dec.load_state_dict(ck["dec"])
        opt.load_state_dict(ck["opt"])
        epoch, elapsed, history = ck["epoch"], ck["elapsed"], ck["history"]
        log(f"resumed at epoch {epoch} ({elapsed/60:.1f} min)")

    def prog():
        if a.time_budget_min > 0:
            return elapsed / (a.time_budget_min * 60)
        return epoch / a.epochs

    while epoch < a.epochs and prog() < 1.0:
        t0 = time.time()
        g = torch.Generator().manual_seed(a.seed * 7919 + epoch)
        perm = torch.randperm(n, generator=g)
        lr = a.lr * (0.1 + 0.9 * 0.5 * (1 + np.cos(np.pi * min(1.0, prog()))))
        for gp in opt.param_groups:
            gp["lr"] = lr
        beta = a.beta * min(1.0, (epoch + 1) / a.kl_warmup_epochs)
        tot = rec_t = kl_t = 0.0
        nb = 0
        for i in range(0, n - a.batch + 1, a.batch):
            x = x_all[perm[i:i + a.batch]].to(a.device)
            loss, rec, kl = vae_loss(enc, dec, x, beta, g)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            tot += float(loss)
            rec_t += float(rec)
            kl_t += float(kl)
            nb += 1
        epoch += 1
        elapsed += time.time() - t0
        history.append({"epoch": epoch, "loss": tot / nb, "rec": rec_t / nb, "kl": kl_t / nb, "elapsed_s": elapsed})
        if epoch % 5 == 0 or prog() >= 1.0:
            log(f"epoch {epoch} loss {tot/nb:.1f} rec {rec_t/nb:.1f} kl {kl_t/nb:.1f} beta {beta:.2f} lr {lr:.1e} "
                f"{nb * a.batch / (time.time() - t0):.0f} img/s elapsed {elapsed/60:.1f}m")
            common.save_checkpoint(ckpt_path, enc=enc.state_dict(), dec=dec.state_dict(), opt=opt.state_dict(),
                                   epoch=epoch, elapsed=elapsed, history=history, args=vars(a))
    common.save_checkpoint(ckpt_path, enc=enc.state_dict(), dec=dec.state_dict(), opt=opt.state_dict(),
                           epoch=epoch, elapsed=elapsed, history=history, args=vars(a))
    if not a.no_export:
        export(enc.cpu().eval(), dec.cpu().eval(), x_all, a, epoch, elapsed, history, log)


@torch.no_grad()
def export(enc, dec, x_all, a, epoch, elapsed, history, log):
    out = a.out
    os.makedirs(out, exist_ok=True)
    work = os.path.join(a.run_dir, "export_check")
    # Evaluation: ELBO terms on the full set (deterministic noise).
    g = torch.Generator().manual_seed(0)
    _, rec, kl = vae_loss(enc, dec, x_all, 1.0, g)
    mean, _ = enc(x_all)
    recon = dec(mean)
    rec_rms = float(((recon - x_all) ** 2).mean().sqrt())
    torch.manual_seed(a.seed)
    z = torch.randn(256, a.zdim)
    samples = dec(z)
    div = imgutil.diversity_report(samples, x_all)
    log("diversity / not-a-copy:", json.dumps(div))
    imgutil.save_grid(samples[:64], os.path.join(out, "samples.png"))
    pairs = torch.cat([x_all[:32], recon[:32]]).view(2, 4, 8, 4, 32, 32).transpose(0, 1).reshape(64, 4, 32, 32)
    imgutil.save_grid(pairs, os.path.join(out, "reconstructions.png"))

    # ONNX export
    dz = torch.randn(2, a.zdim)
    torch.onnx.export(dec, (dz,), os.path.join(out, "decoder.onnx"), input_names=["z"], output_names=["image"],
                      dynamic_axes={"z": {0: "batch"}, "image": {0: "batch"}}, opset_version=14)
    dx = x_all[:2]
    torch.onnx.export(enc, (dx,), os.path.join(out, "encoder.onnx"), input_names=["image"],
                      output_names=["mean", "logvar"],
                      dynamic_axes={"image": {0: "batch"}, "mean": {0: "batch"}, "logvar": {0: "batch"}},
                      opset_version=14)
    # Verify with onnxruntime-node
    zt = torch.randn(16, a.zdim, generator=torch.Generator().manual_seed(5))
    got = common.ort_run(os.path.join(out, "decoder.onnx"), {"z": zt.numpy()}, os.path.join(work, "dec"))
    d_dec = imgutil.max_abs_diff(got["image"], dec(zt).numpy())
    xt = x_all[100:116]
    got = common.ort_run(os.path.join(out, "encoder.onnx"), {"image": xt.numpy()}, os.path.join(work, "enc"))
    m_ref, lv_ref = enc(xt)
    d_enc = max(imgutil.max_abs_diff(got["mean"], m_ref.numpy()), imgutil.max_abs_diff(got["logvar"], lv_ref.numpy()))
    got1 = common.ort_run(os.path.join(out, "decoder.onnx"), {"z": zt[:1].numpy()}, os.path.join(work, "dec1"))
    d_dec1 = imgutil.max_abs_diff(got1["image"], dec(zt[:1]).numpy())
    log(f"onnxruntime-node vs PyTorch max abs diff: decoder {d_dec:.2e} (batch 16), {d_dec1:.2e} (batch 1), encoder {d_enc:.2e}")
    if max(d_dec, d_enc, d_dec1) > 1e-4:
        raise RuntimeError("ONNX mismatch")
    manifest = {
        "kind": "vae",
        "displayName": "Inkwell Emoji VAE (32px)",
        "license": "Apache-2.0",
        "decoder": {"onnx": "decoder.onnx", "input": {"name": "z", "shape": [-1, a.zdim]},
                    "output": {"name": "image", "layout": "NCHW", "channels": 4, "range": "sigmoid"}},
        "encoder": {"onnx": "encoder.onnx", "input": {"name": "image"}, "outputs": {"mean": "mean", "logvar": "logvar"}},
        "imageSize": 32,
    }
    report = {"epochs": epoch, "train_time_s": elapsed, "rec_bce_per_image": float(rec), "kl_per_image": float(kl),
              "recon_rms": rec_rms, "diversity": div, "ort_max_abs_diff": {"decoder": d_dec, "decoder_b1": d_dec1, "encoder": d_enc},
              "env": common.env_info(), "args": vars(a),
              "sizes_kb": {f: os.path.getsize(os.path.join(out, f)) / 1024 for f in ("decoder.onnx", "encoder.onnx")}}
    common.write_export_files(out, manifest, report, write_card, a)
    log(f"exported to {out}")


def _copy_verdict(d):
    if d["nn_to_train_median"] >= d["train_nn_median"] and d["nn_to_train_min"] > 2 * d["train_nn_min"]:
        return (f"Samples are not copies of training images: the median sample is further from its nearest "
                f"training image ({d['nn_to_train_median']:.3f}) than the median training image is from its nearest "
                f"other training image ({d['train_nn_median']:.3f}), and even the closest sample "
                f"({d['nn_to_train_min']:.3f}) is far from the closest pair of training images "
                f"({d['train_nn_min']:.3f}), i.e. from what a near-copy looks like in this data.")
    return (f"Some samples are close to training images: median nearest-training distance "
            f"{d['nn_to_train_median']:.3f} vs {d['train_nn_median']:.3f} between training images; closest sample "
            f"{d['nn_to_train_min']:.3f} vs closest training pair {d['train_nn_min']:.3f}.")


def write_card(out, r, a):
    d = r["diversity"]
    env = r["env"]
    card = f"""# Inkwell Emoji VAE (inkwell-vae)

A small convolutional variational autoencoder that generates 32×32 RGBA
emoji-style images (e.g. placeholder icons for blog posts) and can encode an
image into its 32-dimensional latent space for interpolation and variations.

## Files

| file | |
|---|---|
| `decoder.onnx` | input `z` float32 `[N, {a.zdim}]` (standard normal) → `image` float32 `[N, 4, 32, 32]` NCHW RGBA in [0, 1] (sigmoid), {r['sizes_kb']['decoder.onnx']:.0f} KB |
| `encoder.onnx` | input `image` float32 `[N, 4, 32, 32]` in [0, 1] → `mean`, `logvar` `[N, {a.zdim}]`, {r['sizes_kb']['encoder.onnx']:.0f} KB |
| `manifest.json` | runtime manifest |
| `samples.png` | 64 samples from the prior, composited over white |
| `reconstructions.png` | rows alternate: training images / their reconstructions |

{common.EMOJI_DATA_SECTION}

## Training

```
/usr/bin/python3 training/train_vae.py --out models/inkwell-vae
```

Conv encoder (3 stride-2 convs, width {a.width}) and mirrored transposed-conv decoder,
Bernoulli (BCE) likelihood, KL weight warmed up to {a.beta} over {a.kl_warmup_epochs:.0f} epochs, Adam lr {a.lr}
with cosine decay, batch {a.batch}, seed {a.seed}. Trained for {r['epochs']} epochs in
{r['train_time_s']/60:.1f} min on {env.get('cpu','?')} ({env.get('threads')} thread(s), machine shared with other jobs).

## Metrics

| metric | value |
|---|---|
| reconstruction BCE per image (sum over 4096 values) | {r['rec_bce_per_image']:.1f} |
| KL per image (nats) | {r['kl_per_image']:.1f} |
| reconstruction RMS error (from mean latent) | {r['recon_rms']:.4f} |

Not-a-copy check ({d['n_samples']} prior samples, {d['metric']}):

| | value |
|---|---|
| median distance sample → nearest training image | {d['nn_to_train_median']:.4f} |
| minimum distance sample → nearest training image | {d['nn_to_train_min']:.4f} |
| median distance training image → nearest other training image | {d['train_nn_median']:.4f} |
| minimum distance between two training images | {d['train_nn_min']:.4f} |
| fraction of samples closer to the training set than the median training pair | {d['frac_samples_closer_than_train_nn_median']:.2f} |
| mean pairwise distance: samples / training images | {d['mean_pairwise_samples']:.4f} / {d['mean_pairwise_train']:.4f} |

{_copy_verdict(d)}

![samples](samples.png)

Reconstructions (rows alternate training images / reconstructions):

![reconstructions](reconstructions.png)

## Export verification (onnxruntime-node 1.30 vs PyTorch)

| model | max abs diff |
|---|---|
| decoder, batch 16 | {r['ort_max_abs_diff']['decoder']:.2e} |
| decoder, batch 1 | {r['ort_max_abs_diff']['decoder_b1']:.2e} |
| encoder (mean, logvar), batch 16 | {r['ort_max_abs_diff']['encoder']:.2e} |

## Limitations

VAE samples are blurry and only loosely emoji-like; it is a tiny model for
placeholder art, not photorealistic generation.
"""
    common.write_model_card(out, card)


if __name__ == "__main__":
    common.run_training_script(main, write_card)
