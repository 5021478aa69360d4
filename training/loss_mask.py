"""Which tokens of a training text count in the loss (finetune_gpt.py --loss-after), without torch.

An exercise whose first part is given (a paragraph to rewrite) trains best on its answer alone:
the loss then goes into copying, not into predicting the given part again. Token boundaries are
found by bytes: the tokenizer is byte-level, so its tokens' UTF-8 lengths add up to the text's.
"""
import numpy as np

import bpe


def token_bytes(tok):
    """UTF-8 length of every token id (<|endoftext|> counts 0 bytes)."""
    n = np.zeros(len(tok.vocab), dtype=np.int64)
    for t, i in tok.vocab.items():
        n[i] = 0 if t == bpe.EOS else len(bytes(bpe.U2B[c] for c in t))
    return n


def loss_weights(body, ids, nbytes, marker):
    """1.0 for the tokens of body (encoded as ids) that start at or after the end of marker's first
    occurrence, else 0.0; all 1.0 without a marker, all 0.0 when body lacks it."""
    if marker is None:
        return np.ones(len(ids), dtype=np.float32)
    cut = body.find(marker)
    if cut < 0:
        return np.zeros(len(ids), dtype=np.float32)
    first = len(body[:cut + len(marker)].encode("utf-8"))
    lengths = nbytes[np.asarray(ids, dtype=np.int64)]
    starts = np.cumsum(lengths) - lengths
    return (starts >= first).astype(np.float32)
