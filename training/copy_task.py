"""Teach the shipped GPT a copy-heavy task, to measure speculative decoding where it should pay.

    /usr/bin/python3 training/data.py text          # the corpus, once (3-4 minutes)
    /usr/bin/python3 training/copy_task.py          # about 40 minutes on 2 cores

A rewrite, a grammar fix or a summary repeats long runs of the writer's own text; prompt-lookup
drafts copy exactly those runs. An instruct model that does this cannot be downloaded on an
offline machine, so this script makes a small stand-in: it fine-tunes models/inkwell-gpt
(training/finetune_gpt.py) on rewrite exercises built from the corpus's training documents,

    Rewrite the paragraph below, keeping what is right.

    <paragraph>

    Rewritten:

    <the same paragraph, unchanged half the time, else with one to three words dropped or swapped>

with the loss on the rewrite alone (finetune_gpt.py --loss-after), and writes the model to
bench/.cache/inkwell-gpt-copy/ (git-ignored) with eval-prompts.json:
the same exercise on paragraphs of the corpus's held-out documents, up to "Rewritten:", for
`npm run bench -- speculative` (its copy-heavy table). Nothing here ships.
"""
import argparse
import json
import os
import random
import re
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

INSTRUCTION = "Rewrite the paragraph below, keeping what is right."
# The loss counts only what follows this (the rewrite and its end): the paragraph before it is given,
# so all of the fine-tuning goes into copying it, not into predicting the corpus's prose again.
MARKER = "\n\nRewritten:\n\n"
WORD = re.compile(r"\S+")


def prompt_for(paragraph):
    return f"{INSTRUCTION}\n\n{paragraph}{MARKER}"


def paragraphs(jsonl, min_words, max_words):
    """Prose paragraphs of the corpus file: blank-line separated, no headings, lists, tables or code."""
    out = []
    with open(jsonl, encoding="utf-8") as f:
        for line in f:
            text = json.loads(line)["text"]
            for block in re.split(r"\n\s*\n", text):
                lines = block.strip().splitlines()
                if not lines or any(re.match(r"\s{4}|\s*(#|[-*+>|]|\d+\.|```|<)", ln) for ln in lines):
                    continue
                para = " ".join(ln.strip() for ln in lines)
                words = WORD.findall(para)
                letters = sum(c.isalpha() for c in para)
                if min_words <= len(words) <= max_words and letters > 0.7 * len(para) and para[-1] in ".!?":
                    out.append(para)
    return out


def edited(paragraph, rng):
    """The paragraph unchanged half the time, else with one to three small edits (a word dropped, two swapped)."""
    words = paragraph.split(" ")
    if rng.random() < 0.5 or len(words) < 8:
        return paragraph
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(1, len(words) - 2)
        if rng.random() < 0.5:
            del words[i]
        else:
            words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default=os.path.join(common.REPO_DIR, "bench", ".cache", "inkwell-gpt-copy"))
    p.add_argument("--corpus", default=os.path.join(common.DATA_DIR, "text"))
    # Measured on 2 cores: the loss after "Rewritten:" stays near 4 for ~300 steps (13 minutes), then
    # falls to ~1 within 50 steps as the model starts to copy; 35 minutes end near 0.35.
    p.add_argument("--minutes", type=float, default=35.0,
                   help="fine-tuning time budget, in all (a second run resumes from the checkpoint until it is spent)")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--examples", type=int, default=4000)
    p.add_argument("--eval-prompts", type=int, default=8)
    p.add_argument("--seed", type=int, default=7)
    a = p.parse_args(argv)
    train_file, val_file = (os.path.join(a.corpus, f"{n}.jsonl") for n in ("train", "val"))
    if not os.path.exists(train_file):
        sys.exit(f"{train_file} is missing: build the corpus first (/usr/bin/python3 training/data.py text)")
    rng = random.Random(a.seed)
    train = sorted(set(paragraphs(train_file, 40, 150)))
    held = sorted(set(paragraphs(val_file, 100, 150)))
    if len(train) < 100 or len(held) < a.eval_prompts:
        sys.exit(f"too few prose paragraphs in the corpus ({len(train)} to train on, {len(held)} held out)")
    rng.shuffle(train)
    rng.shuffle(held)
    run_dir = os.path.join(common.RUNS_DIR, "copy-task")
    posts = os.path.join(run_dir, "posts")
    shutil.rmtree(posts, ignore_errors=True)
    os.makedirs(posts)
    for i in range(a.examples):
        para = train[i % len(train)]
        with open(os.path.join(posts, f"{i:05d}.md"), "w", encoding="utf-8") as f:
            f.write(prompt_for(para) + edited(para, rng) + "\n")
    print(f"{a.examples} rewrite exercises from {len(train)} training paragraphs; {len(held)} held-out paragraphs", flush=True)

    import finetune_gpt  # noqa: E402  (loads torch)

    finetune_gpt.main(["--posts", posts, "--out", a.out, "--run-dir", run_dir, "--seed", str(a.seed),
                       "--steps", "1000000", "--time-budget-min", str(a.minutes), "--lr", str(a.lr), "--val-frac", "0.05", "--no-heldout", "--aligned",
                       "--loss-after", MARKER])
    prompts = [{"paragraph": para, "prompt": prompt_for(para)} for para in held[:a.eval_prompts]]
    with open(os.path.join(a.out, "eval-prompts.json"), "w", encoding="utf-8") as f:
        json.dump({"instruction": INSTRUCTION, "prompts": prompts}, f, indent=1, ensure_ascii=False)
    print(f"wrote {a.out} and {len(prompts)} held-out prompts", flush=True)


if __name__ == "__main__":
    main()
