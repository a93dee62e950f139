"""Corrected and updated bank statements stay corrected; every key point is stated in its card's answer; merges hold."""

import re
from pathlib import Path

import pytest

from quiz.bank.services.bank import BankError, bank_files_read

# A key point counts as stated in the answer when at least this share of its content words (compared on their first
# five letters, stop words left out) also occur in the answer. Every bank card passes at 1/3; a point that only the
# details support, or that names things the answer never mentions, falls below it.
KEY_POINT_OVERLAP = 1 / 3
_STOP = set(
    "a an the and or of to in on for with by is are be as at from that this it its their than then so into each every "
    "per not no only one two can does do which while when whose who what how why more most much many any all also both "
    "over under about between without within same other such like use uses used using make makes made give gives get".split()
)

# Merge decisions: the surviving card and the slugs it absorbed (their material coverage moved with them).
MERGES = {
    "encoder-vs-decoder": ["attention-in-encoder-decoder"],
    "cross-attention": ["encoder-decoder-data-flow"],
    "self-attention": ["attention-intuition"],
    "transformers-vs-rnns": ["attention-path-length"],
    "transformer-input-embeddings": ["embedding-layer"],
    "feed-forward-network": ["attention-vs-ffn-roles"],
}


def _cards() -> dict[str, dict]:
    return {card["slug"]: card for _path, data in bank_files_read() for card in data["cards"]}


CARDS = _cards()


def _plain(text: str) -> str:
    """Markdown emphasis removed and whitespace collapsed, so pins match the sentence and not its formatting."""
    return re.sub(r"\s+", " ", text.replace("*", ""))


def _answer(slug: str) -> str:
    return _plain(CARDS[slug]["answer"])


def _all_text(slug: str) -> str:
    card = CARDS[slug]
    return _plain(
        " ".join([card["question"], card["answer"], card.get("details") or "", *map(str, card["key_points"])])
    )


def _content_words(text: str) -> set[str]:
    words = re.findall(r"[a-z][a-z0-9]+|[0-9]+(?:\.[0-9]+)?", text.lower())
    return {word[:5] for word in words if word not in _STOP}


# --------------------------------------------------------------------------------------------- wrong statements


def test_gelu_sigmoid_approximation_has_the_factor_inside_the_sigmoid():
    text = _all_text("gelu-vs-relu")
    assert "sigmoid(1.702x)" in text
    assert "x/1.702" in text  # SiLU ~ x * Phi(x / 1.702)
    assert "Phi(1.702x)" not in text and "Φ(1.702x)" not in text


def test_tensor_parallel_degree_divides_the_heads_not_the_reverse():
    assert "tensor-parallel degree divides the number of heads" in _answer("transformer-shape-hyperparameters")
    assert "tensor-parallel degree must divide the number of (KV) heads" in " ".join(
        CARDS["transformer-shape-hyperparameters"]["key_points"]
    )
    assert "head counts divide the tensor-parallel degree" not in _all_text("transformer-shape-hyperparameters")
    assert "TP degree divides $g$" in _all_text("grouped-query-attention")
    assert "the TP degree must divide the number of KV heads" in _all_text("llm-deployment")


def test_kaplan_chinchilla_gap_is_not_one_schedule():
    answer = _answer("chinchilla-compute-optimal")
    assert "Porian" in answer and "last-layer" in answer and "warmup" in answer
    point = CARDS["chinchilla-compute-optimal"]["key_points"][3]
    assert "last-layer" in point and "warmup" in point and "not from the learning-rate schedule alone" in point
    assert "same learning-rate schedule regardless" not in _all_text("chinchilla-compute-optimal")


def test_only_the_multiplicative_penalty_counts_the_prompt():
    answer = _answer("repetition-penalties")
    assert "applies to every token in the context, prompt included" in answer
    assert "penalties (OpenAI API, vLLM) count only the generated tokens" in answer
    assert "penalties apply to all tokens in the context, including the prompt" not in _all_text("repetition-penalties")


def test_temperature_zero_with_sampling_is_an_error_in_generate():
    answer = _answer("temperature-top-k-top-p")
    assert "Greedy is asked for with `do_sample=False`" in answer
    assert "`temperature=0` together with `do_sample=True` raises an error" in answer
    assert "Temperature 0 is implemented as greedy" not in _all_text("temperature-top-k-top-p")


def test_mistral_slides_in_every_layer_and_the_architecture_card_is_current():
    answer = _answer("modern-llm-architectures")
    assert "Mistral 7B uses sliding-window attention (4096 tokens) in every layer" in answer
    assert "alternating local and global layers is Gemma 2" in answer
    for term in (
        "QK-norm",
        "Multi-head latent attention (MLA)",
        "shared expert",
        "Attention sinks",
        "Hybrid linear-attention",
    ):
        assert term in answer, term
    assert "sliding-window attention in some layers (Mistral" not in _all_text("modern-llm-architectures")


def test_beam_search_curse_is_quality_falling_with_beam_width():
    text = _all_text("greedy-beam-vs-sampling")
    assert "quality falls as the beam widens" in text
    assert 'distribution (the "beam search curse")' not in text


# --------------------------------------------------------------------------------------------- dated cards


@pytest.mark.parametrize("slug", ["sparse-attention-patterns", "subquadratic-attention-methods"])
def test_sparse_attention_cards_name_trainable_sparse_attention(slug):
    answer = _answer(slug)
    for term in ("NSA", "MoBA", "DeepSeek Sparse Attention", "trainable"):
        assert term.lower() in answer.lower(), term


def test_dynamic_quantization_points_to_torchao():
    answer = _answer("pytorch-dynamic-quantization")
    assert "deprecated in favour of torchao" in answer
    assert "quantize_(model, Int8DynamicActivationInt8WeightConfig())" in answer
    assert "The API now lives in `torch.ao.quantization`" not in _all_text("pytorch-dynamic-quantization")


def test_mixed_precision_uses_the_current_scaler_and_block_scaled_fp8():
    text = _all_text("mixed-precision-bf16-fp16")
    assert 'torch.amp.GradScaler("cuda")' in text
    assert "for fp16 add `torch.cuda.amp.GradScaler`" not in text
    assert "block-wise" in _answer("mixed-precision-bf16-fp16") and "MXFP8" in _answer("mixed-precision-bf16-fp16")


def test_benchmark_card_starts_from_saturation_and_names_current_suites():
    answer = _answer("llm-benchmarks-and-contamination")
    assert answer.startswith("Start with the main pitfall: saturation")
    for name in ("Humanity's Last Exam (HLE)", "AIME", "LiveCodeBench", "SWE-bench Verified", "agentic", "LMArena"):
        assert name in answer, name


def test_distillation_card_covers_the_llm_choices():
    answer = _answer("knowledge-distillation")
    for term in (
        "forward KL",
        "reverse KL",
        "on-policy distillation",
        "Reasoning-trace distillation",
        "Prune and distill",
    ):
        assert term in answer, term


# --------------------------------------------------------------------------------------------- deepened cards


def test_deepened_cards_carry_the_mechanisms():
    assert "\\mathrm{clip}(\\rho_t,1-\\epsilon,1+\\epsilon)" in _answer("rlhf-ppo")
    assert "generalized advantage estimation" in _answer("rlhf-ppo")
    moe = _answer("mixture-of-experts")
    assert "all-to-all" in moe and "dropped" in moe and "Router z-loss" in moe
    rag = _answer("rag-pipeline")
    assert "HNSW" in rag and "IVF-PQ" in rag and "reciprocal rank fusion" in rag
    assert "Capacity arithmetic first" in _answer("llm-deployment")


def test_named_vague_key_points_are_now_concrete():
    assert "`embed_dim` must be divisible by `num_heads`" in _answer("multihead-attention-pytorch")
    assert "Selective checkpointing" in _answer("gradient-checkpointing")
    assert "With teacher forcing and a causal mask" in _answer("lm-cross-entropy-loss")
    assert "expected calibration error" in _answer("evaluating-nlp-models")
    assert "55 concurrent" in " ".join(CARDS["llm-deployment"]["key_points"])


# --------------------------------------------------------------------------------------------- every card


def test_every_key_point_is_stated_in_the_answer():
    weak = []
    for slug, card in CARDS.items():
        answer = _content_words(card["answer"])
        for number, point in enumerate(card["key_points"], start=1):
            words = _content_words(str(point))
            share = len(words & answer) / max(1, len(words))
            if share < KEY_POINT_OVERLAP:
                weak.append(f"{slug} #{number} ({share:.2f}): {point}")
    assert not weak, "key points the answer does not state:\n" + "\n".join(weak)


# --------------------------------------------------------------------------------------------- merges


def test_merged_cards_list_what_they_absorbed_and_the_absorbed_are_gone():
    declared = {slug: card["replaces"] for slug, card in CARDS.items() if card.get("replaces")}
    assert declared == MERGES
    for absorbed in MERGES.values():
        assert not set(absorbed) & set(CARDS)


def _write_bank(folder: Path, cards: str) -> Path:
    folder.mkdir()
    (folder / "01-x.yaml").write_text(f"topic: {{slug: x}}\ncards:\n{cards}", encoding="utf-8")
    return folder


_CARD = "  - {{slug: {slug}, question: q, answer: a, key_points: [a, b, c], difficulty: 1{extra}}}\n"


def test_loader_accepts_replaces_and_rejects_a_replaced_slug_that_still_exists(tmp_path):
    good = _write_bank(tmp_path / "good", _CARD.format(slug="new", extra=", replaces: [old]"))
    assert bank_files_read(bank_dir=good)[0][1]["cards"][0]["replaces"] == ["old"]
    both = _CARD.format(slug="new", extra=", replaces: [old]") + _CARD.format(slug="old", extra="")
    with pytest.raises(BankError, match="old is listed in 'replaces' of new but still exists"):
        bank_files_read(bank_dir=_write_bank(tmp_path / "both", both))
    with pytest.raises(BankError, match="'replaces' must be a list of card slugs"):
        bank_files_read(bank_dir=_write_bank(tmp_path / "bad", _CARD.format(slug="new", extra=", replaces: old")))
