"""Builds the text corpus of the default GPT from the sources in sources.py.

Steps: read every source's documents (Markdown-ish text); split single-page manuals
into chapters; drop exact and near-duplicate paragraphs across the whole corpus (the
first occurrence in source order stays); drop documents left with under 400 characters;
hold out whole documents as listed in training/heldout.txt (written on the first build,
then read, so the held-out set never changes); write

  training/data/text/train.jsonl   {"src", "text"} per document (Brown repeated, see GENERAL_REPEAT)
  training/data/text/val.jsonl     every held-out document
  training/data/text/eval.jsonl    the fixed evaluation set: {"src", "group", "text"}, the
                                   first EVAL_BYTES of each held-out document marked for evaluation
  training/data/text/sources.json  documents, characters and (after tokenization) tokens per source
"""
import hashlib
import json
import os
import re
from collections import defaultdict

import numpy as np

from .sources import SOURCES, TRAINING_DIR, log

HELDOUT_FILE = os.path.join(TRAINING_DIR, "heldout.txt")
OUT_DIR = os.path.join(TRAINING_DIR, "data", "text")
MIN_DOC_CHARS = 400
SPLIT_CHARS = 60_000   # longer documents (single-page manuals) are split at their chapters
HELDOUT_MOD = 20       # one document in 20 is held out (by a hash of its id)
EVAL_PER_SOURCE = {"general": 24, "docs": 3}  # held-out documents per source in the evaluation set
EVAL_BYTES = 6000      # evaluation text per document: whole paragraphs up to this many bytes
GENERAL_REPEAT = 5     # the Brown corpus (the only general prose) appears this many times in train.jsonl


def build_settings(exclude_copyleft):
    """What a built corpus depends on, recorded in sources.json: a corpus built with anything else
    is stale. Besides the settings: each source's package version, and a hash of the code that
    reads and cleans the packages (this module, sources.py, markdown.py), so a changed reader or
    an added source rebuilds instead of training on yesterday's text."""
    here = os.path.dirname(os.path.abspath(__file__))
    code = hashlib.sha256()
    for name in ("build.py", "sources.py", "markdown.py"):
        with open(os.path.join(here, name), "rb") as f:
            code.update(f.read())
    packages = [f"{s.name}: {s.package} {s.version}" for s in SOURCES if not (exclude_copyleft and s.copyleft)]
    return {"general_repeat": GENERAL_REPEAT, "eval_bytes_per_document": EVAL_BYTES, "exclude_copyleft": exclude_copyleft,
            "source_packages": packages, "code_sha256": code.hexdigest()[:16]}


# --------------------------------------------------------------------------- splitting

def split_large(doc_id, text):
    if len(text) <= SPLIT_CHARS:
        return [(doc_id, text)]
    for level in ("# ", "## ", "### "):
        parts = re.split(r"\n\n(?=%s)" % re.escape(level), text)
        if len(parts) > 1 and max(len(p) for p in parts) < max(SPLIT_CHARS * 2, len(text) // 3):
            return [(f"{doc_id}#{i:03d}", p) for i, p in enumerate(parts)]
    # no usable headings: split at paragraphs
    paras, parts, cur = text.split("\n\n"), [], []
    for p in paras:
        cur.append(p)
        if sum(len(c) for c in cur) > SPLIT_CHARS:
            parts.append("\n\n".join(cur))
            cur = []
    if cur:
        parts.append("\n\n".join(cur))
    return [(f"{doc_id}#{i:03d}", p) for i, p in enumerate(parts)]


# --------------------------------------------------------------------------- de-duplication

NUM_HASHES, BANDS = 20, 5   # MinHash over word 5-grams; 5 bands of 4 rows
NEAR_JACCARD = 0.7
_P = (1 << 61) - 1
_rng = np.random.default_rng(20240601)
_A = _rng.integers(1, _P - 1, NUM_HASHES, dtype=np.int64).astype(np.uint64)
_B = _rng.integers(0, _P - 1, NUM_HASHES, dtype=np.int64).astype(np.uint64)


def _norm(p):
    return re.sub(r"[^a-z ]+", "", re.sub(r"\d+", "0", p.lower())).split()


def _stable_hash(s):
    return int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "little")


def _minhash(words):
    sh = {" ".join(words[i:i + 5]) for i in range(max(1, len(words) - 4))}
    h = np.array([_stable_hash(s) for s in sh], dtype=np.uint64)
    # (a * h + b) with wrap-around; good enough as a family of random permutations
    return (h[None, :] * _A[:, None] + _B[:, None]).min(axis=1)


class Deduper:
    def __init__(self):
        self.exact = set()
        self.buckets = [dict() for _ in range(BANDS)]
        self.sigs = []
        self.exact_drops = 0
        self.near_drops = 0

    def is_dup(self, para):
        words = _norm(para)
        if len(words) < 8:
            return False  # short lines (headings, short items) repeat legitimately
        key = " ".join(words)
        if key in self.exact:
            self.exact_drops += 1
            return True
        self.exact.add(key)
        sig = _minhash(words)
        rows = NUM_HASHES // BANDS
        cands = set()
        for b in range(BANDS):
            k = sig[b * rows:(b + 1) * rows].tobytes()
            c = self.buckets[b].get(k)
            if c is not None:
                cands.update(c)
        for c in cands:
            if (self.sigs[c] == sig).mean() >= NEAR_JACCARD:
                self.near_drops += 1
                return True
        idx = len(self.sigs)
        self.sigs.append(sig)
        for b in range(BANDS):
            k = sig[b * rows:(b + 1) * rows].tobytes()
            self.buckets[b].setdefault(k, []).append(idx)
        return False


def dedup_text(text, dd):
    blocks = text.split("\n\n")
    kept = []
    for b in blocks:
        lines = b.split("\n")
        if all(ln.startswith("- ") for ln in lines) and len(lines) > 1:
            lines = [ln for ln in lines if not dd.is_dup(ln)]
            if lines:
                kept.append("\n".join(lines))
        elif b.startswith("#") or not dd.is_dup(b):
            kept.append(b)
    # headings left with nothing under them
    out = []
    for i, b in enumerate(kept):
        if b.startswith("#"):
            level = len(b.split(" ", 1)[0])
            has_text = False
            for c in kept[i + 1:]:
                if not c.startswith("#"):
                    has_text = True
                    break
                if len(c.split(" ", 1)[0]) <= level:
                    break
            if not has_text:
                continue
        out.append(b)
    return "\n\n".join(out)


def drop_repeated_lines(docs):
    """Lines found in many documents of one source are page furniture (navigation lists, banners)."""
    count = defaultdict(int)
    for _, t in docs:
        for ln in set(t.split("\n")):
            count[ln] += 1
    limit = max(5, len(docs) // 10)
    out = []
    for d, t in docs:
        lines = [re.sub(r"^(#+ .*?)#$", r"\1", ln) for ln in t.split("\n") if not ln or count[ln] <= limit]
        out.append((d, re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()))
    return out


# --------------------------------------------------------------------------- held-out list

def read_heldout():
    if not os.path.exists(HELDOUT_FILE):
        return None
    held = {}
    with open(HELDOUT_FILE) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                doc_id, group, use = line.rstrip("\n").split("\t")
                held[doc_id] = (group, use == "eval")
    return held


def choose_heldout(docs_by_source):
    held = {}
    for src in SOURCES:
        ids = [d for d, _ in docs_by_source[src.name]]
        # whole documents: parts of a split manual go together (held out by the id before '#')
        chosen = [d for d in ids if _stable_hash(d.split("#")[0]) % HELDOUT_MOD == 0]
        if not chosen and len(ids) >= 5:
            chosen = [min(ids, key=lambda d: _stable_hash(d.split("#")[0]))]
        order = sorted(chosen, key=lambda d: _stable_hash("eval:" + d))
        n_eval = EVAL_PER_SOURCE[src.group]
        for i, d in enumerate(order):
            held[d] = (src.group, i < n_eval)
    with open(HELDOUT_FILE, "w") as f:
        f.write("# Held-out documents of the GPT corpus (training/data.py text): id, group, 'eval' when the\n"
                "# document is in the fixed evaluation set (its first %d bytes), else 'val'.\n"
                "# Written on the first build and read afterwards: edit only to change the evaluation.\n" % EVAL_BYTES)
        for d in sorted(held):
            f.write(f"{d}\t{held[d][0]}\t{'eval' if held[d][1] else 'val'}\n")
    log(f"wrote {HELDOUT_FILE}: {len(held)} documents")
    return held


def extend_heldout(held, docs_by_source):
    """Sources added after training/heldout.txt was written get held-out documents by the same
    hash rule, appended as 'val' only: the evaluation set stays the one already listed."""
    known = {d.split("/", 1)[0] for d in held}
    added = []
    for src in SOURCES:
        if src.name in known or src.name not in docs_by_source:
            continue
        ids = [d for d, _ in docs_by_source[src.name]]
        chosen = [d for d in ids if _stable_hash(d.split("#")[0]) % HELDOUT_MOD == 0]
        if not chosen and len(ids) >= 5:
            chosen = [min(ids, key=lambda d: _stable_hash(d.split("#")[0]))]
        for d in chosen:
            held[d] = (src.group, False)
            added.append(d)
    if added:
        with open(HELDOUT_FILE, "a") as f:
            for d in sorted(added):
                f.write(f"{d}\t{held[d][0]}\tval\n")
        log(f"appended {len(added)} held-out documents of new sources to {HELDOUT_FILE}")
    return held


def eval_excerpt(text, limit=EVAL_BYTES):
    out, n = [], 0
    for p in text.split("\n\n"):
        b = len(p.encode()) + 2
        if out and n + b > limit:
            break
        out.append(p)
        n += b
    return "\n\n".join(out)


# --------------------------------------------------------------------------- build

def build(exclude_copyleft=False, out_dir=OUT_DIR):
    os.makedirs(out_dir, exist_ok=True)
    dd = Deduper()
    docs_by_source = defaultdict(list)
    stats = {}
    for src in SOURCES:
        if exclude_copyleft and src.copyleft:
            continue
        raw_chars, n_raw = 0, 0
        docs = list(src.documents())
        n_raw = len(docs)
        raw_chars = sum(len(t) for _, t in docs)
        docs = drop_repeated_lines(docs)
        for doc_id, text in docs:
            for part_id, part in split_large(doc_id, text):
                part = dedup_text(part, dd)
                if len(part) >= MIN_DOC_CHARS:
                    docs_by_source[src.name].append((part_id, part))
        chars = sum(len(t) for _, t in docs_by_source[src.name])
        stats[src.name] = {"package": src.package, "version": src.version, "licence": src.licence,
                           "decision": src.decision, "group": src.group, "copyleft": src.copyleft,
                           "files": n_raw, "documents": len(docs_by_source[src.name]),
                           "chars_before_dedup": raw_chars, "chars": chars}
        log(f"{src.name}: {n_raw} files -> {len(docs_by_source[src.name])} documents, "
            f"{chars/1e6:.2f} M chars (duplicates so far: {dd.exact_drops} exact, {dd.near_drops} near)")
    held = read_heldout()
    if held is None:
        held = choose_heldout(docs_by_source)
    elif not exclude_copyleft:
        held = extend_heldout(held, docs_by_source)
    train, val, ev = [], [], []
    for src in SOURCES:
        rep = GENERAL_REPEAT if src.group == "general" else 1
        for doc_id, text in docs_by_source[src.name]:
            if doc_id in held:
                val.append({"src": doc_id, "text": text})
                if held[doc_id][1]:
                    ev.append({"src": doc_id, "group": held[doc_id][0], "text": eval_excerpt(text)})
            else:
                train.extend({"src": doc_id, "text": text} for _ in range(rep))
        if src.name in stats:
            stats[src.name]["heldout_documents"] = sum(1 for d, _ in docs_by_source[src.name] if d in held)
            stats[src.name]["train_repeat"] = rep
    missing = [d for d in held if not any(e["src"] == d for e in val)]
    if missing and not exclude_copyleft:
        log(f"warning: {len(missing)} held-out ids not found in this build, e.g. {missing[:3]}")
    for name, rows in (("train", train), ("val", val), ("eval", ev)):
        with open(os.path.join(out_dir, name + ".jsonl"), "w") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        log(f"{name}: {len(rows)} documents, {sum(len(r['text']) for r in rows)/1e6:.2f} M chars")
    summary = {"sources": stats, "dedup": {"exact_paragraphs_dropped": dd.exact_drops,
                                           "near_duplicate_paragraphs_dropped": dd.near_drops},
               **build_settings(exclude_copyleft)}
    with open(os.path.join(out_dir, "sources.json"), "w") as f:
        json.dump(summary, f, indent=1)
    return out_dir
