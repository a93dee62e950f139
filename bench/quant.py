"""The worker's LM in every precision / quantization this device can run, then the KV-cache series.

Run: .venv/bin/python bench/quant.py [--tokens 32] [--runs 3] [--lengths 16,32,64,128]
Prints one row per variant (unavailable ones with their reason) and the with/without-cache generation times.
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-insecure-key")
# As in the worker (demos/tasks.py): spinning OpenMP threads starve each other on a busy CPU.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import django  # noqa: E402

django.setup()

from worker.kvcache import kvcache_compare  # noqa: E402
from worker.quantization import quantization_compare  # noqa: E402

COLUMNS = ("variant", "prepare s", "weights MB", "prefill ms", "decode tok/s", "x fp32", "size", "ppl", "Δppl",
           "agree")  # fmt: skip


def table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True)))
             for row in rows]  # fmt: skip
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=32, help="new tokens per timed run")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per variant (median shown)")
    parser.add_argument("--lengths", default="16,32,64,128", help="KV-cache series lengths")
    args = parser.parse_args()

    def progress(done, total, label, partial=None):
        print(f"  [{done}/{total}] {label}", file=sys.stderr, flush=True)

    result = quantization_compare(max_new_tokens=args.tokens, runs=args.runs, progress=progress)
    device, settings = result["device"], result["settings"]
    print(f"\nDevice: {device['device']} ({device['name']}, {device['threads']} threads)  "
          + "  ".join(f"{k} {v}" for k, v in result["versions"].items()))  # fmt: skip
    print(f"Greedy, {settings['max_new_tokens']} new tokens after a {settings['prompt_tokens']}-token prompt, "
          f"{settings['runs']} timed runs (median); perplexity on {settings['eval_tokens']} tokens.\n")  # fmt: skip
    rows, missing = [list(COLUMNS)], []
    for v in result["variants"]:
        if not v["available"]:
            missing.append(f"  {v['label']}: {v['reason']}")
            continue
        rows.append([v["label"], f"{v['prepare_s']:.1f}", f"{v['weight_mb']:.0f}", f"{v['prefill_ms']:.0f}",
                     f"{v['decode_tps']:.1f}", f"{v['speedup']:.2f}", f"{v['size_ratio']:.2f}", f"{v['ppl']:.2f}",
                     f"{v['ppl_delta']:+.2f}", f"{100 * v['agreement']:.0f}%"])  # fmt: skip
    print(table(rows))
    if missing:
        print("\nNot available here:\n" + "\n".join(missing))

    lengths = tuple(int(n) for n in args.lengths.split(","))
    kv = kvcache_compare(lengths=lengths, progress=progress)
    print(f"\nKV cache: greedy generation time (s) after a {kv['prompt_tokens']}-token prompt; "
          f"same tokens both ways: {kv['same_tokens']}")  # fmt: skip
    kv_rows = [["new tokens", "with cache", "without", "x faster"]]
    kv_rows += [[str(n), f"{a:.2f}", f"{b:.2f}", f"{s:.1f}"]
                for n, a, b, s in zip(kv["lengths"], kv["with_cache_s"], kv["without_cache_s"], kv["speedup"], strict=True)]  # fmt: skip
    print(table(kv_rows))


if __name__ == "__main__":
    main()
