"""Sentence embeddings with the demo encoder (all-MiniLM-L6-v2 by default), as sentence-transformers makes them:
mean of the token vectors over the attention mask, then L2 normalisation, so a dot product is a cosine."""

import numpy as np
import torch

from worker.modelhub import encoder_load, encoder_spec

BATCH_SIZE = 32


@torch.inference_mode()
def texts_embed(texts: list[str], *, batch_size: int = BATCH_SIZE) -> np.ndarray:
    """Unit-length embeddings, one row per text, in the order given: float32 array (N, D)."""
    model, tokenizer = encoder_load()
    max_length = encoder_spec().max_length
    out = np.zeros((len(texts), model.config.hidden_size), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # similar lengths together: less padding
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        enc = tokenizer(
            [texts[i] for i in idx], padding=True, truncation=True, max_length=max_length, return_tensors="pt"
        ).to(model.device)
        hidden = model(**enc).last_hidden_state.float()  # (B, T, D)
        mask = enc["attention_mask"].unsqueeze(-1).float()  # (B, T, 1)
        mean = (hidden * mask).sum(1) / mask.sum(1).clamp_min(1e-9)  # (B, D)
        out[idx] = torch.nn.functional.normalize(mean, dim=-1).cpu().numpy()
    return out
