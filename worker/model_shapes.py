"""Shapes of well-known larger models, built on the meta device: exact parameter counts, no memory.

The sizes live in worker.catalog.MODEL_SHAPES (the published `config.json` files); the parameter counts they give
are checked in tests/worker/test_lora.py against the published totals.
"""

import torch

from worker.catalog import MODEL_SHAPES, ModelShape  # noqa: F401  (the sizes live in the catalog)


def shape_config(key: str):
    """The transformers config for a shape (untied input/output embeddings, as in the released checkpoints)."""
    from transformers import LlamaConfig, MistralConfig

    shape = MODEL_SHAPES[key]
    config_class = {"llama": LlamaConfig, "mistral": MistralConfig}[shape.family]
    return config_class(
        vocab_size=shape.vocab_size,
        hidden_size=shape.hidden_size,
        intermediate_size=shape.intermediate_size,
        num_hidden_layers=shape.num_hidden_layers,
        num_attention_heads=shape.num_attention_heads,
        num_key_value_heads=shape.num_key_value_heads,
        max_position_embeddings=shape.max_position_embeddings,
        tie_word_embeddings=False,
    )


def shape_build_meta(key: str) -> torch.nn.Module:
    """A fresh model of that shape with every tensor on the meta device (0.2-0.5 s; peft wraps it in place)."""
    from accelerate import init_empty_weights
    from transformers import AutoModelForCausalLM

    with init_empty_weights():
        return AutoModelForCausalLM.from_config(shape_config(key))
