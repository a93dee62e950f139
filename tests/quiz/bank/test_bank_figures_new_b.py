"""Worked figures in the multimodal, retrieval, agent, data and interpretability cards, recomputed.

Each row names a card, a snippet quoted exactly from its answer or details, the figure as the snippet shows it, and
the value computed here. The figure must equal the value rounded to the decimals it is written with.
"""

import math
import re

import pytest
import yaml

from quiz.bank.services.bank import BANK_DIR

FILES = ("16-multimodal.yaml", "17-embeddings-and-retrieval.yaml", "18-safety-and-agents.yaml",
         "19-data-and-adaptation.yaml", "20-interpretability-and-reliability.yaml")  # fmt: skip

GB, MB = 1e9, 1e6
KV_BYTES_PER_TOKEN = 2 * 32 * 8 * 128 * 2  # K and V, 32 layers, 8 KV heads, head size 128, bf16


def _lsh(s: float, bands: int, rows: int) -> float:
    return 1 - (1 - s**rows) ** bands


def _normal_upper_tail(z: float) -> float:
    return 0.5 * math.erfc(z / math.sqrt(2))


FIGURES = [
    # 16-multimodal
    ("image-token-cost", "$24^2 = 576$", "576", (336 / 14) ** 2),
    ("image-token-cost", "$32^2 = 1024$", "1024", (448 / 14) ** 2),
    ("image-token-cost", "turns 576 tokens into 144", "144", (336 / 14) ** 2 / 4),
    ("image-token-cost", "224 px / 14 = 16, so 256 tokens", "256", (224 / 14) ** 2),
    ("image-token-cost", "$(896/28)^2 = 1024$", "1024", (896 / 28) ** 2),
    ("image-token-cost", "$2\\cdot 32\\cdot 8\\cdot 128\\cdot 2 = 131{,}072$", "131{,}072", KV_BYTES_PER_TOKEN),
    ("image-token-cost", "about 75.5 MB", "75.5", 576 * KV_BYTES_PER_TOKEN / MB),
    ("image-token-cost", "$120\\cdot 144 = 17{,}280$", "17{,}280", 60 * 2 * 144),
    ("dynamic-resolution-tiling", "$5\\times 576 = 2880$", "2880", 5 * (336 / 14) ** 2),
    ("dynamic-resolution-tiling", "with a 2x2 merge, 720", "720", 5 * (336 / 14) ** 2 / 4),
    ("m-rope-multimodal-positions", "has 64 rotary frequency pairs", "64", 128 / 2),
    ("m-rope-multimodal-positions", "64 rotary frequency pairs, divided 16 / 24 / 24", "64", 16 + 24 + 24),
    ("audio-tokens-in-llms", "i.e. 1500 for its 30 s window", "1500", 30 * 50),
    ("audio-tokens-in-llms", "750 per 30 s", "750", 30 * 25),
    ("audio-tokens-in-llms", "**600 tokens per second**", "600", 75 * 8),
    ("audio-tokens-in-llms", "12.5 x 8 = 100 tokens/s", "100", 12.5 * 8),
    ("audio-tokens-in-llms", "8 codebooks x 10 bits = 6000 bits/s", "6000", 75 * 8 * 10),
    ("audio-tokens-in-llms", "about 1.1 kbps with 2048-entry codebooks", "1.1", 12.5 * 8 * math.log2(2048) / 1000),
    # 17-embeddings-and-retrieval
    ("infonce-in-batch-negatives", "(4095 at $B=4096$)", "4095", 4096 - 1),
    ("infonce-in-batch-negatives", "that is 8192, one positive", "8192", 2 * 4096),
    ("infonce-in-batch-negatives", "one positive and 8191 negatives", "8191", 2 * 4096 - 1),
    ("matryoshka-embeddings", "float32 dimensions take 3.072 GB", "3.072", 1e6 * 768 * 4 / GB),
    ("matryoshka-embeddings", "at 256 dimensions 1.024 GB", "1.024", 1e6 * 256 * 4 / GB),
    ("matryoshka-embeddings", "1024 dims in 128 bytes", "128", 1024 / 8),
    ("matryoshka-embeddings", "binary (sign bits) = 128 bytes, a 32x saving", "32", 1024 * 4 / (1024 / 8)),
    ("hnsw-index", "that is 256 bytes per vector", "256", 2 * 32 * 4),
    ("hnsw-index", "about 33.3 GB", "33.3", 10e6 * (768 * 4 + 2 * 32 * 4) / GB),
    ("ivf-pq-index", "**96 bytes, a 32x compression**", "32", 768 * 4 / 96),
    ("ivf-pq-index", "about 9.6 GB of codes", "9.6", 1e8 * 96 / GB),
    ("ivf-pq-index", "$10^8\\cdot 32/65536 \\approx 48{,}828$", "48{,}828", 1e8 * 32 / 65536),
    ("ivf-pq-index", "$m\\cdot 256 = 24{,}576$", "24{,}576", 96 * 256),
    ("ivf-pq-index", "8-byte ids (0.8 GB)", "0.8", 1e8 * 8 / GB),
    ("ivf-pq-index", "versus 307.2 GB", "307.2", 1e8 * 768 * 4 / GB),
    ("vector-index-memory-arithmetic", "**307.2 GB**", "307.2", 1e8 * 768 * 4 / GB),
    ("vector-index-memory-arithmetic", "halves it to 153.6 GB", "153.6", 1e8 * 768 * 2 / GB),
    ("vector-index-memory-arithmetic", "another 25.6 GB", "25.6", 1e8 * 2 * 32 * 4 / GB),
    ("vector-index-memory-arithmetic", "768 bytes per vector, 76.8 GB", "76.8", 1e8 * 768 / GB),
    ("vector-index-memory-arithmetic", "96 one-byte codes: 9.6 GB", "9.6", 1e8 * 96 / GB),
    ("vector-index-memory-arithmetic", "96 bytes per 768-dim vector", "96", 768 / 8),
    ("vector-index-memory-arithmetic", "256-dim float32 102.4 GB", "102.4", 1e8 * 256 * 4 / GB),
    ("ann-recall-latency-tradeoffs", "needs about 1000 candidates", "1000", 10 / 0.01),
    ("ann-recall-latency-tradeoffs", "is 768 million multiply-adds", "768", 1e6 * 768 / 1e6),
    ("dense-vs-sparse-retrieval", "$1/61 + 1/63 \\approx 0.0323$", "0.0323", 1 / 61 + 1 / 63),
    ("dense-vs-sparse-retrieval", "$2/62 \\approx 0.0323$", "0.0323", 2 / 62),
    ("visual-document-retrieval", "$1030\\cdot 128\\cdot 2 = 263{,}680$", "263{,}680", 1030 * 128 * 2),
    ("visual-document-retrieval", "roughly 264 KB per page", "264", 1030 * 128 * 2 / 1000),
    ("visual-document-retrieval", "about 264 GB for a million pages", "264", 1e6 * 1030 * 128 * 2 / GB),
    ("visual-document-retrieval", "14 px patches gives $32^2=1024$", "1024", (448 / 14) ** 2),
    ("visual-document-retrieval", "(16 bytes per vector)", "16", 128 / 8),
    ("retrieval-metrics", "their mean is 0.667", "0.667", (1 + 1 / 3) / 2),
    ("retrieval-metrics", "DCG $=1+0.5=1.5$", "1.5", 1 / math.log2(2) + 0 + 1 / math.log2(4)),
    ("retrieval-metrics", "ideal DCG $\\approx 1.631$", "1.631", 1 + 1 / math.log2(3)),
    ("retrieval-metrics", "nDCG@3 $\\approx 0.92$", "0.92", 1.5 / (1 + 1 / math.log2(3))),
    ("retrieval-metrics", "$=1.5/1.631\\approx 0.920$", "0.920", 1.5 / (1 + 1 / math.log2(3))),
    # 18-safety-and-agents
    ("guard-models", "blocks 10,000 of them", "10,000", 0.01 * 1e6),
    ("react-tool-loop", "$0.95^{20}\\approx 0.36$", "0.36", 0.95**20),
    ("agent-planning-and-reliability", "is only about 36%", "36", 100 * 0.95**20),
    ("agent-planning-and-reliability", "$0.95^{20}=0.358$", "0.358", 0.95**20),
    ("agent-planning-and-reliability", "$0.99^{20}=0.818$", "0.818", 0.99**20),
    ("agent-evaluation", "pass^8 is only about 0.17", "0.17", 0.8**8),
    ("agent-evaluation", "(0.99999744 at $p=0.8$", "0.99999744", 1 - 0.2**8),
    ("agent-evaluation", "pass^k $=p^k$ (0.168)", "0.168", 0.8**8),
    ("constrained-decoding-cost", "a bitmask of 16,032 bytes", "16,032", 128256 / 8),
    ("constrained-decoding-cost", "$128{,}256/8 = 16{,}032$", "16{,}032", 128256 / 8),
    ("constrained-decoding-cost", "about 4.1 MB of masks", "4.1", 256 * 128256 / 8 / MB),
    # 19-data-and-adaptation
    ("minhash-lsh-dedup", "the threshold is about 0.55", "0.55", (1 / 20) ** (1 / 5)),
    ("minhash-lsh-dedup", "caught with probability 0.9996", "0.9996", _lsh(0.8, 20, 5)),
    ("minhash-lsh-dedup", "at $s=0.5$ 0.47", "0.47", _lsh(0.5, 20, 5)),
    ("minhash-lsh-dedup", "at $s=0.3$ only 0.047", "0.047", _lsh(0.3, 20, 5)),
    ("minhash-lsh-dedup", "$(1/20)^{1/5}\\approx 0.549$", "0.549", (1 / 20) ** (1 / 5)),
    ("minhash-lsh-dedup", "$P(0.8)=1-(1-0.32768)^{20}", "0.32768", 0.8**5),
    ("minhash-lsh-dedup", "$P(0.5)\\approx 0.470$", "0.470", _lsh(0.5, 20, 5)),
    ("minhash-lsh-dedup", "$(1/14)^{1/8}\\approx 0.72$", "0.72", (1 / 14) ** (1 / 8)),
    ("minhash-lsh-dedup", "$P(0.8)\\approx 0.92$", "0.92", _lsh(0.8, 14, 8)),
    ("pretraining-data-mixtures", "rises from 10% to about 34%", "34", 100 * 0.1**0.3 / (0.9**0.3 + 0.1**0.3)),
    ("pretraining-data-mixtures", "\\approx 0.501/1.470", "0.501", 0.1**0.3),
    ("pretraining-data-mixtures", "\\approx 0.501/1.470", "1.470", 0.9**0.3 + 0.1**0.3),
    ("pretraining-data-mixtures", "\\approx 0.341$", "0.341", 0.1**0.3 / (0.9**0.3 + 0.1**0.3)),
    ("pretraining-data-mixtures", "means 50B tokens", "50", 1000 * 0.05),
    ("pretraining-data-mixtures", "i.e. 5 epochs", "5", 1000 * 0.05 / 10),
    ("ties-dare-slerp-merging", "(10x at $p=0.9$)", "10", 1 / (1 - 0.9)),
    ("ties-dare-slerp-merging", "$\\sin(\\pi/4)\\approx 0.7071$", "0.7071", math.sin(math.pi / 4)),
    # 20-interpretability-and-reliability
    ("in-context-learning", "add 10,000 prompt tokens", "10,000", 50 * 200),
    ("calibration-and-ece", "$=0.5\\cdot 0.1+0.5\\cdot 0.05=0.075$", "0.075", 0.5 * (0.9 - 0.8) + 0.5 * (0.6 - 0.55)),
    ("watermark-detection-z-score", "$\\sqrt{37.5}\\approx 6.12$", "6.12", math.sqrt(200 * 0.25 * 0.75)),
    ("watermark-detection-z-score", "so $z\\approx 8.16$", "8.16", (100 - 0.25 * 200) / math.sqrt(200 * 0.25 * 0.75)),
    ("watermark-detection-z-score", "about 3 in 100,000", "3", 1e5 * _normal_upper_tail(4)),
    ("watermark-detection-z-score", "$z\\approx 0.577\\sqrt{T}$", "0.577", 0.25 / math.sqrt(0.25 * 0.75)),
    ("watermark-detection-z-score", "about 48 tokens", "48", (4 * math.sqrt(0.25 * 0.75) / 0.25) ** 2),
    ("watermark-detection-z-score", "about $3.2\\times 10^{-5}$", "3.2", 1e5 * _normal_upper_tail(4)),
    ("watermark-detection-z-score", "\\sqrt{37.5}\\approx 6.124$", "6.124", math.sqrt(37.5)),
    ("watermark-detection-z-score", "$50/6.124\\approx 8.16$", "8.16", 50 / math.sqrt(37.5)),
    ("sparse-autoencoders", "$d=4096$ gives 131,072 latents", "131,072", 32 * 4096),
    ("activation-patching", "residual patches, 640 passes", "640", 32 * 20),
]


def _cards() -> dict[str, dict]:
    cards = {}
    for name in FILES:
        path = BANK_DIR / name
        for card in yaml.safe_load(path.read_text(encoding="utf-8"))["cards"]:
            cards[card["slug"]] = card
    return cards


CARDS = _cards()


def _decimals(shown: str) -> int:
    return len(shown.split(".")[1]) if "." in shown else 0


@pytest.mark.parametrize(("slug", "snippet", "shown", "value"), FIGURES, ids=[f"{row[0]}:{row[2]}" for row in FIGURES])
def test_worked_figure_matches_its_computation(slug, snippet, shown, value):
    card = CARDS[slug]
    assert snippet in card["answer"] + "\n" + (card.get("details") or ""), f"{slug}: snippet not in the card"
    assert shown in snippet
    number = float(re.sub(r"\{,\}|,", "", shown))
    assert round(value, _decimals(shown)) == pytest.approx(number, abs=1e-12), f"{slug}: {shown} != {value}"
