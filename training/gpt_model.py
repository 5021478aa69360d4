"""GPT-2 architecture (learned positions, pre-LN blocks, gelu_new, tied LM head)
with an explicit KV-cache interface matching the Optimum/transformers.js
decoder export (input_ids, attention_mask, position_ids, past_key_values.*)."""
import math
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class GPTConfig:
    vocab_size: int = 8192
    n_positions: int = 256
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 256
    dropout: float = 0.0
    layer_norm_epsilon: float = 1e-5

    def to_dict(self):
        return asdict(self)


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.n_head = cfg.n_head
        self.head_dim = cfg.n_embd // cfg.n_head
        self.c_attn = nn.Linear(cfg.n_embd, 3 * cfg.n_embd)
        self.c_proj = nn.Linear(cfg.n_embd, cfg.n_embd)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x, mask_add, past_k=None, past_v=None):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        q = q.view(B, T, self.n_head, self.head_dim).transpose(1, 2)
        k = k.view(B, T, self.n_head, self.head_dim).transpose(1, 2)
        v = v.view(B, T, self.n_head, self.head_dim).transpose(1, 2)
        if past_k is not None:
            k = torch.cat([past_k, k], dim=2)
            v = torch.cat([past_v, v], dim=2)
        att = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(self.head_dim))
        att = att + mask_add
        att = F.softmax(att, dim=-1)
        att = self.drop(att)
        y = torch.matmul(att, v).transpose(1, 2).reshape(B, T, C)
        return self.drop(self.c_proj(y)), k, v


class MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.c_fc = nn.Linear(cfg.n_embd, 4 * cfg.n_embd)
        self.c_proj = nn.Linear(4 * cfg.n_embd, cfg.n_embd)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x):
        return self.drop(self.c_proj(gelu_new(self.c_fc(x))))


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.ln_1 = nn.LayerNorm(cfg.n_embd, eps=cfg.layer_norm_epsilon)
        self.attn = Attention(cfg)
        self.ln_2 = nn.LayerNorm(cfg.n_embd, eps=cfg.layer_norm_epsilon)
        self.mlp = MLP(cfg)

    def forward(self, x, mask_add, past_k=None, past_v=None):
        a, k, v = self.attn(self.ln_1(x), mask_add, past_k, past_v)
        x = x + a
        x = x + self.mlp(self.ln_2(x))
        return x, k, v


class GPT(nn.Module):
    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.cfg = cfg
        self.wte = nn.Embedding(cfg.vocab_size, cfg.n_embd)
        self.wpe = nn.Embedding(cfg.n_positions, cfg.n_embd)
        self.drop = nn.Dropout(cfg.dropout)
        self.h = nn.ModuleList([Block(cfg) for _ in range(cfg.n_layer)])
        self.ln_f = nn.LayerNorm(cfg.n_embd, eps=cfg.layer_norm_epsilon)
        # Zero bias so the tied head exports as one Gemm(transB=1) on wte.weight.
        self.register_buffer("lm_head_bias", torch.zeros(cfg.vocab_size), persistent=False)
        self.apply(self._init)
        for n, p in self.named_parameters():
            if n.endswith("c_proj.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * cfg.n_layer))

    @staticmethod
    def _init(m):
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, mean=0.0, std=0.02)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, mean=0.0, std=0.02)

    def num_params(self):
        return sum(p.numel() for p in self.parameters())

    def forward(self, input_ids, attention_mask=None, position_ids=None, past=None):
        """past: list of (k, v) per layer, each [B, H, P, D] (P may be 0).
        Returns logits [B, T, V] and presents list of (k, v)."""
        B, T = input_ids.shape
        past_len = past[0][0].shape[2] if past is not None else 0
        if position_ids is None:
            position_ids = (torch.arange(T, device=input_ids.device) + past_len).unsqueeze(0).expand(B, T)
        total = past_len + T
        q_pos = torch.arange(T, device=input_ids.device) + past_len
        k_pos = torch.arange(total, device=input_ids.device)
        allowed = (k_pos.unsqueeze(0) <= q_pos.unsqueeze(1)).unsqueeze(0).unsqueeze(0)  # [1,1,T,total]
        if attention_mask is not None:
            allowed = allowed & (attention_mask[:, None, None, :] > 0)
        mask_add = torch.zeros(allowed.shape, dtype=torch.float32, device=input_ids.device).masked_fill(~allowed, -1e9)
        x = self.drop(self.wte(input_ids) + self.wpe(position_ids))
        presents = []
        for i, blk in enumerate(self.h):
            pk, pv = past[i] if past is not None else (None, None)
            x, k, v = blk(x, mask_add, pk, pv)
            presents.append((k, v))
        x = self.ln_f(x)
        C = x.shape[-1]
        logits = F.linear(x.reshape(-1, C), self.wte.weight, self.lm_head_bias).reshape(B, T, -1)
        return logits, presents


class OnnxWrapper(nn.Module):
    """Flat-argument wrapper used for ONNX export."""

    def __init__(self, model):
        super().__init__()
        self.transformer = model

    def forward(self, input_ids, attention_mask, position_ids, *flat_past):
        n = self.transformer.cfg.n_layer
        past = [(flat_past[2 * i], flat_past[2 * i + 1]) for i in range(n)]
        logits, presents = self.transformer(input_ids, attention_mask, position_ids, past)
        out = [logits]
        for k, v in presents:
            out += [k, v]
        return tuple(out)


@torch.no_grad()
def generate(model, ids, steps, greedy=True, temperature=0.8, top_k=40, generator=None, eos_id=None):
    """Decoding in PyTorch with the KV cache (prompt must leave room for `steps`
    tokens within n_positions)."""
    model.eval()
    ids = list(ids)
    out = []
    past = None
    step_ids = ids
    pos = 0
    for _ in range(steps):
        x = torch.tensor([step_ids], dtype=torch.long)
        position_ids = torch.arange(pos, pos + len(step_ids)).unsqueeze(0)
        logits, past = model(x, None, position_ids, past)
        pos += len(step_ids)
        logits = logits[0, -1]
        if greedy:
            nxt = int(torch.argmax(logits))
        else:
            logits = logits / temperature
            if top_k:
                v, _ = torch.topk(logits, top_k)
                logits = logits.masked_fill(logits < v[-1], float("-inf"))
            probs = F.softmax(logits, dim=-1)
            nxt = int(torch.multinomial(probs, 1, generator=generator))
        out.append(nxt)
        step_ids = [nxt]
        if eos_id is not None and nxt == eos_id:
            break
    return out


@torch.no_grad()
def greedy_consistent_without_cache(model, prompt, generated):
    """True when every generated token is the argmax of a single cache-free forward
    pass over prompt + generated[:-1], i.e. cache-free greedy decoding gives the
    same sequence."""
    model.eval()
    seq = list(prompt) + list(generated[:-1])
    logits, _ = model(torch.tensor([seq], dtype=torch.long))
    pred = torch.argmax(logits[0, len(prompt) - 1:], dim=-1).tolist()
    return pred == list(generated)
