"""Evaluates a text model folder the same way whatever its tokenizer.

    /usr/bin/python3 training/evaluate_gpt.py models/inkwell-gpt [--onnx onnx/model_q4.onnx]
        [--out FILE.json] [--card]          # --card: write the results into DIR/MODEL_CARD.md
    /usr/bin/python3 training/evaluate_gpt.py models/inkwell-gpt --tune-sampling [--out FILE.json]

1. Bits per byte on the fixed evaluation set (training/data/text/eval.jsonl, built by
   `training/data.py text` from the held-out documents listed in training/heldout.txt):
   teacher-forced next-token log-loss in onnxruntime-node (training/score_lm.cjs), divided
   by the UTF-8 bytes of the scored text, for the general-prose documents (Brown), the
   documentation documents, and their mean (the headline figure; each group counts half).
   Windows are the model's context (at most 1024 tokens).
2. Continuations of the ten prompts in training/eval_prompts.txt through Inkwell's own CLI
   (`node dist/cli.js continue --json`, so exactly the decode loop users get) with the settings
   the extension uses for the model when the user has set none (package.json's
   `inkwell.generation.*` defaults, replaced by those in the model's generation_config.json):
   greedy (temperature 0; the other settings as configured) and sampled (seeds 1..20 per prompt:
   200 continuations, about 13,000 words, so the OOV rate near 2% is known to about ±0.4 point;
   the card gives its 95% bootstrap interval).
3. On the sampled continuations: the out-of-vocabulary word rate against Debian's wamerican list
   (see `oov`), repeated n-grams (see `loops`) and distinct bigrams (diversity).

--tune-sampling instead continues prompts cut from held-out documents over a grid of
temperatures and top-p values (the other settings at their defaults) and picks the pair with the
lowest quality proxy (OOV rate + loop rate) among those whose diversity is at least 90% of the
held-out human text's (see `tune`); `--card --recommendation FILE` then writes that pair into the
model's generation_config.json, so the card's continuations use what users get.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

TRAINING_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_DIR = os.path.dirname(TRAINING_DIR)
EVAL_FILE = os.path.join(TRAINING_DIR, "data", "text", "eval.jsonl")
PROMPTS_FILE = os.path.join(TRAINING_DIR, "eval_prompts.txt")
WORDLIST = "/usr/share/dict/american-english"
CLI = os.path.join(REPO_DIR, "dist", "cli.js")
SEEDS = tuple(range(1, 21))


# --------------------------------------------------------------------------- settings

def settings_of(result):
    """The settings a continuation used, from `inkwell continue --json`'s report (the CLI resolves them
    as the extension does: options given, else the model's generation_config.json, else package.json's
    defaults), without the seed."""
    sp = result["sampling"]
    return {"maxTokens": result["max_tokens"], "temperature": sp["temperature"], "topK": sp["topK"], "topP": sp["topP"],
            "minP": sp.get("minP", 0),
            "repetitionPenalty": sp["repetitionPenalty"], "noRepeatNgramSize": sp.get("noRepeatNgramSize", 0),
            "stop": result["stop"]}


def apply_recommendation(model_dir, t, log):
    """Writes a --tune-sampling recommendation into the model's generation_config.json (the model's
    own defaults, which the extension uses unless the user set the setting), unless the current
    default was within one standard error of the best cell."""
    if t.get("default_within_one_se"):
        log("sampling: the current default stays (within one standard error of the best cell)")
        return
    path = os.path.join(model_dir, "generation_config.json")
    conf = json.load(open(path, encoding="utf-8")) if os.path.exists(path) else {}
    conf["temperature"], conf["top_p"] = t["best"]["temperature"], t["best"]["top_p"]
    with open(path, "w", encoding="utf-8") as f:
        json.dump(conf, f, indent=2)
    log(f"sampling: wrote temperature {conf['temperature']}, top-p {conf['top_p']} into {path}")


def read_prompts(path=PROMPTS_FILE):
    with open(path, encoding="utf-8") as f:
        return [ln.rstrip("\n") for ln in f if ln.strip() and not ln.startswith("#")]


# --------------------------------------------------------------------------- bits per byte

def bits_per_byte(model_dir, onnx_rel, threads, log):
    with open(os.path.join(model_dir, "config.json")) as f:
        window = min(int(json.load(f).get("n_positions", 256)), 1024)
    docs = [json.loads(l) for l in open(EVAL_FILE, encoding="utf-8")]
    out = {"window": window, "eval_file": os.path.relpath(EVAL_FILE, REPO_DIR)}
    with tempfile.TemporaryDirectory() as tmp:
        for group in ("general", "docs"):
            path = os.path.join(tmp, group + ".jsonl")
            with open(path, "w", encoding="utf-8") as f:
                for d in docs:
                    if d["group"] == group:
                        f.write(json.dumps({"text": d["text"]}) + "\n")
            t0 = time.time()
            r = subprocess.run(["node", os.path.join(TRAINING_DIR, "score_lm.cjs"), "--model-dir", model_dir,
                                "--onnx", os.path.join(model_dir, onnx_rel), "--text", path,
                                "--window", str(window), "--threads", str(threads)],
                               cwd=REPO_DIR, check=True, capture_output=True, text=True)
            res = json.loads(r.stdout)[0]
            out[group] = {"documents": sum(1 for d in docs if d["group"] == group), "tokens": res["tokens"],
                          "bytes": res["text_bytes"], "bits_per_byte": res["bits_per_byte"],
                          "perplexity": res["perplexity"], "seconds": round(time.time() - t0, 1)}
            log(f"bits/byte {group}: {res['bits_per_byte']:.4f} ({res['tokens']} tokens, {res['text_bytes']} bytes)")
    out["mean"] = (out["general"]["bits_per_byte"] + out["docs"]["bits_per_byte"]) / 2
    return out


# --------------------------------------------------------------------------- generation through the CLI

def cli_continue(model_dir, prompt, overrides=None, seed=None, threads=2):
    """One continuation through `node dist/cli.js continue --json` with the settings the extension
    uses for this model, except `overrides` ({"temperature": T, "topP": P, "minP": M}); returns its JSON, which
    reports the settings used (see `settings_of`)."""
    args = ["node", CLI, "continue", "--model", model_dir, "--json", "--prompt", prompt, "--threads", str(threads)]
    flags = {"temperature": "--temperature", "topP": "--top-p", "minP": "--min-p"}
    for key, value in (overrides or {}).items():
        args += [flags[key], str(value)]
    if seed is not None and (overrides or {}).get("temperature") != 0:
        args += ["--seed", str(seed)]
    r = subprocess.run(args, cwd=REPO_DIR, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"inkwell continue failed ({r.returncode}): {r.stderr.strip()[-500:]}")
    return json.loads(r.stdout)


# --------------------------------------------------------------------------- OOV words

class Dictionary:
    """Debian's wamerican list (lowercased). A word is known when it is in the list, or when it
    is a simple inflection of a listed word: plural/3rd person (-s, -es, -ies), past (-ed, -d,
    -ied, doubled consonant + -ed), -ing (also dropping e or doubling a consonant), comparative
    and superlative (-er, -est, -ier, -iest), adverb (-ly, -ily, -ally)."""

    def __init__(self, path=WORDLIST):
        with open(path, encoding="utf-8") as f:
            self.words = {w.strip().lower() for w in f if w.strip()}

    def known(self, w):
        W = self.words
        if w in W:
            return True
        cands = []
        for suf, rep in (("s", ""), ("es", ""), ("ies", "y"), ("ed", ""), ("ed", "e"), ("d", ""), ("ied", "y"),
                         ("ing", ""), ("ing", "e"), ("er", ""), ("er", "e"), ("est", ""), ("est", "e"),
                         ("ier", "y"), ("iest", "y"), ("ly", ""), ("ily", "y"), ("ally", ""), ("ly", "le")):
            if w.endswith(suf) and len(w) - len(suf) >= 2:
                stem = w[: -len(suf)] + rep
                cands.append(stem)
                if rep == "" and len(stem) >= 3 and stem[-1] == stem[-2] and suf in ("ed", "ing", "er", "est"):
                    cands.append(stem[:-1])  # stopped -> stop, running -> run
        return any(c in W for c in cands)


WORD_RE = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
HYPHENATED_RE = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)+(?:'[A-Za-z]+)?")
IRREGULAR_NEGATIONS = {"won't": "will", "can't": "can", "shan't": "shall", "ain't": "is"}


def candidate_words(text):
    """Lowercase alphabetic words of a text. Skipped: tokens touching digits, underscores, slashes,
    backticks or other word characters (code, paths, URLs), all-caps words (acronyms), words with
    an inner capital (camelCase), single letters; a possessive or contraction ending ('s, n't,
    're, 've, 'll, 'd, 'm) is cut off before the lookup (won't, can't, shan't and ain't become
    will, can, shall and is); hyphenated compounds count as their parts."""
    out = []
    for tok in text.split():
        core = tok.strip("\"'“”‘’()[]{}<>.,;:!?*_-–—…")
        # A hyphenated compound counts as its parts: "two-thurds" is judged by "two" and "thurds".
        parts = core.split("-") if HYPHENATED_RE.fullmatch(core) else [core]
        out.extend(w for part in parts if (w := _candidate(part)))
    return out


def _candidate(core):
    """The lookup form of one word (see candidate_words), or None when it is not counted."""
    if not core or not WORD_RE.fullmatch(core):
        return None
    if re.search(r"[A-Z]", core[1:]):
        return None  # acronyms, camelCase
    w = core.lower()
    w = IRREGULAR_NEGATIONS.get(w, w)  # cutting "n't" off these leaves no word ("wo", "ca")
    w = re.sub(r"(n't|'s|'re|'ve|'ll|'d|'m|')$", "", w)
    if len(w) < 2 or not w.isalpha():
        return None
    return w


def oov(texts_and_prompts, dic):
    total, unknown, examples = 0, 0, {}
    for text, prompt in texts_and_prompts:
        in_prompt = set(candidate_words(prompt))
        for w in candidate_words(text):
            if w in in_prompt:
                continue
            total += 1
            if not dic.known(w):
                unknown += 1
                examples[w] = examples.get(w, 0) + 1
    top = sorted(examples.items(), key=lambda kv: -kv[1])[:25]
    return {"words": total, "oov_words": unknown, "oov_rate": unknown / max(1, total), "examples": [w for w, _ in top]}


# --------------------------------------------------------------------------- loops and diversity

def words_of(text):
    return re.findall(r"\w+|[^\w\s]", text.lower())


def loops(texts):
    """rep4: share of word 4-grams (punctuation counts as a word) that already occurred earlier in
    the same continuation. A continuation loops when rep4 > 0.25 or some 6-gram occurs 3+ times."""
    flagged, reps = 0, []
    for t in texts:
        w = words_of(t)
        grams = [tuple(w[i:i + 4]) for i in range(len(w) - 3)]
        seen, rep = set(), 0
        for g in grams:
            rep += g in seen
            seen.add(g)
        r4 = rep / max(1, len(grams))
        six = {}
        for i in range(len(w) - 5):
            g = tuple(w[i:i + 6])
            six[g] = six.get(g, 0) + 1
        looped = r4 > 0.25 or (max(six.values()) if six else 0) >= 3
        flagged += looped
        reps.append(r4)
    return {"loop_rate": flagged / max(1, len(texts)), "mean_rep4": sum(reps) / max(1, len(reps)),
            "looping": flagged, "continuations": len(texts)}


def distinct2(texts):
    """Distinct word bigrams over all bigrams, per continuation, averaged."""
    vals = []
    for t in texts:
        w = words_of(t)
        bg = list(zip(w, w[1:]))
        if bg:
            vals.append(len(set(bg)) / len(bg))
    return sum(vals) / max(1, len(vals))


# --------------------------------------------------------------------------- the evaluation

def generations(model_dir, prompts, threads, log):
    """Greedy (temperature 0, the other settings as the extension's) and sampled continuations of
    each prompt, and the settings the sampled ones used."""
    greedy, sampled, used = [], [], set()
    t0 = time.time()
    for p in prompts:
        g = cli_continue(model_dir, p, {"temperature": 0}, threads=threads)
        greedy.append({"prompt": p, "text": g["text"], "tokens": len(g["tokens"]), "file": g.get("file")})
        for s in SEEDS:
            r = cli_continue(model_dir, p, seed=s, threads=threads)
            sampled.append({"prompt": p, "seed": s, "text": r["text"], "tokens": len(r["tokens"])})
            used.add(json.dumps(settings_of(r), sort_keys=True))
    log(f"{len(greedy)} greedy and {len(sampled)} sampled continuations in {time.time() - t0:.0f}s")
    if len(used) != 1:
        raise RuntimeError(f"the continuations used different settings: {sorted(used)}")
    return greedy, sampled, json.loads(used.pop())


def text_metrics(items, dic, per=None):
    """OOV, loop and diversity measures of `items`; `per`: their per_continuation counts, when the
    caller already has them."""
    texts = [x["text"] for x in items]
    o = oov([(x["text"], x["prompt"]) for x in items], dic)
    o["oov_rate_ci95"] = bootstrap_interval(per if per is not None else per_continuation(items, dic), oov_rate_of)
    return {"oov": o, "loops": loops(texts), "distinct2": distinct2(texts)}


def per_continuation(items, dic):
    """(words, OOV words, looping 0/1) of each continuation: the unit the bootstrap resamples, so the
    words of one continuation stay together (they are not independent draws)."""
    out = []
    for x in items:
        o = oov([(x["text"], x["prompt"])], dic)
        out.append((o["words"], o["oov_words"], loops([x["text"]])["looping"]))
    return out


def oov_rate_of(sample):
    return sum(b for _, b, _ in sample) / max(1, sum(a for a, _, _ in sample))


def bootstrap(per, value, n_boot):
    import random
    rng = random.Random(0)
    return [value([per[rng.randrange(len(per))] for _ in per]) for _ in range(n_boot)] if per else [0.0]


def bootstrap_interval(per, value, n_boot=1000):
    """The 95% percentile bootstrap interval of `value` over whole continuations."""
    boots = sorted(bootstrap(per, value, n_boot))
    return [boots[int(0.025 * (len(boots) - 1))], boots[int(0.975 * (len(boots) - 1))]]


def evaluate(model_dir, onnx_rel, threads, log):
    dic = Dictionary()
    res = {"model": os.path.relpath(os.path.abspath(model_dir), REPO_DIR), "onnx": onnx_rel}
    res["bits_per_byte"] = bits_per_byte(model_dir, onnx_rel, threads, log)
    prompts = read_prompts()
    greedy, sampled, res["settings"] = generations(model_dir, prompts, threads, log)
    res["greedy"] = {"metrics": text_metrics(greedy, dic), "continuations": greedy}
    res["sampled"] = {"metrics": text_metrics(sampled, dic), "continuations": sampled}
    # reference: the same measures on held-out human text (evaluation documents cut to ~120 tokens)
    ref = heldout_snippets(40, 500)
    res["human_reference"] = text_metrics([{"prompt": "", "text": t} for _, t in ref], dic)
    return res


def heldout_snippets(n, chars, skip_words=0):
    """(prompt, continuation) pairs from evaluation documents: the first paragraph of at least
    40 words in each document, as prompt its first 12 words, as continuation the next `chars`."""
    out = []
    docs = [json.loads(l) for l in open(EVAL_FILE, encoding="utf-8")]
    docs.sort(key=lambda d: (d["group"] != "general", d["src"]))
    # alternate general and docs so any prefix of the list is balanced
    gen = [d for d in docs if d["group"] == "general"]
    doc = [d for d in docs if d["group"] == "docs"]
    mixed = [x for pair in zip(gen, doc) for x in pair] + gen[len(doc):] + doc[len(gen):]
    for d in mixed:
        for para in d["text"].split("\n\n"):
            w = para.split()
            if len(w) >= 40 and not para.startswith(("#", "- ")):
                out.append((" ".join(w[:12]), " " + " ".join(w[12:])[:chars]))
                break
        if len(out) >= n:
            break
    return out


def proxy_with_se(per, n_boot=300):
    """OOV rate + loop rate over continuations (their per_continuation counts), and its standard
    error by bootstrap over whole continuations."""
    def value(sample):
        return oov_rate_of(sample) + sum(c for _, _, c in sample) / max(1, len(sample))
    boots = bootstrap(per, value, n_boot)
    mean = sum(boots) / len(boots)
    se = (sum((b - mean) ** 2 for b in boots) / (len(boots) - 1)) ** 0.5
    return value(per), se


def tune(model_dir, threads, log, temps=(0.6, 0.7, 0.8, 0.9, 1.0), top_ps=(0.8, 0.9, 0.95, 1.0), n_prompts=48,
         seeds=(101, 202), jobs=2):
    """Grid over temperature × top-p on prompts cut from held-out documents (the first 12 words
    of a paragraph; half Brown, half documentation), the other settings at the extension's
    defaults, the same prompts and seeds in every cell. Proxy (lower is better): OOV rate + loop
    rate; admissible when distinct-2 ≥ 0.9 × the held-out text's. The best admissible cell is
    the recommendation unless the current default is within one standard error of it."""
    dic = Dictionary()
    pairs = heldout_snippets(n_prompts, 500)
    # The extension's settings for this model, as the CLI reports them.
    settings = settings_of(cli_continue(model_dir, pairs[0][0], seed=seeds[0], threads=threads))
    human = distinct2([c for _, c in pairs])
    grid = []
    # Continuations run `jobs` at a time, each CLI process on threads // jobs ONNX Runtime threads: a small
    # model's step does not keep two threads busy, and starting node is single-threaded.
    per_job = max(1, threads // jobs)
    work = [(p, sd + i) for i, (p, _) in enumerate(pairs) for sd in seeds]  # the same in every cell
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for t in temps:
            for tp in top_ps:
                cell = {"temperature": t, "topP": tp}
                texts = pool.map(lambda w: cli_continue(model_dir, w[0], cell, seed=w[1], threads=per_job)["text"], work)
                items = [{"prompt": p, "text": text} for (p, _), text in zip(work, texts)]
                per = per_continuation(items, dic)
                m = text_metrics(items, dic, per)
                proxy, se = proxy_with_se(per)
                row = {"temperature": t, "top_p": tp, "oov_rate": m["oov"]["oov_rate"], "loop_rate": m["loops"]["loop_rate"],
                       "mean_rep4": m["loops"]["mean_rep4"], "distinct2": m["distinct2"], "proxy": proxy, "proxy_se": se,
                       "continuations": len(items), "words": m["oov"]["words"]}
                grid.append(row)
                log(f"T={t} top-p={tp}: oov {row['oov_rate']:.3f} loops {row['loop_rate']:.2f} rep4 {row['mean_rep4']:.3f} "
                    f"distinct2 {row['distinct2']:.3f} proxy {proxy:.3f} ± {se:.3f}")
    ok = [g for g in grid if g["distinct2"] >= 0.9 * human]
    best = min(ok or grid, key=lambda g: (g["proxy"], -g["temperature"]))
    cur = next((g for g in grid if g["temperature"] == settings["temperature"] and g["top_p"] == settings["topP"]), None)
    keep = cur is not None and cur in ok and cur["proxy"] - best["proxy"] <= best["proxy_se"]
    return {"settings_fixed": {k: v for k, v in settings.items() if k not in ("temperature", "topP")},
            "prompts": [p for p, _ in pairs], "seeds": [f"{s} + prompt index" for s in seeds],
            "human_distinct2": human, "diversity_floor": 0.9 * human, "grid": grid, "best": best,
            "current_default": cur, "default_within_one_se": keep}


# --------------------------------------------------------------------------- report

def markdown(res):
    b = res["bits_per_byte"]
    s, g = res["sampled"]["metrics"], res["greedy"]["metrics"]
    h = res["human_reference"]
    st = res["settings"]
    lines = [
        "## Evaluation (fixed held-out set, `training/evaluate_gpt.py`)",
        "",
        f"Bits per byte on the held-out documents of `training/heldout.txt` marked `eval` (first 6,000 bytes of each; "
        f"{b['window']}-token windows, teacher forcing in onnxruntime-node, `{res['onnx']}`). Lower is better; "
        f"bits per byte compare across tokenizers.",
        "",
        "| text | documents | bytes | tokens | bits/byte | perplexity |",
        "|---|---|---|---|---|---|",
        f"| general prose (Brown) | {b['general']['documents']} | {b['general']['bytes']:,} | {b['general']['tokens']:,} | "
        f"{b['general']['bits_per_byte']:.4f} | {b['general']['perplexity']:.1f} |",
        f"| documentation | {b['docs']['documents']} | {b['docs']['bytes']:,} | {b['docs']['tokens']:,} | "
        f"{b['docs']['bits_per_byte']:.4f} | {b['docs']['perplexity']:.1f} |",
        f"| **mean of the two** | | | | **{b['mean']:.4f}** | |",
        "",
        f"Continuations of the 10 prompts in `training/eval_prompts.txt` through `inkwell continue --json` with the "
        f"settings the extension uses for this model when none are set (package.json's defaults, replaced by those "
        f"in the model's `generation_config.json`): {describe_settings(st)}; "
        f"greedy = temperature 0 with the other settings unchanged; sampled = seeds {seed_range(res)} per prompt.",
        "",
        "| | OOV word rate | looping continuations | mean rep-4 | distinct-2 |",
        "|---|---|---|---|---|",
        f"| greedy ({g['loops']['continuations']}) | {oov_cell(g)} | "
        f"{g['loops']['looping']}/{g['loops']['continuations']} | {g['loops']['mean_rep4']:.3f} | {g['distinct2']:.3f} |",
        f"| sampled ({s['loops']['continuations']}) | {oov_cell(s)} | "
        f"{s['loops']['looping']}/{s['loops']['continuations']} | {s['loops']['mean_rep4']:.3f} | {s['distinct2']:.3f} |",
        f"| held-out human text ({h['loops']['continuations']} excerpts) | {oov_cell(h)} | {h['loops']['looping']}/{h['loops']['continuations']} | "
        f"{h['loops']['mean_rep4']:.3f} | {h['distinct2']:.3f} |",
        "",
        "OOV: lowercase alphabetic words not in Debian's `wamerican` list, nor simple inflections of a listed word; "
        "words in the prompt, acronyms, camelCase and tokens touching digits or code characters are not counted. "
        "A continuation loops when over 25% of its word 4-grams repeat an earlier one or a 6-gram occurs 3 times. "
        "In brackets: the 95% bootstrap interval over whole continuations.",
        "",
        f"Most frequent OOV words (sampled): {', '.join(s['oov']['examples'][:15]) or '—'}",
        "",
        "Sampled continuations (seed 1):",
        "",
    ]
    for c in res["sampled"]["continuations"]:
        if c["seed"] == SEEDS[0]:
            lines.append(f"- **{c['prompt']}** →{c['text'].replace(chr(10), ' ⏎ ')}")
    lines += ["", "Greedy continuations:", ""]
    for c in res["greedy"]["continuations"]:
        lines.append(f"- **{c['prompt']}** →{c['text'].replace(chr(10), ' ⏎ ')}")
    if res.get("quantized"):
        lines += ["", quantized_text(res["quantized"])]
    comparison = baseline_comparison(res)
    if comparison:
        lines += ["", comparison]
    if res.get("sampling_recommendation"):
        lines += ["", res["sampling_recommendation"]]
    return "\n".join(lines) + "\n"


def seed_range(res):
    seeds = sorted({c["seed"] for c in res["sampled"]["continuations"]})
    return f"{seeds[0]}..{seeds[-1]}" if seeds == list(range(seeds[0], seeds[-1] + 1)) and len(seeds) > 2 else ", ".join(map(str, seeds))


def oov_cell(m):
    o = m["oov"]
    ci = o.get("oov_rate_ci95")
    return f"{o['oov_rate']:.1%} ({o['oov_words']:,}/{o['words']:,}" + (f"; {ci[0]:.1%}–{ci[1]:.1%})" if ci else ")")


def quantized_text(reports):
    """The quantized files, from the reports `training/quantize.py --eval --report` wrote."""
    rows = []
    for r in reports:
        e = r.get("eval")
        kind = (f"{r['bits']}-bit, block {r['block_size']}, {'asymmetric' if r['asymmetric'] else 'symmetric'}, "
                f"embeddings {r['embeddings']}, LM head {'fp32' if r['lm_head'] == 'fp32' else 'quantized'}")
        file = f"| `onnx/{r['file']}` | {kind} | {r['output_bytes'] / 1e6:.1f} MB |"
        if not e:
            rows.append(f"{file} not scored | | |")
            continue
        q = e["quantized"]
        rows.append(f"{file} "
                    f"{e['reference']['bits_per_byte']:.4f} → {q['bits_per_byte']:.4f} ({e['relative_bpb_rise']:+.2%}) | "
                    f"{q['top1_agreement_with_first']:.1%} | {'yes' if e['within_limit'] else 'no'} (+{e['limit']:.0%}) |")
    tokens = next((r["eval"]["tokens"] for r in reports if r.get("eval")), 0)
    return ("### Quantized files (`training/quantize.py`)\n\n"
            "Weight-only quantization to onnxruntime's `MatMulNBits`, the layout of the hub's transformers.js files; "
            f"each file scored against `onnx/model.onnx` on {tokens:,} tokens of the held-out text under teacher forcing "
            "(bits per byte, and how often both files pick the same next token).\n\n"
            "| file | quantization | size | bits/byte (fp32 → quantized) | top-1 agreement | within the limit |\n"
            "|---|---|---|---|---|---|\n" + "\n".join(rows))


BASELINE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "baselines", "inkwell-gpt-3.4M-evaluation.json")


def baseline_comparison(res, path=BASELINE):
    """The same measures of the model this one replaces (its evaluation, kept in training/baselines/),
    side by side: bits per byte on the same held-out set, and the OOV and loop rates of the same prompts."""
    if not os.path.exists(path):
        return ""
    old = json.load(open(path, encoding="utf-8"))
    ob, nb = old["bits_per_byte"], res["bits_per_byte"]
    rows = []
    for key, name in (("general", "bits/byte, general prose (Brown)"), ("docs", "bits/byte, documentation")):
        rows.append((name, f"{ob[key]['bits_per_byte']:.4f}", f"{nb[key]['bits_per_byte']:.4f}",
                     f"{100 * (nb[key]['bits_per_byte'] / ob[key]['bits_per_byte'] - 1):+.1f}%"))
    rows.append(("**bits/byte, mean**", f"{ob['mean']:.4f}", f"**{nb['mean']:.4f}**", f"**{100 * (nb['mean'] / ob['mean'] - 1):+.1f}%**"))
    dic = Dictionary()
    for kind, label in (("sampled", "sampled"), ("greedy", "greedy")):
        # The old continuations are measured again, so a change to the measure applies to both.
        o, n = text_metrics(old[kind]["continuations"], dic), res[kind]["metrics"]
        rows.append((f"OOV word rate, {label}", oov_cell(o), oov_cell(n), ""))
        rows.append((f"looping continuations, {label}", f"{o['loops']['looping']}/{o['loops']['continuations']}",
                     f"{n['loops']['looping']}/{n['loops']['continuations']}", ""))
    os_, ns = old["settings"], res["settings"]
    settings = lambda st: describe_settings(st, ("temperature", "topP", "repetitionPenalty", "noRepeatNgramSize"))  # noqa: E731
    table = "\n".join(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows)
    return ("### Against the model it replaces\n\n"
            "The previous default (3.4 M parameters, context 256, 2.4 M tokens of Brown and Python documentation), "
            f"measured by this script on the same held-out set and prompts (`training/baselines/{os.path.basename(path)}`; "
            f"its continuations used {settings(os_)}; this model's {settings(ns)}).\n\n"
            "| | previous model | this model | change |\n|---|---|---|---|\n" + table)


SETTING_NAMES = (("maxTokens", "max tokens"), ("temperature", "temperature"), ("topK", "top-k"), ("topP", "top-p"), ("minP", "min-p"),
                 ("repetitionPenalty", "repetition penalty"), ("noRepeatNgramSize", "no-repeat n-gram size"), ("stop", "stop"))


def describe_settings(st, keys=None):
    """'max tokens 120, temperature 0.8, …' for the settings of `st` named in `keys` (default: all)."""
    parts = []
    for key, name in SETTING_NAMES:
        v = st.get(key, 0 if key in ("noRepeatNgramSize", "minP") else None)
        if v is not None and (keys is None or key in keys):
            parts.append(f"{name} {json.dumps(v) if key == 'stop' else v}")
    return ", ".join(parts)


def fixed_settings(t):
    return describe_settings(t.get("settings_fixed", {}), ("topK", "repetitionPenalty", "noRepeatNgramSize", "maxTokens"))


def recommendation_text(t):
    bb, cur = t["best"], t.get("current_default")
    rows = "\n".join(f"| {g['temperature']} | {g['top_p']} | {g['oov_rate']:.1%} | {g['loop_rate']:.0%} | "
                     f"{g['distinct2']:.3f} | {g['proxy']:.3f} ± {g['proxy_se']:.3f} |" for g in t["grid"])
    verdict = (f"The current default (temperature {cur['temperature']}, top-p {cur['top_p']}) is within one standard "
               f"error of the best cell, so the data do not support changing it." if t.get("default_within_one_se") else
               f"Recommended: temperature **{bb['temperature']}**, top-p **{bb['top_p']}**.")
    return (f"### Sampling settings (`evaluate_gpt.py --tune-sampling`)\n\n"
            f"{len(t['prompts'])} prompts cut from held-out documents (first 12 words of a paragraph), "
            f"{len(t['seeds'])} seeds each, the other settings as they were then ({fixed_settings(t)}). Proxy = OOV rate + share "
            f"of looping continuations (± bootstrap standard error); admissible when distinct-2 ≥ "
            f"{t['diversity_floor']:.3f} (90% of the held-out text's {t['human_distinct2']:.3f}).\n\n"
            f"| temperature | top-p | OOV | looping | distinct-2 | proxy |\n|---|---|---|---|---|---|\n{rows}\n\n"
            f"Lowest admissible proxy: temperature {bb['temperature']}, top-p {bb['top_p']} "
            f"({bb['proxy']:.3f} ± {bb['proxy_se']:.3f}). {verdict}")


def quantize_report(path):
    """A quantize.py report without its per-layer list, named by the file it describes."""
    r = {k: v for k, v in json.load(open(path, encoding="utf-8")).items() if k != "matmuls"}
    r.setdefault("file", "model_q4.onnx" if r["bits"] == 4 else "model_int8.onnx")
    return r


START, END = "<!-- evaluate_gpt:start -->", "<!-- evaluate_gpt:end -->"


def write_card(model_dir, md_text):
    """Replaces the marked evaluation block of MODEL_CARD.md, or inserts it before '## Export verification'
    (or at the end)."""
    path = os.path.join(model_dir, "MODEL_CARD.md")
    card = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
    block = f"{START}\n{md_text}{END}\n"
    if START in card and END in card:
        card = card[:card.index(START)] + block + card[card.index(END) + len(END) + 1:]
    elif "\n## Export verification" in card:
        i = card.index("\n## Export verification") + 1
        card = card[:i] + block + "\n" + card[i:]
    else:
        card = card.rstrip("\n") + "\n\n" + block
    with open(path, "w", encoding="utf-8") as f:
        f.write(card)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model_dir")
    p.add_argument("--onnx", default="onnx/model.onnx", help="ONNX file (relative to the folder) for bits per byte")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--out", default=None)
    p.add_argument("--card", action="store_true", help="write the results into MODEL_CARD.md")
    p.add_argument("--tune-sampling", action="store_true")
    p.add_argument("--bpb-only", action="store_true", help="bits per byte only (no continuations)")
    p.add_argument("--grid-temperatures", default="0.6,0.7,0.8,0.9,1.0")
    p.add_argument("--grid-top-p", default="0.8,0.9,0.95,1.0")
    p.add_argument("--grid-prompts", type=int, default=48, help="held-out prompts per grid cell")
    p.add_argument("--grid-seeds", default="101,202", help="seeds per prompt (seed + prompt index)")
    p.add_argument("--recommendation", default=None,
                   help="JSON from --tune-sampling to quote in the card; with --card its recommended temperature "
                        "and top-p also go into the model's generation_config.json before the continuations run")
    p.add_argument("--jobs", type=int, default=2, help="continuations run at once by --tune-sampling")
    p.add_argument("--from-json", metavar="FILE",
                   help="write the card (with --card) and print its text from a result --out saved, without running anything")
    p.add_argument("--quantized", nargs="*", default=[], metavar="REPORT",
                   help="reports of training/quantize.py --eval --report to describe in the card")
    a = p.parse_args()
    log = lambda *x: print("[evaluate]", *x, file=sys.stderr, flush=True)  # noqa: E731
    if a.from_json:
        # Only the card's text: nothing is run, so neither the evaluation set nor the CLI is needed.
        res = json.load(open(a.from_json, encoding="utf-8"))
        md_text = markdown(res)
        print(md_text)
        if a.card:
            write_card(a.model_dir, md_text)
        return
    if not os.path.exists(EVAL_FILE):
        sys.exit(f"{EVAL_FILE} is missing: run /usr/bin/python3 training/data.py text")
    if not os.path.exists(CLI):
        sys.exit("dist/cli.js is missing: run node esbuild.js")
    if a.bpb_only:
        res = {"model": a.model_dir, "onnx": a.onnx, "bits_per_byte": bits_per_byte(a.model_dir, a.onnx, a.threads, log)}
        print(json.dumps(res["bits_per_byte"], indent=1))
    elif a.tune_sampling:
        res = tune(a.model_dir, a.threads, log, temps=tuple(float(x) for x in a.grid_temperatures.split(",")),
                   top_ps=tuple(float(x) for x in a.grid_top_p.split(",")), n_prompts=a.grid_prompts,
                   seeds=tuple(int(x) for x in a.grid_seeds.split(",")), jobs=a.jobs)
        b = res["best"]
        log(f"best: temperature {b['temperature']}, top-p {b['top_p']} (proxy {b['proxy']:.3f})")
    else:
        t = json.load(open(a.recommendation)) if a.recommendation and os.path.exists(a.recommendation) else None
        if t and a.card:
            apply_recommendation(a.model_dir, t, log)
        res = evaluate(a.model_dir, a.onnx, a.threads, log)
        if t:
            res["sampling_recommendation"] = recommendation_text(t)
        # a file quantize.py's limit rejected was removed by run_default_gpt.sh: only shipped files are described
        reports = [quantize_report(f) for f in a.quantized]
        res["quantized"] = [r for r in reports if os.path.exists(os.path.join(a.model_dir, "onnx", r["file"]))]
        md_text = markdown(res)
        print(md_text)
        if a.card:
            write_card(a.model_dir, md_text)
            log(f"wrote the evaluation into {os.path.join(a.model_dir, 'MODEL_CARD.md')}")
    if a.out:
        with open(a.out, "w", encoding="utf-8") as f:
            json.dump(res, f, indent=1, ensure_ascii=False)


if __name__ == "__main__":
    main()
