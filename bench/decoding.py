"""Five decoding strategies in one batched loop vs one greedy `model.generate`, 64 new tokens each.

Run: .venv/bin/python bench/decoding.py   (goal: ratio <= 1.5x)
Both sides are forced to the full 64 tokens (ignore_eos / min_new_tokens) so they do the same number of steps.
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402

from worker.decoding import chat_ids, strategies_compare  # noqa: E402
from worker.modelhub import lm_load  # noqa: E402

PROMPT = "Explain how a hash table handles collisions."
NEW_TOKENS, REPEATS, SEED = 64, 3, 0
STRATEGIES = [
    {"name": "greedy"},
    {"name": "top_k", "k": 50, "temperature": 1.0},
    {"name": "top_p", "p": 0.9, "temperature": 1.0},
    {"name": "temperature", "temperature": 0.7},
    {"name": "min_p", "p": 0.05, "temperature": 1.0},
]


def generate_once(model, ids):
    with torch.inference_mode():
        out = model.generate(
            ids,
            attention_mask=torch.ones_like(ids),
            do_sample=False,
            max_new_tokens=NEW_TOKENS,
            min_new_tokens=NEW_TOKENS,
        )
    assert out.shape[1] - ids.shape[1] == NEW_TOKENS


def compare_once():
    r = strategies_compare(prompt=PROMPT, strategies=STRATEGIES, seed=SEED, max_new_tokens=NEW_TOKENS, ignore_eos=True)
    assert all(row["n_tokens"] == NEW_TOKENS for row in r["results"])


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main():
    torch.manual_seed(SEED)
    model, tokenizer = lm_load()
    ids = chat_ids(tokenizer, PROMPT, model.device)
    print(f"device={model.device} dtype={model.dtype} threads={torch.get_num_threads()} prompt_tokens={ids.shape[1]}")
    generate_once(model, ids)  # warm-up both paths
    compare_once()
    gen, cmp = [], []
    for _ in range(REPEATS):  # interleaved, so background load hits both sides alike
        gen.append(timed(lambda: generate_once(model, ids)))
        cmp.append(timed(compare_once))
    g, c = statistics.median(gen), statistics.median(cmp)
    print(f"generate greedy x1, {NEW_TOKENS} tokens: median {g:.2f} s  runs {[round(x, 2) for x in gen]}")
    print(
        f"compare {len(STRATEGIES)} strategies, {NEW_TOKENS} tokens: median {c:.2f} s  runs {[round(x, 2) for x in cmp]}"
    )
    print(
        f"ratio compare/generate: {c / g:.2f}x (goal <= 1.5x); sequential generate of all five would be ~{len(STRATEGIES)}x"
    )


if __name__ == "__main__":
    main()
