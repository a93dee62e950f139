"""Five decoding strategies in one batched loop vs one greedy `model.generate`, 64 new tokens each.

Run: .venv/bin/python bench/decoding.py [--policy both|worker|default]   (goal: ratio <= 1.5x)
Both sides are forced to the full 64 tokens (ignore_eos / min_new_tokens) so they do the same number of steps.
Measured twice, each in a fresh process, because the CPU threads' wait policy changes the answer:
  worker   OMP_WAIT_POLICY=PASSIVE, as the demo worker runs (demos/tasks.py): idle threads sleep at once, so a
           busy CPU stays usable, but every multi-threaded matmul pays a thread wake-up;
  default  PyTorch's default: idle threads spin a few ms first (fast when the CPU is otherwise idle, and much
           slower than passive as soon as another process wants the cores).
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
POLICIES = {"worker": {"OMP_WAIT_POLICY": "PASSIVE"}, "default": {}}

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
    import torch

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
    from worker.decoding import strategies_compare

    r = strategies_compare(prompt=PROMPT, strategies=STRATEGIES, seed=SEED, max_new_tokens=NEW_TOKENS, ignore_eos=True)
    assert all(row["n_tokens"] == NEW_TOKENS for row in r["results"])


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def measure():
    import torch

    from worker.decoding import chat_ids
    from worker.modelhub import lm_load

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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policy", choices=["both", *POLICIES], default="both")
    policy = parser.parse_args().policy
    if policy != "both":
        print(f"policy={policy} OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', '(unset)')}", flush=True)
        measure()
        return 0
    ratios = {}
    for name, env in POLICIES.items():
        clean = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
        out = subprocess.run([sys.executable, __file__, "--policy", name], env={**clean, **env}, cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout  # fmt: skip
        print(out, end="")
        ratios[name] = float(re.search(r"ratio compare/generate: ([0-9.]+)x", out).group(1))
    print("summary: " + "   ".join(f"{name} {ratio:.2f}x" for name, ratio in ratios.items()) + "   (goal <= 1.5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
