"""Tokenizer and token arrays of the GPT corpus, with token counts per source.

    /usr/bin/python3 -m corpus.tokens RUN_DIR [--vocab-size 8192]   (from training/)

Trains the byte-level BPE on train.jsonl (or loads RUN_DIR/tokenizer.json), writes
RUN_DIR/{train,val}.npy (uint16 ids, documents separated by <|endoftext|>) and
RUN_DIR/tokens.json (tokens per source and split), and adds the counts to
training/data/text/sources.json. train_gpt.py calls `prepare` with its run folder.
"""
import json
import os
import sys
from collections import defaultdict

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import bpe  # noqa: E402
import data  # noqa: E402


def prepare(run_dir, vocab_size, log=print, text_dir=None):
    os.makedirs(run_dir, exist_ok=True)
    text_dir = text_dir or data.prepare_text()
    docs = {s: [json.loads(l) for l in open(os.path.join(text_dir, s + ".jsonl"), encoding="utf-8")]
            for s in ("train", "val")}
    tok_path = os.path.join(run_dir, "tokenizer.json")
    if not os.path.exists(tok_path):
        log(f"training byte-level BPE tokenizer, vocab {vocab_size}, on {len(docs['train'])} documents")
        vocab, merges = bpe.train([d["text"] for d in docs["train"]], vocab_size, log=log)
        bpe.Tokenizer(vocab, merges).save(tok_path)
    tok = bpe.Tokenizer.load(tok_path)
    arrays = {}
    counts_path = os.path.join(run_dir, "tokens.json")
    for split in ("train", "val"):
        path = os.path.join(run_dir, f"{split}.npy")
        if not os.path.exists(path):
            log(f"tokenizing {split} ({len(docs[split])} documents)")
            ids, per_source, bytes_per_source = [], defaultdict(int), defaultdict(int)
            for d in docs[split]:
                t = tok.encode(d["text"])
                ids.extend(t)
                ids.append(tok.eos_id)
                src = d["src"].split("/", 1)[0]
                per_source[src] += len(t) + 1
                bytes_per_source[src] += len(d["text"].encode("utf-8"))
            np.save(path, np.array(ids, dtype=np.uint16))
            counts = json.load(open(counts_path)) if os.path.exists(counts_path) else {}
            counts[split] = {"total": len(ids), "per_source": dict(per_source),
                             "bytes_per_source": dict(bytes_per_source)}
            with open(counts_path, "w") as f:
                json.dump(counts, f, indent=1)
        arrays[split] = np.load(path).astype(np.int64)
        log(f"{split}: {len(arrays[split]):,} tokens")
    # token counts into the corpus summary (sources.json) for the model card
    sj = os.path.join(text_dir, "sources.json")
    if os.path.exists(counts_path) and os.path.exists(sj):
        counts = json.load(open(counts_path))
        summary = json.load(open(sj))
        for name, st in summary["sources"].items():
            for split in ("train", "val"):
                st[f"{split}_tokens"] = counts.get(split, {}).get("per_source", {}).get(name, 0)
        summary["tokenizer"] = os.path.relpath(tok_path, data.TRAINING_DIR)
        with open(sj, "w") as f:
            json.dump(summary, f, indent=1)
    return tok, arrays


if __name__ == "__main__":
    import argparse
    p = argparse.ArgumentParser()
    p.add_argument("run_dir")
    p.add_argument("--vocab-size", type=int, default=8192)
    a = p.parse_args()
    prepare(a.run_dir, a.vocab_size)
