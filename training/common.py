"""Shared helpers for the Inkwell training scripts.

Import this module before torch: it picks an OpenBLAS core type for this CPU
(OpenBLAS 0.3.21 falls back to an old kernel set on newer CPUs unless
OPENBLAS_CORETYPE names the core) and then configures torch threads.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import time


def _detect_coretype():
    try:
        with open("/proc/cpuinfo") as f:
            flags = ""
            for line in f:
                if line.startswith("flags"):
                    flags = line
                    break
    except OSError:
        return None
    toks = set(flags.split())
    if "avx512f" in toks:
        return "SKYLAKEX"
    if "avx2" in toks:
        return "HASWELL"
    return None


if "OPENBLAS_CORETYPE" not in os.environ:
    _ct = _detect_coretype()
    if _ct:
        os.environ["OPENBLAS_CORETYPE"] = _ct

import numpy as np  # noqa: E402
import torch  # noqa: E402

TRAINING_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_DIR = os.path.dirname(TRAINING_DIR)
DATA_DIR = os.path.join(TRAINING_DIR, "data")
RUNS_DIR = os.path.join(TRAINING_DIR, "runs")


def parse_training_args(argv, doc, model, *, seed, zdim, batch, time_budget_min, budget_unit, add_model_args):
    """Command-line options of an image model's training script.

    Every script takes the output and run folders, device, threads, seed, latent
    size, width and batch, then its own options (`add_model_args(parser)`), then a
    time budget (`0` runs `budget_unit` instead), `--limit` and `--no-export`.
    """
    p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default=os.path.join(REPO_DIR, "models", f"inkwell-{model}"))
    p.add_argument("--run-dir", default=os.path.join(RUNS_DIR, model))
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--seed", type=int, default=seed)
    p.add_argument("--zdim", type=int, default=zdim)
    p.add_argument("--width", type=int, default=32)
    p.add_argument("--batch", type=int, default=batch)
    add_model_args(p)
    p.add_argument("--time-budget-min", type=float, default=time_budget_min, help=f"0 = run {budget_unit}")
    p.add_argument("--limit", type=int, default=0, help="use only the first N images (smoke tests)")
    p.add_argument("--no-export", action="store_true")
    return p.parse_args(argv)


def start_run(a):
    """Threads, seed and the run's log (with the environment and arguments); returns the log."""
    setup_threads(a.threads)
    set_seed(a.seed)
    log = Logger(os.path.join(a.run_dir, "train.log"))
    log("env", json.dumps(env_info()))
    log("args", json.dumps(vars(a)))
    return log


# The training data of the image models, as their model cards describe it.
EMOJI_DATA_SECTION = """## Training data

Noto Emoji artwork from npm `emoji-datasource-google` 16.0.0 (Apache-2.0), 64 px
PNGs downscaled to 32 px RGBA with premultiplied box filtering; skin-tone variants
and exact duplicates dropped → 1,892 images. Fetched by `training/data.py`, never
committed."""


def write_export_files(out, manifest, report, write_card, a):
    """Writes manifest.json and export_report.json to `out`, then the model card from the report."""
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    with open(os.path.join(out, "export_report.json"), "w") as f:
        json.dump(report, f, indent=1)
    write_card(out, report, a)


def write_model_card(out, text):
    with open(os.path.join(out, "MODEL_CARD.md"), "w") as f:
        f.write(text)


def run_training_script(main, write_card):
    """Runs `main`; `--rewrite-card DIR` instead regenerates DIR/MODEL_CARD.md from its export_report.json (no retraining)."""
    if len(sys.argv) == 3 and sys.argv[1] == "--rewrite-card":
        out = sys.argv[2]
        with open(os.path.join(out, "export_report.json")) as f:
            r = json.load(f)
        write_card(out, r, argparse.Namespace(**r["args"]))
    else:
        main()


def setup_threads(n=None):
    """Use all cores unless told otherwise (torch defaults to 1 here)."""
    n = int(n) if n else (os.cpu_count() or 1)
    torch.set_num_threads(n)
    return n


def set_seed(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)


class Logger:
    """Prints with a timestamp and mirrors to a log file."""

    def __init__(self, path=None):
        self.t0 = time.time()
        self.f = None
        if path:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            self.f = open(path, "a", buffering=1)

    def __call__(self, *args):
        msg = " ".join(str(a) for a in args)
        line = f"[{time.strftime('%H:%M:%S')} +{time.time() - self.t0:7.1f}s] {msg}"
        print(line, flush=True)
        if self.f:
            self.f.write(line + "\n")


def save_checkpoint(path, **state):
    """Atomically write a checkpoint (write to temp, then rename)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    torch.save(state, tmp)
    os.replace(tmp, path)


def load_checkpoint(path):
    if os.path.exists(path):
        return torch.load(path, map_location="cpu")
    return None


def env_info():
    info = {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"),
        "cpu_count": os.cpu_count(),
    }
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    if torch.cuda.is_available():
        info["cuda"] = torch.cuda.get_device_name(0)
    return info


# ---------------------------------------------------------------------------
# ONNX Runtime verification through onnxruntime-node (no Python binding here).

ORT_HELPER = os.path.join(TRAINING_DIR, "ort_run.cjs")


def ort_run(onnx_path, inputs, workdir):
    """Run an ONNX model in onnxruntime-node.

    inputs: dict name -> numpy array (float32 or int64).
    Returns dict name -> numpy array of all outputs.
    """
    os.makedirs(workdir, exist_ok=True)
    spec = {"model": os.path.abspath(onnx_path), "inputs": {}, "outDir": os.path.abspath(workdir)}
    for i, (name, arr) in enumerate(inputs.items()):
        arr = np.ascontiguousarray(arr)
        if arr.dtype == np.float64:
            arr = arr.astype(np.float32)
        if arr.dtype == np.int32:
            arr = arr.astype(np.int64)
        fn = os.path.join(workdir, f"in{i}.bin")
        arr.tofile(fn)
        spec["inputs"][name] = {"file": fn, "dtype": str(arr.dtype), "shape": list(arr.shape)}
    spec_path = os.path.join(workdir, "spec.json")
    with open(spec_path, "w") as f:
        json.dump(spec, f)
    subprocess.run(["node", ORT_HELPER, spec_path], check=True, cwd=REPO_DIR)
    with open(os.path.join(workdir, "outputs.json")) as f:
        outs = json.load(f)
    res = {}
    for name, d in outs.items():
        res[name] = np.fromfile(d["file"], dtype=d["dtype"]).reshape(d["shape"])
    return res
