"""Every worked figure a bank card states is recomputed here: parameter counts, KV-cache bytes, LoRA counts, FLOPs, memory.

Each row is (slug, the figure exactly as the card writes it (runs of whitespace read as one space), a Python expression computing it[, significant figures]).
The figure ends with the stated result: a plain number ("84.9", "327{,}680", "225,830") or a power of ten
("8.4\\times10^{22}"). The computed value is rounded the way the card rounds it — to the number of decimals the card
shows, or to the given number of significant figures for figures the card states loosely ("~1,900"). Other files add
cards to the bank; they add their rows to FIGURES (or import `figure_mismatch` and keep a table of their own).
"""

import math
import re

import pytest

from quiz.bank.services.bank import bank_files_read

KiB, MiB, GiB = 2**10, 2**20, 2**30

FIGURES: list[tuple] = [
    # transformer-parameter-count: GPT-3, GPT-2 small, LLaMA-2 7B
    ("transformer-parameter-count", r"$12 \cdot 96 \cdot 12288^2 \approx 174", "12 * 96 * 12288**2 / 1e9"),
    ("transformer-parameter-count", r"$50257 \cdot 12288 \approx 0.6", "50257 * 12288 / 1e9"),
    ("transformer-parameter-count", r"$12\cdot12\cdot768^2 = 84.9", "12 * 12 * 768**2 / 1e6"),
    ("transformer-parameter-count", r"M blocks + $38.6", "50257 * 768 / 1e6"),
    ("transformer-parameter-count", r"M token embeddings + $0.8", "1024 * 768 / 1e6"),
    ("transformer-parameter-count", r"≈ **124", "(12 * 12 * 768**2 + 50257 * 768 + 1024 * 768) / 1e6"),
    ("transformer-parameter-count", r"attention $4\cdot4096^2 = 67.1", "4 * 4096**2 / 1e6"),
    ("transformer-parameter-count", r"SwiGLU FFN $3\cdot4096\cdot11008 = 135.3", "3 * 4096 * 11008 / 1e6"),
    ("transformer-parameter-count", r"M → 202.4", "(4 * 4096**2 + 3 * 4096 * 11008) / 1e6"),
    ("transformer-parameter-count", r"$\times 32 = 6.48", "32 * (4 * 4096**2 + 3 * 4096 * 11008) / 1e9"),
    ("transformer-parameter-count", r"$2\cdot32000\cdot4096 = 0.26", "2 * 32000 * 4096 / 1e9"),
    ("transformer-parameter-count", r"→ **6.74", "(32 * (4 * 4096**2 + 3 * 4096 * 11008) + 2 * 32000 * 4096) / 1e9"),
    # transformer-flops-per-token: 6ND, GPU-hours, inference FLOPs
    ("transformer-flops-per-token", r"$6 \cdot 7\times10^9 \cdot 2\times10^{12} = 8.4\times10^{22}", "6 * 7e9 * 2e12"),
    ("transformer-flops-per-token", r"/ 1.25\times10^{14}", "312e12 * 0.40"),
    ("transformer-flops-per-token", r"\approx 6.7\times10^8", "6 * 7e9 * 2e12 / (312e12 * 0.40)"),
    ("transformer-flops-per-token", r"GPU-seconds ≈ 187", "6 * 7e9 * 2e12 / (312e12 * 0.40) / 3600 / 1e3"),
    ("transformer-flops-per-token", r"7B model needs ≈ 14", "2 * 7e9 / 1e9"),
    # vision-transformer: patch arithmetic
    ("vision-transformer", r"$N = 14\times 14 = 196", "224 * 224 / 16**2"),
    ("vision-transformer", r"$16\cdot16\cdot3 = 768", "16 * 16 * 3"),
    ("vision-transformer", r"processes 197", "224 * 224 / 16**2 + 1"),
    ("vision-transformer", r"gives $24^2 = 576", "(384 / 16) ** 2"),
    ("vision-transformer", r"$768\cdot768+768 \approx 0.59", "(768 * 768 + 768) / 1e6"),
    # qkv-projections-multi-head: attention parameters, with and without GQA
    ("qkv-projections-multi-head", r"$4\cdot4096^2 = 67.1", "4 * 4096**2 / 1e6"),
    (
        "qkv-projections-multi-head",
        r"$2\cdot8192^2 + 2\cdot8192\cdot1024 \approx 151",
        "(2 * 8192**2 + 2 * 8192 * 1024) / 1e6",
    ),
    ("qkv-projections-multi-head", r"M instead of 268", "4 * 8192**2 / 1e6"),
    # attention arithmetic
    ("attention-scaling-sqrt-dk", r"$d_k=128$ the standard deviation is about 11", "math.sqrt(128)"),
    ("multihead-attention-pytorch", r"768/12 = 64", "768 / 12"),
    ("dot-product-vs-additive-attention", r"$4096^2\times64\times2$ bytes, about 2", "4096**2 * 64 * 2 / GiB"),
    ("dot-product-vs-additive-attention", r"GiB per head per layer, versus 32", "4096**2 * 2 / MiB"),
    ("self-attention-complexity", r"$n^2\approx1.7\times10^{10}", "131072**2"),
    ("self-attention-complexity", r"times 2 bytes $\approx$ 32", "131072**2 * 2 / GiB"),
    ("transformer-layer-complexity", r"$12nd^2\approx8.2\times10^{11}", "12 * 4096 * 4096**2"),
    ("transformer-layer-complexity", r"$2n^2d\approx1.4\times10^{11}", "2 * 4096**2 * 4096"),
    ("transformer-layer-complexity", r"only about 14", "100 * 2 * 4096**3 / (12 * 4096**3 + 2 * 4096**3)"),
    ("transformer-layer-complexity", r"the quadratic term is $8.8\times10^{12}", "2 * 32768**2 * 4096"),
    ("transformer-tensor-shapes", r"gives 4.3", "8 * 32 * 4096**2 / 1e9"),
    ("transformer-tensor-shapes", r"per layer — 8.6", "8 * 32 * 4096**2 * 2 / 1e9"),
    # KV cache: GQA, MLA, arithmetic and capacity
    ("grouped-query-attention", r"$2\cdot80\cdot8\cdot128\cdot2=327{,}680", "2 * 80 * 8 * 128 * 2"),
    ("grouped-query-attention", r"≈ **320", "2 * 80 * 8 * 128 * 2 / KiB"),
    ("grouped-query-attention", r"versus 2.5", "2 * 80 * 64 * 128 * 2 / MiB"),
    ("grouped-query-attention", r"needs about 1.25", "2 * 80 * 8 * 128 * 2 * 4096 / GiB"),
    ("grouped-query-attention", r"GiB instead of 10", "2 * 80 * 64 * 128 * 2 * 4096 / GiB"),
    ("grouped-query-attention", r"MiB with 64 KV heads: 8", "64 / 8"),
    ("sliding-window-attention", r"a theoretical span of about 131", "4096 * 32 / 1e3"),
    ("embedding-sqrt-d-scaling", r"std $1/\sqrt{512}\approx0.044", "1 / math.sqrt(512)"),
    ("embedding-sqrt-d-scaling", r"norm $\sqrt{d/2} = 16", "math.sqrt(512 / 2)"),
    ("embedding-sqrt-d-scaling", r"scaling by $\sqrt{512}\approx22.6", "math.sqrt(512)"),
    ("residual-branch-init-scaling", r"that is ≈ 0.0041", "0.02 / math.sqrt(2 * 12)"),
    ("multi-head-latent-attention", r"$2\times128\times128=32{,}768", "2 * 128 * 128"),
    ("multi-head-latent-attention", r"$512+64=576", "512 + 64"),
    ("multi-head-latent-attention", r"about 57", "2 * 128 * 128 / (512 + 64)"),
    ("kv-cache-memory-arithmetic", r"$2 \cdot 32 \cdot 32 \cdot 128 \cdot 2 = 524{,}288", "2 * 32 * 32 * 128 * 2"),
    ("kv-cache-memory-arithmetic", r"bytes = 0.5", "2 * 32 * 32 * 128 * 2 / MiB"),
    ("kv-cache-memory-arithmetic", r"4096-token sequence needs 2", "2 * 32 * 32 * 128 * 2 * 4096 / GiB"),
    ("kv-cache-memory-arithmetic", r"a batch of 16 needs 32", "16 * 2 * 32 * 32 * 128 * 2 * 4096 / GiB"),
    ("kv-cache-memory-arithmetic", r"more than the 13", "6.74e9 * 2 / 1e9"),
    ("kv-cache-memory-arithmetic", r"cutting this to 128", "2 * 32 * 8 * 128 * 2 / KiB"),
    ("kv-cache-memory-arithmetic", r"60 GiB / 128 KiB = 491,520", "60 * GiB / (128 * KiB)"),
    ("kv-cache-memory-arithmetic", r"tokens — 60", "60 * GiB / (128 * KiB) / 8192"),
    ("kv-cache-memory-arithmetic", r"but only 3", "60 * GiB / (128 * KiB) // 131072"),
    # llm-deployment: capacity arithmetic
    ("llm-deployment", r"of the 160 GB usable (144", "0.9 * 2 * 80"),
    ("llm-deployment", r"that leaves 74", "0.9 * 2 * 80 - 70"),
    ("llm-deployment", r"$2\cdot80\cdot8\cdot128\cdot2 = 327{,}680", "2 * 80 * 8 * 128 * 2"),
    ("llm-deployment", r"so about 225,830", "74e9 / (2 * 80 * 8 * 128 * 2)"),
    ("llm-deployment", r"roughly 55", "74e9 / (2 * 80 * 8 * 128 * 2) / 4096"),
    ("llm-deployment", r"at least ~10.4", "35e9 / 3.35e12 * 1e3"),
    ("llm-deployment", r"at most ~96", "3.35e12 / 35e9"),
    ("llm-deployment", r"sustain about 2.75", "55 / 20"),
    # layers, embeddings, vocabulary
    ("ffn-weights-and-shapes", r"$2\cdot512\cdot2048 + 2048 + 512 = 2{,}099{,}712", "2 * 512 * 2048 + 2048 + 512"),
    ("swiglu-gated-ffn", r"$\tfrac{8}{3}d \approx 10923", "8 / 3 * 4096"),
    ("swiglu-gated-ffn", r"multiple of 256 → **11008", "math.ceil(8 / 3 * 4096 / 256) * 256"),
    ("lm-head", r"$128{,}000 \cdot 8{,}192 \cdot 4$ B ≈ 4.2", "128000 * 8192 * 4 / 1e9"),
    ("transformer-input-embeddings", r"$10000 \times 512 = 5.12", "10000 * 512 / 1e6"),
    ("transformer-input-embeddings", r"$32{,}000 \times 4096 \approx 131", "32000 * 4096 / 1e6"),
    ("transformer-input-embeddings", r"at $d=4096$ it is ~525", "128256 * 4096 / 1e6"),  # Llama 3's 128k = 128,256
    ("vocabulary-size-tradeoff", r"$2 \times 96\text{k} \times 4096 \approx 0.8", "2 * 96000 * 4096 / 1e9"),
    ("bpe-merge-worked-example", r"GPT-2: 256 + 50,000 + 1 = 50,257", "256 + 50000 + 1"),
    ("bpe-merge-worked-example", r"the pair `e s` occurs 9", "6 + 3"),
    ("lm-cross-entropy-loss", r"(≈10.8", "math.log(50000)"),
    ("depth-vs-width", r"4096/32 = 128", "4096 / 32"),
    ("depth-vs-width", r"8192/80 = 102", "8192 / 80"),
    # memory per parameter
    ("mixed-precision-bf16-fp16", r"+ 8 (moments) = 16", "2 + 2 + 4 + 8"),
    ("model-size-params-and-memory", r"Adam moments (8) = ~16", "2 + 2 + 4 + 8"),
    ("model-size-params-and-memory", r"a 7B model needs ~14", "7e9 * 2 / 1e9"),
    ("model-size-params-and-memory", r"(~4", "7e9 * 0.5 / 1e9"),
    ("model-size-params-and-memory", r"but ~112", "7e9 * 16 / 1e9"),
    ("zero-fsdp-sharding", r"a 7B model needs ~112", "7e9 * 16 / 1e9"),
    ("llm-quantization-basics", r"(a 7B model is ~14", "7e9 * 2 / 1e9"),
    ("llm-quantization-basics", r"~7", "7e9 * 1 / 1e9"),
    ("qlora-4bit-finetuning", r"saving ~0.37", "32 / 64 - (8 / 64 + 32 / (64 * 256))"),
    # quantization formats
    ("int8-absmax-zero-point", r"$s = 50", "127 / 2.54"),
    ("int8-absmax-zero-point", r"$q = [25", "round(0.5 * 127 / 2.54)"),
    ("int8-absmax-zero-point", r"$q = [25, -60", "round(-1.2 * 127 / 2.54)"),
    ("int8-absmax-zero-point", r"$q = [25, -60, 127", "round(2.54 * 127 / 2.54)"),
    ("int8-absmax-zero-point", r"absmax gives $s = 1.27", "127 / 100"),
    ("nf4-and-fp8-formats", r"max ±57344", "(2 - 2**-2) * 2**15"),
    ("nf4-and-fp8-formats", r"cost ~0.127", "8 / 64 + 32 / (64 * 256)"),
    ("nf4-and-fp8-formats", r"saves about 0.37", "32 / 64 - (8 / 64 + 32 / (64 * 256))"),
    ("nf4-and-fp8-formats", r"fp32 scale per 64 weights costs 0.5", "32 / 64"),
    # LoRA counts
    ("lora-math-details", r"$r = 8$ that is 65,536", "8 * (4096 + 4096)"),
    ("lora-math-details", r"versus 16.8", "4096 * 4096 / 1e6"),
    ("lora-math-details", r"(0.4", "100 * 8 * (4096 + 4096) / 4096**2"),
    ("lora-math-details", r"$2 \times 32 \times 8 \times (4096+4096) = 4.19", "2 * 32 * 8 * (4096 + 4096) / 1e6"),
    ("peft-lora-code", r"$\alpha/r = 4", "32 / 8"),
    # scaling laws
    ("chinchilla-compute-optimal", r"$N \approx 91", "math.sqrt(1e24 / 120) / 1e9"),
    ("chinchilla-compute-optimal", r"$D \approx 1.8", "20 * math.sqrt(1e24 / 120) / 1e12"),
    ("chinchilla-compute-optimal", r"~1,900", "15e12 / 8e9", 2),
    ("chinchilla-compute-optimal", r"roughly **20", "1.4e12 / 70e9"),
    # mixture-of-experts: capacity and all-to-all
    ("mixture-of-experts", r"$1.25\cdot4096\cdot2/64 = 160", "1.25 * 4096 * 2 / 64"),
    ("mixture-of-experts", r"average load of 128", "4096 * 2 / 64"),
    ("mixture-of-experts", r"drops 40", "200 - 1.25 * 4096 * 2 / 64"),
    ("mixture-of-experts", r"$2\cdot8\cdot7168\cdot2 = 229{,}376", "2 * 8 * 7168 * 2"),
    ("mixture-of-experts", r"about 224", "2 * 8 * 7168 * 2 / KiB"),
    # rag-pipeline: reciprocal rank fusion, PQ and HNSW bytes
    ("rag-pipeline", r"$1/61+1/63\approx0.03227", "1 / 61 + 1 / 63"),
    ("rag-pipeline", r"$2/62\approx0.03226", "2 / 62"),
    ("rag-pipeline", r"$1/61\approx0.0164", "1 / 61"),
    ("rag-pipeline", r"takes 3,072", "768 * 4"),
    ("rag-pipeline", r"96 bytes, 32", "768 * 4 / 96"),
    ("rag-pipeline", r"$2\cdot32\cdot4 = 256", "2 * 32 * 4"),
    # rlhf-ppo: worked GAE
    ("rlhf-ppo", r"$\delta_1=1-0.5=0.5", "1 - 0.5"),
    ("rlhf-ppo", r"$\delta_0=0+0.5-0.2=0.3", "0 + 0.5 - 0.2"),
    ("rlhf-ppo", r"$A_0=0.3+0.5=0.8", "(0 + 0.5 - 0.2) + (1 - 0.5)"),
    # positional encoding
    ("sinusoidal-positional-encoding", r"$2\pi\approx6.3", "2 * math.pi"),
    (
        "sinusoidal-positional-encoding",
        r"$2\pi\cdot10000^{510/512}\approx 6\times10^4",
        "2 * math.pi * 10000 ** (510 / 512)",
    ),
]

_POWER = re.compile(r"(-?\d+(?:\.\d+)?)\\times ?10\^\{?(-?\d+)\}?$")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _card_texts() -> dict[str, str]:
    texts = {}
    for _path, data in bank_files_read():
        for card in data["cards"]:
            parts = [card["question"], card["answer"], card.get("details") or "", *map(str, card["key_points"])]
            texts[card["slug"]] = re.sub(r"\s+", " ", " ".join(parts))  # a figure may wrap across lines
    return texts


def _stated(figure: str) -> tuple[float, int, int]:
    """The figure's result as (mantissa, decimals shown, power of ten)."""
    text = re.sub(r"(?<=\d)(\{,\}|,)(?=\d{3})", "", figure.rstrip())
    if power := _POWER.search(text):
        mantissa, exponent = power.group(1), int(power.group(2))
    else:
        mantissa, exponent = _NUMBER.findall(text)[-1], 0
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    return float(mantissa), decimals, exponent


def figure_mismatch(figure: str, expression: str, significant: int | None = None) -> str | None:
    """None when the stated figure equals the computed one at the card's rounding, else what differs."""
    computed = eval(expression, {"math": math, "KiB": KiB, "MiB": MiB, "GiB": GiB})  # noqa: S307 - table in this file
    mantissa, decimals, exponent = _stated(figure)
    scaled = computed / 10**exponent
    if significant:
        rounded = float(f"{scaled:.{significant}g}")
    else:
        rounded = round(scaled, decimals)
    return None if math.isclose(rounded, mantissa, rel_tol=1e-9) else f"states {mantissa}, computes {scaled:.6g}"


TEXTS = _card_texts()


@pytest.mark.parametrize(("slug", "figure", "expression", "significant"), [(*row, None)[:4] for row in FIGURES])
def test_worked_figure_is_in_the_card_and_correct(slug, figure, expression, significant):
    assert slug in TEXTS, f"no card {slug}"
    assert figure in TEXTS[slug], f"{slug} does not state {figure!r}"
    assert figure_mismatch(figure, expression, significant) is None, figure_mismatch(figure, expression, significant)


def test_rounding_rules_catch_a_wrong_figure():
    assert figure_mismatch("= 84.9", "12 * 12 * 768**2 / 1e6") is None
    assert figure_mismatch("= 85.9", "12 * 12 * 768**2 / 1e6") == "states 85.9, computes 84.9347"
    assert figure_mismatch("= 8.4\\times10^{22}", "6 * 7e9 * 2e12") is None
    assert figure_mismatch("= 8.4\\times10^{21}", "6 * 7e9 * 2e12") is not None
    assert figure_mismatch("327{,}680", "2 * 80 * 8 * 128 * 2") is None
    assert figure_mismatch("~1,900", "15e12 / 8e9", 2) is None
    assert figure_mismatch("~1,900", "15e12 / 8e9") is not None
