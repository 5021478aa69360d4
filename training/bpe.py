"""Byte-level BPE tokenizer (GPT-2 style) trained on the Inkwell corpus.

The Python `tokenizers` library is not packaged for this system's Python, so
this module trains a byte-level BPE itself and writes a standard Hugging Face
`tokenizer.json` (model type BPE, ByteLevel pre-tokenizer/decoder, vocab +
merges) that `@huggingface/tokenizers` / transformers.js load unchanged.
Encoding here follows the same algorithm (GPT-2 split regex, lowest-rank merge
first), and export_gpt checks that the JS library produces identical ids.
"""
import heapq
import json
from collections import Counter, defaultdict

import regex

# Same split pattern as GPT-2 / HF ByteLevel(use_regex=True)
PAT = regex.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")
EOS = "<|endoftext|>"


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


B2U = bytes_to_unicode()
U2B = {v: k for k, v in B2U.items()}


def pretokenize(text):
    for m in PAT.findall(text):
        yield "".join(B2U[b] for b in m.encode("utf-8"))


def train(texts, vocab_size, log=print):
    """Returns (vocab dict token->id, merges list of (a, b)). EOS is the last id."""
    counts = Counter()
    for t in texts:
        counts.update(pretokenize(t))
    words = [list(w) for w in counts]
    freqs = [counts[w] for w in counts]
    alphabet = [B2U[b] for b in range(256)]
    vocab = {c: i for i, c in enumerate(alphabet)}
    n_merges = vocab_size - 256 - 1
    pair_counts = defaultdict(int)
    where = defaultdict(set)
    for wi, w in enumerate(words):
        f = freqs[wi]
        for a, b in zip(w, w[1:]):
            pair_counts[(a, b)] += f
            where[(a, b)].add(wi)
    heap = [(-c, p) for p, c in pair_counts.items()]
    heapq.heapify(heap)
    merges = []
    while len(merges) < n_merges and heap:
        negc, pair = heapq.heappop(heap)
        c = pair_counts.get(pair, 0)
        if c <= 0:
            continue
        if -negc != c:
            heapq.heappush(heap, (-c, pair))
            continue
        a, b = pair
        new = a + b
        merges.append(pair)
        vocab[new] = len(vocab)
        changed = set()
        for wi in list(where[pair]):
            w = words[wi]
            f = freqs[wi]
            i = 0
            out = []
            # remove old pair counts of this word
            for x, y in zip(w, w[1:]):
                pair_counts[(x, y)] -= f
            while i < len(w):
                if i < len(w) - 1 and w[i] == a and w[i + 1] == b:
                    out.append(new)
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            words[wi] = out
            for x, y in zip(out, out[1:]):
                pair_counts[(x, y)] += f
                where[(x, y)].add(wi)
                changed.add((x, y))
        del pair_counts[pair]
        del where[pair]
        for p in changed:
            c2 = pair_counts.get(p, 0)
            if c2 > 0:
                heapq.heappush(heap, (-c2, p))
        if len(merges) % 1000 == 0:
            log(f"bpe: {len(merges)} merges, last {new!r} ({c})")
    vocab[EOS] = len(vocab)
    return vocab, merges


class Tokenizer:
    def __init__(self, vocab, merges):
        self.vocab = vocab
        self.inv = {i: t for t, i in vocab.items()}
        self.ranks = {tuple(m): i for i, m in enumerate(merges)}
        self.merges = [tuple(m) for m in merges]
        self.cache = {}
        self.eos_id = vocab[EOS]

    @classmethod
    def load(cls, path):
        with open(path) as f:
            j = json.load(f)
        merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in j["model"]["merges"]]
        vocab = dict(j["model"]["vocab"])
        for t in j.get("added_tokens", []):
            vocab[t["content"]] = t["id"]
        return cls(vocab, merges)

    def _bpe(self, word):
        if word in self.cache:
            return self.cache[word]
        parts = list(word)
        while len(parts) > 1:
            best = None
            bi = -1
            for i in range(len(parts) - 1):
                r = self.ranks.get((parts[i], parts[i + 1]))
                if r is not None and (best is None or r < best):
                    best, bi = r, i
            if best is None:
                break
            parts = parts[:bi] + [parts[bi] + parts[bi + 1]] + parts[bi + 2:]
        ids = [self.vocab[p] for p in parts]
        self.cache[word] = ids
        return ids

    def encode(self, text):
        ids = []
        for w in pretokenize(text):
            ids.extend(self._bpe(w))
        return ids

    def decode(self, ids):
        bs = bytearray()
        for i in ids:
            t = self.inv[int(i)]
            if t == EOS:
                bs.extend(t.encode("utf-8"))
            else:
                bs.extend(U2B[c] for c in t)
        return bs.decode("utf-8", errors="replace")

    def to_hf_json(self):
        eos = {"id": self.eos_id, "content": EOS, "single_word": False, "lstrip": False,
               "rstrip": False, "normalized": False, "special": True}
        vocab = {t: i for t, i in self.vocab.items() if t != EOS}
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": [eos],
            "normalizer": None,
            "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
            "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
            "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
            "model": {
                "type": "BPE",
                "dropout": None,
                "unk_token": None,
                "continuing_subword_prefix": "",
                "end_of_word_suffix": "",
                "fuse_unk": False,
                "byte_fallback": False,
                "ignore_merges": False,
                "vocab": vocab,
                "merges": [f"{a} {b}" for a, b in self.merges],
            },
        }

    def save(self, path):
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.to_hf_json(), f, ensure_ascii=False)


def tokenizer_config():
    return {
        "model_max_length": 256,
        "bos_token": EOS,
        "eos_token": EOS,
        "unk_token": EOS,
        "pad_token": None,
        "add_prefix_space": False,
        "clean_up_tokenization_spaces": False,
        "tokenizer_class": "GPT2Tokenizer",
    }
