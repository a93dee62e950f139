"""Greedy generation written out step by step, with and without the KV cache, timed per step.

The loop is the one `generate` runs for greedy decoding (argmax of the last position's logits, append, repeat),
kept explicit so each step can be timed and the cache switched off. Without the cache every step re-reads the
whole sequence, so a step's cost grows with the length; with it a step processes one new token.
"""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch

from worker.catalog import DEMO_PROMPT as DEFAULT_PROMPT
from worker.catalog import KV_LENGTHS, KV_MAX_LENGTH


@dataclass
class Greedy:
    tokens: list[int]  # the generated ids, exactly as many as asked for (EOS does not stop the loop)
    step_s: list[float]  # seconds per step; step 0 is the prefill (the whole prompt)

    @property
    def prefill_s(self) -> float:
        return self.step_s[0]

    @property
    def decode_tps(self) -> float:
        """Tokens per second after the prefill (one token per step)."""
        rest = self.step_s[1:]
        return len(rest) / sum(rest) if rest else float("nan")


def _sync(device: torch.device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def prompt_ids(tokenizer, text: str | None, device: torch.device) -> torch.Tensor:
    """The prompt as the instruct model expects it (its chat template when it has one), as ids (1, T)."""
    text = text or DEFAULT_PROMPT
    if getattr(tokenizer, "chat_template", None):
        text = tokenizer.apply_chat_template(
            [{"role": "user", "content": text}], tokenize=False, add_generation_prompt=True
        )
        ids = tokenizer(text, add_special_tokens=False, return_tensors="pt").input_ids
    else:
        ids = tokenizer(text, return_tensors="pt").input_ids
    return ids.to(device)  # (1, T)


def greedy_steps(model, ids: torch.Tensor, new_tokens: int, *, use_cache: bool = True):
    """Generate `new_tokens` greedy tokens after `ids` (1, T) one step at a time: yields (token, seconds) per step,
    so two runs can be interleaved step by step and a caller can act between steps (outside the timed part)."""
    device = ids.device
    past, inputs = None, ids  # inputs: (1, T) at first; then (1, 1) with the cache, (1, T + step) without it
    for _ in range(new_tokens):
        with torch.inference_mode():
            _sync(device)
            t0 = time.perf_counter()
            out = model(input_ids=inputs, past_key_values=past, use_cache=use_cache, logits_to_keep=1)
            next_id = out.logits[0, -1].argmax().view(1, 1)  # (1, 1) the greedy choice
            if use_cache:
                past, inputs = out.past_key_values, next_id
            else:
                inputs = torch.cat([inputs, next_id], dim=1)
            _sync(device)
            seconds = time.perf_counter() - t0
        yield int(next_id), seconds


def greedy_timed(model, ids: torch.Tensor, new_tokens: int, *, use_cache: bool = True) -> Greedy:
    """Generate `new_tokens` greedy tokens after `ids` (1, T), timing every step."""
    tokens, step_s = [], []
    for token, seconds in greedy_steps(model, ids, new_tokens, use_cache=use_cache):
        tokens.append(token)
        step_s.append(seconds)
    return Greedy(tokens, step_s)


def kvcache_compare(
    *, lengths=KV_LENGTHS, text: str | None = None, progress: Callable[[int, int, str], None] | None = None
) -> dict:
    """Time greedy generation with and without the KV cache as the generated length grows.

    One run per mode up to the longest length; the time to reach each length is read off the per-step times.
    Returns the series for a plot: {"lengths", "with_cache_s", "without_cache_s", "speedup", "step_ms_with",
    "step_ms_without", "same_tokens", "prompt_tokens", "device", "notes"}.
    """
    from worker import modelhub

    lengths = sorted({int(n) for n in lengths})
    if not lengths or lengths[0] < 1 or lengths[-1] > KV_MAX_LENGTH:
        raise ValueError(f"lengths must be between 1 and {KV_MAX_LENGTH}")
    model, tokenizer = modelhub.lm_load()
    device = next(model.parameters()).device
    ids = prompt_ids(tokenizer, text, device)
    n = lengths[-1]
    report = progress or (lambda done, total, message, partial=None: None)

    greedy_timed(model, ids, 2)  # warm-up both paths: first-call allocations and kernel selection
    greedy_timed(model, ids, 2, use_cache=False)
    # Step by step, alternating: both modes see the same background load, and each row of the table is complete
    # (and shown, as a partial result) as soon as both have reached its length.
    cached, uncached = Greedy([], []), Greedy([], [])
    report(0, n, "generating with and without the KV cache")
    steps = zip(greedy_steps(model, ids, n, use_cache=True), greedy_steps(model, ids, n, use_cache=False), strict=True)
    for (token_a, seconds_a), (token_b, seconds_b) in steps:
        cached.tokens.append(token_a)
        cached.step_s.append(seconds_a)
        uncached.tokens.append(token_b)
        uncached.step_s.append(seconds_b)
        done = len(cached.tokens)
        label = f"{done} of {n} tokens with and without the KV cache"
        if done in lengths and done < n:  # a row of the table is complete: show it now
            report(done, n, label, partial=_series(lengths, cached, uncached, ids, tokenizer, device))
        else:
            report(done, n, label)
    return _series(lengths, cached, uncached, ids, tokenizer, device)


def _series(lengths: list[int], cached: Greedy, uncached: Greedy, ids, tokenizer, device) -> dict:
    """The result for the lengths both runs have reached (all of them once both are done)."""
    n = lengths[-1]
    reached = [k for k in lengths if k <= len(uncached.step_s)]

    def upto(run: Greedy, k: int) -> float:
        return sum(run.step_s[:k])

    with_s = [upto(cached, k) for k in reached]
    without_s = [upto(uncached, k) for k in reached]
    return {
        "lengths": reached,
        "with_cache_s": with_s,
        "without_cache_s": without_s,
        "speedup": [b / a for a, b in zip(with_s, without_s, strict=True)],
        "step_ms_with": [1000 * s for s in cached.step_s],
        "step_ms_without": [1000 * s for s in uncached.step_s],
        "median_step_ms_with": 1000 * statistics.median(cached.step_s[1:] or cached.step_s),
        "same_tokens": cached.tokens[: len(uncached.tokens)] == uncached.tokens,
        "prompt_tokens": ids.shape[1],
        "sample": tokenizer.decode(cached.tokens, skip_special_tokens=True),
        "device": str(device),
        "notes": [
            f"Greedy decoding of {n} tokens after a {ids.shape[1]}-token prompt, one run per mode after a warm-up, "
            "the two runs' steps alternating (both see the same background load); the time to reach each length "
            "is the sum of the step times up to it.",
            "With the cache a step feeds one token and reuses the stored keys and values; without it "
            "(use_cache=False) a step feeds the whole sequence again, so step time grows with the length.",
            "Both modes only compute logits for the last position (logits_to_keep=1), as generate does.",
        ],
    }
