"""Image helpers shared by the GAN and VAE scripts: dataset loading, sample grids
and the diversity / memorization checks reported in the model cards."""
import os

import numpy as np
import torch

import common
import data


def load_emoji(size=32):
    """Returns float32 tensor [N, 4, H, W] in [0, 1] (straight RGBA)."""
    path = data.prepare_images(size)
    arr = np.load(path).astype(np.float32) / 255.0
    return torch.from_numpy(arr).permute(0, 3, 1, 2).contiguous()


def composite_white(x):
    """[N,4,H,W] in [0,1] -> [N,3,H,W] composited over white."""
    rgb, a = x[:, :3], x[:, 3:4]
    return rgb * a + (1 - a)


def save_grid(x01, path, nrow=8, scale=2, pad=2):
    """Save an RGBA batch in [0,1] as a PNG grid composited over white."""
    from PIL import Image

    x = composite_white(x01.clamp(0, 1)).numpy()
    n, c, h, w = x.shape
    ncol = nrow
    nr = (n + ncol - 1) // ncol
    H, W = nr * (h + pad) + pad, ncol * (w + pad) + pad
    grid = np.full((H, W, 3), 0.85, np.float32)
    for i in range(n):
        r, cidx = divmod(i, ncol)
        y0, x0 = pad + r * (h + pad), pad + cidx * (w + pad)
        grid[y0:y0 + h, x0:x0 + w] = x[i].transpose(1, 2, 0)
    img = Image.fromarray((grid * 255).round().astype(np.uint8))
    if scale != 1:
        img = img.resize((W * scale, H * scale), Image.NEAREST)
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    img.save(path, optimize=True)


def rms_dist(a, b):
    """Pairwise per-pixel RMS distance between two batches [N,...] and [M,...] in [0,1]."""
    a = a.reshape(a.shape[0], -1).float()
    b = b.reshape(b.shape[0], -1).float()
    d2 = (a * a).sum(1, keepdim=True) + (b * b).sum(1)[None, :] - 2 * a @ b.T
    return (d2.clamp(min=0) / a.shape[1]).sqrt()


def diversity_report(samples01, train01, n=256, seed=0):
    """Mean pairwise distance among samples vs. among training images, and
    nearest-training-image distance of each sample vs. nearest-neighbour
    distances within the training set (a memorization / not-a-copy check)."""
    g = torch.Generator().manual_seed(seed)
    idx = torch.randperm(train01.shape[0], generator=g)[:n]
    tr = train01[idx]
    s = samples01[:n]
    iu = torch.triu_indices(s.shape[0], s.shape[0], 1)
    d_ss = rms_dist(s, s)[iu[0], iu[1]]
    iu2 = torch.triu_indices(tr.shape[0], tr.shape[0], 1)
    d_tt = rms_dist(tr, tr)[iu2[0], iu2[1]]
    nn_s = rms_dist(s, train01).min(1).values
    d_all = rms_dist(train01, train01)
    d_all.fill_diagonal_(float("inf"))
    nn_t = d_all.min(1).values
    return {
        "n_samples": int(s.shape[0]),
        "mean_pairwise_samples": float(d_ss.mean()),
        "mean_pairwise_train": float(d_tt.mean()),
        "diversity_ratio": float(d_ss.mean() / d_tt.mean()),
        "min_pairwise_samples": float(d_ss.min()),
        "nn_to_train_median": float(nn_s.median()),
        "nn_to_train_min": float(nn_s.min()),
        "train_nn_median": float(nn_t.median()),
        "train_nn_min": float(nn_t.min()),
        "frac_samples_closer_than_train_nn_median": float((nn_s < nn_t.median()).double().mean()),
        "metric": "per-pixel RMS distance, RGBA in [0,1]",
    }


class EMA:
    def __init__(self, model, decay):
        import copy

        self.decay = decay
        self.model = copy.deepcopy(model).eval()
        for p in self.model.parameters():
            p.requires_grad_(False)

    @torch.no_grad()
    def update(self, model):
        for pe, p in zip(self.model.parameters(), model.parameters()):
            pe.mul_(self.decay).add_(p.detach(), alpha=1 - self.decay)
        for be, b in zip(self.model.buffers(), model.buffers()):
            be.copy_(b)


def max_abs_diff(a, b):
    return float(np.abs(np.asarray(a) - np.asarray(b)).max())
