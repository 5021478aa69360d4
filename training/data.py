"""Fetch and prepare the openly licensed training data.

    /usr/bin/python3 training/data.py            # everything
    /usr/bin/python3 training/data.py text       # text corpus only (add --exclude-copyleft
                                                 # to leave out the GPL/GFDL/CC-BY-SA sources)
    /usr/bin/python3 training/data.py images     # emoji images only

Sources (downloaded into training/data/, which is git-ignored, never committed):
  * Text: the sources, licences and readers are listed in training/corpus/sources.py
    and the model card (the Brown corpus reader too); the corpus is built by
    training/corpus/build.py.
  * Noto emoji artwork, npm package `emoji-datasource-google` (64 px PNGs,
    Apache-2.0), downscaled to 32 px RGBA.

Outputs:
  training/data/text/{train,val,eval}.jsonl   one {"src","text"} document per line
  training/data/text/sources.json             per-source documents, characters, licence
  training/data/images/emoji32.npy       uint8 [N, 32, 32, 4]
"""
import glob
import json
import os
import sys

TRAINING_DIR = os.path.dirname(os.path.abspath(__file__))
DATA_DIR = os.path.join(TRAINING_DIR, "data")
DL_DIR = os.path.join(DATA_DIR, "dl")
X_DIR = os.path.join(DL_DIR, "x")

EMOJI_PKG = "emoji-datasource-google@16.0.0"


def log(*a):
    print("[data]", *a, flush=True)


def prepare_text(exclude_copyleft=False):
    """Builds the GPT text corpus (training/corpus/): Brown, Python docs and the Debian
    documentation packages listed in training/corpus/sources.py, as Markdown-ish text,
    de-duplicated, with the held-out documents of training/heldout.txt. With exclude_copyleft
    the corpus of the permissive and public-domain sources only, in training/data/text-permissive
    (train_gpt.py --text-dir training/data/text-permissive)."""
    out_dir = os.path.join(DATA_DIR, "text-permissive" if exclude_copyleft else "text")
    from corpus import build
    summary = os.path.join(out_dir, "sources.json")
    if os.path.exists(os.path.join(out_dir, "eval.jsonl")) and os.path.exists(summary):
        with open(summary) as f:
            saved = json.load(f)
        wanted = build.build_settings(exclude_copyleft)
        built_with = {k: saved.get(k) for k in wanted}
        if built_with == wanted:
            log("text already prepared:", out_dir)
            return out_dir
        changed = ", ".join(f"{k} {built_with[k]!r} -> {wanted[k]!r}" for k in wanted if built_with[k] != wanted[k])
        log(f"text in {out_dir} was built otherwise ({changed}): rebuilding")
    return build.build(exclude_copyleft=exclude_copyleft, out_dir=out_dir)


# --------------------------------------------------------------------------- images

SKIN_TONES = ("1f3fb", "1f3fc", "1f3fd", "1f3fe", "1f3ff")


def prepare_images(size=32):
    import numpy as np
    from PIL import Image

    out = os.path.join(DATA_DIR, "images", f"emoji{size}.npy")
    if os.path.exists(out):
        log("images already prepared:", out)
        return out
    from corpus.sources import extract_tgz, npm_pack

    root = extract_tgz(npm_pack(EMOJI_PKG), os.path.join(X_DIR, "emoji"))
    files = sorted(glob.glob(os.path.join(root, "img/google/64/*.png")))
    # Skin-tone variants are near-duplicates of their base emoji; keep the base only.
    files = [f for f in files if not any(t in os.path.basename(f) for t in SKIN_TONES)]
    imgs = []
    for fn in files:
        im = Image.open(fn).convert("RGBA")
        if im.size != (64, 64):
            im = im.resize((64, 64), Image.LANCZOS)
        # Box-filter in premultiplied space so transparent pixels do not bleed colour.
        a = np.asarray(im).astype(np.float32) / 255.0
        rgb, alpha = a[..., :3] * a[..., 3:], a[..., 3:]
        f = 64 // size
        rgb = rgb.reshape(size, f, size, f, 3).mean((1, 3))
        alpha = alpha.reshape(size, f, size, f, 1).mean((1, 3))
        rgb = np.where(alpha > 1e-6, rgb / np.maximum(alpha, 1e-6), 0.0)
        x = np.concatenate([rgb, alpha], -1)
        imgs.append(np.clip(np.round(x * 255), 0, 255).astype(np.uint8))
    arr = np.stack(imgs)
    # Drop exact duplicates (some emoji share artwork) so nearest-neighbour checks are meaningful.
    _, first = np.unique(arr.reshape(len(arr), -1), axis=0, return_index=True)
    arr = arr[np.sort(first)]
    os.makedirs(os.path.dirname(out), exist_ok=True)
    np.save(out, arr)
    log(f"images: {arr.shape} -> {out}")
    return out


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "all"
    if what in ("all", "text"):
        prepare_text(exclude_copyleft="--exclude-copyleft" in sys.argv)
    if what in ("all", "images"):
        prepare_images()
