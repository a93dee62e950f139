"""Shapes of well-known larger models, built on the meta device: exact parameter counts, no memory.

The sizes are those of the published `config.json` files (meta-llama/Llama-2-*-hf, mistralai/Mistral-7B-v0.1);
the parameter counts they give are checked in tests/worker/test_lora.py against the published totals.
"""

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class ModelShape:
    label: str
    family: str  # "llama" | "mistral": which transformers config class
    hidden_size: int
    intermediate_size: int
    num_hidden_layers: int
    num_attention_heads: int
    num_key_value_heads: int  # < num_attention_heads: grouped-query attention (GQA)
    vocab_size: int = 32000
    max_position_embeddings: int = 4096
    source: str = ""


MODEL_SHAPES: dict[str, ModelShape] = {
    "llama-2-7b": ModelShape("Llama-2-7B", "llama", 4096, 11008, 32, 32, 32, source="meta-llama/Llama-2-7b-hf"),
    "llama-2-13b": ModelShape("Llama-2-13B", "llama", 5120, 13824, 40, 40, 40, source="meta-llama/Llama-2-13b-hf"),
    "llama-2-70b": ModelShape(
        "Llama-2-70B (GQA, 8 KV heads)", "llama", 8192, 28672, 80, 64, 8, source="meta-llama/Llama-2-70b-hf"
    ),
    "mistral-7b": ModelShape(
        "Mistral-7B (GQA, 8 KV heads)",
        "mistral",
        4096,
        14336,
        32,
        32,
        8,
        max_position_embeddings=32768,
        source="mistralai/Mistral-7B-v0.1",
    ),
}


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
