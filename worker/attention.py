"""Attention weights of the demo encoder (MiniLM, bidirectional) or decoder (SmolLM2, causal) for one text,
as a JSON-able dict small enough to ship to the page (bounded by max_tokens)."""

import numpy as np
import torch

from worker.catalog import ATTENTION_MODELS
from worker.modelhub import attn_eager, encoder_load, encoder_spec, lm_load, lm_spec, tokens_readable

MODELS = tuple(ATTENTION_MODELS)
MAX_TOKENS_LIMIT = 128  # the decoder's 30x9 maps at 128 tokens are already ~4.4M numbers
ERROR_MODEL = "model must be 'encoder' or 'decoder'."
ERROR_MAX_TOKENS = f"max_tokens must be between 2 and {MAX_TOKENS_LIMIT}."
ERROR_EMPTY = "Enter some text to look at."


def rollout(head_mean: torch.Tensor) -> torch.Tensor:
    """Attention rollout (Abnar & Zuidema, 2020): per layer the head-averaged map plus the identity for the
    residual stream, rows renormalised, multiplied from the first layer up. (L, T, T) -> (T, T)."""
    T = head_mean.shape[-1]
    eye = torch.eye(T, dtype=head_mean.dtype, device=head_mean.device)
    result = eye
    for layer in head_mean:  # (T, T)
        a = layer + eye
        a = a / a.sum(-1, keepdim=True)
        result = a @ result
    return result / result.sum(-1, keepdim=True)


def _rounded(x: torch.Tensor) -> list:
    return np.round(x.double().cpu().numpy(), 3).tolist()  # float64: 0.123, not 0.12300000339


@torch.inference_mode()
def attention_maps(*, text: str, model: str = "encoder", max_tokens: int = 64) -> dict:
    """Every head's attention for `text`: attentions[layer][head][query][key], rows summing to 1.

    The decoder reads the text as-is (no chat template) and is causal: weights above the diagonal are 0.
    Inputs longer than max_tokens are cut (`truncated: true`); the encoder keeps its [CLS] and [SEP].
    """
    if model not in MODELS:
        raise ValueError(ERROR_MODEL)
    if not 2 <= max_tokens <= MAX_TOKENS_LIMIT:
        raise ValueError(ERROR_MAX_TOKENS)
    if not text.strip():
        raise ValueError(ERROR_EMPTY)
    net, tokenizer = encoder_load() if model == "encoder" else lm_load()
    name = encoder_spec().name if model == "encoder" else lm_spec().name
    n_full = len(tokenizer(text)["input_ids"])
    enc = tokenizer(text, truncation=True, max_length=max_tokens, return_tensors="pt").to(net.device)
    with attn_eager(net):  # SDPA cannot return attention weights
        out = net.base_model(**enc, output_attentions=True)  # no LM head: only the maps are wanted
    att = torch.stack(out.attentions)[:, 0].float()  # (L, H, T, T)
    head_mean = att.mean(1)  # (L, T, T)
    ids = enc["input_ids"][0].tolist()
    return {
        "model": name,
        "kind": model,
        "causal": model == "decoder",
        "tokens": tokens_readable(tokenizer, ids),
        "token_ids": ids,
        "n_tokens": len(ids),
        "n_layers": att.shape[0],
        "n_heads": att.shape[1],
        "truncated": n_full > len(ids),
        "max_tokens": max_tokens,
        "attentions": _rounded(att),
        "head_mean": _rounded(head_mean),
        "rollout": _rounded(rollout(head_mean)),
    }
