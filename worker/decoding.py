"""Decoding strategies side by side on the demo LM, and the next-token distribution under several temperatures.

Greedy and every sampling strategy run in one batched loop, one row per strategy: the chat prompt is prefilled
once into a KV cache sized for the whole run (worker/growing_cache.py), repeated for B rows, then one forward per
step for all rows, with the linear layers multiplying through oneDNN-packed weights on the CPU
(worker/packed_linear.py). Each row applies transformers' own warpers to its logits and samples with its own
torch.Generator seeded from (seed, strategy index), so a seeded strategy repeats whichever other strategies share
the batch (up to float rounding differences between batch sizes, which can flip a draw that falls on a boundary).
A row that emits EOS leaves the batch. Beam search is its own `generate` call. The greedy row equals
`generate(do_sample=False)` token for token (tested).
Measured (bench/decoding.py, 2-core AMD EPYC, fp32, 64 tokens), five strategies against one greedy generate:
1.34-1.35x with the worker's OMP_WAIT_POLICY=PASSIVE, 1.27-1.34x with PyTorch's default; 2.1-2.2x before the
packed weights and the preallocated cache (MKL multiplied the 5 rows at a third of the speed it reads one).

Per generated token two probabilities are reported:
    p           under the model's untempered distribution, softmax(logits); the mean log-prob and the perplexity
                are computed from it, so they compare across strategies;
    p_strategy  under the distribution the row actually drew from (after temperature and filtering); 1.0 for
                greedy (argmax is a point mass) and None for beam search (it picks by cumulative beam score).
"""

import time
from collections import Counter

import numpy as np
import torch
import torch.nn.functional as F
from transformers import (
    LogitsProcessorList,
    MinPLogitsWarper,
    StoppingCriteria,
    StoppingCriteriaList,
    TemperatureLogitsWarper,
    TopKLogitsWarper,
    TopPLogitsWarper,
    TypicalLogitsWarper,
)

from worker.catalog import STRATEGIES
from worker.growing_cache import growing_cache
from worker.modelhub import lm_load, lm_spec, tokens_readable
from worker.packed_linear import linears_prepacked

ERROR_STRATEGY_UNKNOWN = "Unknown decoding strategy {name!r}; choose one of: " + ", ".join(STRATEGIES) + "."
ERROR_NO_STRATEGY = "Choose at least one decoding strategy."
ERROR_MAX_NEW_TOKENS = "max_new_tokens must be between 1 and {limit}."
MAX_NEW_TOKENS_LIMIT = 512
PROGRESS_EVERY = 4  # steps between progress callbacks


def row_seed(seed: int, index: int) -> int:
    """Seed of the strategy at `index`: depends on nothing else, so a row repeats in any company."""
    return int(np.random.SeedSequence([seed % 2**63, index]).generate_state(1, dtype=np.uint64)[0] % 2**63)


def warpers_build(strategy: dict) -> LogitsProcessorList:
    """transformers' warpers for one sampling strategy, in generate's order: temperature, then the filter."""
    name, temperature = strategy["name"], float(strategy.get("temperature", 1.0))
    warpers = LogitsProcessorList()
    if temperature != 1.0:
        warpers.append(TemperatureLogitsWarper(temperature))
    if name == "top_k":
        warpers.append(TopKLogitsWarper(int(strategy.get("k", 50))))
    elif name == "top_p":
        warpers.append(TopPLogitsWarper(float(strategy.get("p", 0.9))))
    elif name == "min_p":
        warpers.append(MinPLogitsWarper(float(strategy.get("p", 0.05))))
    elif name == "typical_p":
        warpers.append(TypicalLogitsWarper(float(strategy.get("p", 0.9))))
    return warpers


def categorical_sample(probs: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """One draw from `probs` (V,) by inverse CDF: one uniform per draw, so a row's generator advances the same way
    at every step. torch.multinomial costs 1.3 ms on a 49k vocabulary on this CPU, this 0.1 ms. A token with
    probability 0 (filtered out) is never drawn: searchsorted(right=True) skips the flat parts of the CDF."""
    cdf = probs.double().cumsum(-1)  # (V,)
    u = torch.rand(1, generator=generator, device=probs.device, dtype=torch.float64) * cdf[-1]
    return torch.searchsorted(cdf, u, right=True).clamp_max(probs.shape[-1] - 1)  # (1,)


def chat_ids(tokenizer, prompt: str, device) -> torch.Tensor:
    """The prompt as one user turn of the model's chat template (raw text for a model without one)."""
    if tokenizer.chat_template:
        enc = tokenizer.apply_chat_template(
            [{"role": "user", "content": prompt}], add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
    else:
        enc = tokenizer(prompt, return_tensors="pt")
    return enc["input_ids"].to(device)  # (1, T)


def eos_ids(model, tokenizer) -> list[int]:
    eos = model.generation_config.eos_token_id
    eos = tokenizer.eos_token_id if eos is None else eos
    return [eos] if isinstance(eos, int) else list(eos or [])


def last_logits(model, **inputs):
    """(B, V) float logits at the last position, and the KV cache, from one forward pass."""
    out = model(**inputs, use_cache=True, logits_to_keep=1)
    return out.logits[:, -1, :].float(), out.past_key_values


@torch.inference_mode()
def rows_sample(model, prompt_ids, strategies, seeds, max_new_tokens, eos, on_step=None) -> list[dict]:
    """One batched decoding loop: greedy rows take the argmax, the others draw from their warped distribution.

    A row that emits EOS stops and leaves the batch (its cache rows are dropped). Returns per row: token ids,
    p, p_strategy, finished (hit EOS) and the seconds until the row stopped.
    """
    B, device, t0 = len(strategies), prompt_ids.device, time.perf_counter()
    cache = growing_cache(model.config.get_text_config(), prompt_ids.shape[1] + max_new_tokens)
    logits, cache = last_logits(model, input_ids=prompt_ids, past_key_values=cache)  # prefill once
    cache.batch_repeat_interleave(B)
    logits = logits.expand(B, -1)  # (B, V)
    warpers = [None if s["name"] == "greedy" else warpers_build(s) for s in strategies]
    gens = [torch.Generator(device).manual_seed(seed) for seed in seeds]
    rows = [{"ids": [], "p": [], "p_strategy": [], "finished": False, "wall_s": None} for _ in strategies]
    active = list(range(B))  # rows still generating, in the cache's batch order
    with linears_prepacked(model):  # the prefill above ran exactly as generate's does
        for step in range(max_new_tokens):
            picks, chosen_p = [], []
            for j, r in enumerate(active):
                if warpers[r] is None:
                    picks.append(logits[j].argmax().view(1))
                    chosen_p.append(torch.ones(1, device=device))
                else:
                    probs = F.softmax(warpers[r](prompt_ids, logits[j : j + 1].clone()), dim=-1)[0]  # (V,)
                    picks.append(categorical_sample(probs, gens[r]))
                    chosen_p.append(probs[picks[-1]])
            nxt = torch.cat(picks)  # (A,)
            p = F.softmax(logits, dim=-1).gather(1, nxt[:, None])[:, 0]  # (A,) untempered
            now, keep = time.perf_counter() - t0, []
            stepped = zip(active, nxt.tolist(), p.tolist(), torch.cat(chosen_p).tolist(), strict=True)
            for j, (r, tok, p_model, p_row) in enumerate(stepped):
                row = rows[r]
                row["ids"].append(tok)
                row["p"].append(p_model)
                row["p_strategy"].append(p_row)
                if tok in eos:
                    row["finished"], row["wall_s"] = True, now
                else:
                    keep.append(j)
            if on_step and (step + 1) % PROGRESS_EVERY == 0:
                on_step(sum(max_new_tokens if row["finished"] else len(row["ids"]) for row in rows), rows)
            if not keep or step + 1 == max_new_tokens:
                break
            if len(keep) < len(active):
                index = torch.tensor(keep, device=device)
                cache.batch_select_indices(index)
                nxt, active = nxt[index], [active[j] for j in keep]
            logits, cache = last_logits(model, input_ids=nxt[:, None], past_key_values=cache)
    for row in rows:
        row["wall_s"] = row["wall_s"] or time.perf_counter() - t0
    return rows


class _StepCallback(StoppingCriteria):
    """Reports generate's progress; never stops anything."""

    def __init__(self, on_step):
        self.on_step, self.steps = on_step, 0

    def __call__(self, input_ids, scores, **kwargs):
        self.steps += 1
        if self.steps % PROGRESS_EVERY == 0:
            self.on_step(self.steps)
        return torch.zeros(input_ids.shape[0], dtype=torch.bool, device=input_ids.device)


@torch.inference_mode()
def beam_run(model, prompt_ids, num_beams, max_new_tokens, eos, on_step=None):
    t0 = time.perf_counter()
    stopping = StoppingCriteriaList([_StepCallback(on_step)] if on_step else [])
    seq = model.generate(
        prompt_ids,
        attention_mask=torch.ones_like(prompt_ids),
        num_beams=num_beams,
        do_sample=False,
        max_new_tokens=max_new_tokens,
        stopping_criteria=stopping,
    )[0]
    T = prompt_ids.shape[1]
    new = seq[T:].tolist()
    n = next((i + 1 for i, t in enumerate(new) if t in eos), len(new))
    # untempered p of each chosen token: one teacher-forced forward over prompt + output
    logits = model(input_ids=seq[None, : T + n]).logits[0, T - 1 : T + n - 1].float()  # (n, V)
    p = F.softmax(logits, dim=-1).gather(1, seq[T : T + n, None])[:, 0].tolist()
    finished = bool(n) and new[n - 1] in eos
    return {"ids": new[:n], "p": p, "p_strategy": [None] * n, "finished": finished, "wall_s": time.perf_counter() - t0}


def metrics(ids: list[int], p: list[float], eos: list[int]) -> dict:
    """Mean log-prob and perplexity over every generated token; repetition over the text tokens (EOS left out).

    distinct_2: distinct bigrams / bigrams; repeated_3grams: 3-gram occurrences beyond each one's first.
    """
    logp = np.log(np.clip(np.asarray(p, dtype=np.float64), 1e-12, 1.0))
    mean = float(logp.mean()) if len(logp) else 0.0
    text = [t for t in ids if t not in eos]
    bigrams = list(zip(text, text[1:], strict=False))
    trigrams = Counter(zip(text, text[1:], text[2:], strict=False))
    return {
        "mean_logprob": round(mean, 4),
        "perplexity": round(float(np.exp(-mean)), 3),
        "distinct_2": round(len(set(bigrams)) / len(bigrams), 4) if bigrams else 1.0,
        "repeated_3grams": sum(c - 1 for c in trigrams.values()),
    }


@torch.inference_mode()
def self_similarity(model, prompt_ids: torch.Tensor, ids: list[int]) -> list[list[int]]:
    """Cosine similarity between the last hidden states of the generated tokens, x100 and rounded: how contrastive
    search's authors show degeneration (a repetition loop is a bright stripe parallel to the diagonal)."""
    if not ids:
        return []
    full = torch.cat([prompt_ids, torch.tensor([ids], device=prompt_ids.device)], dim=1)  # (1, P + n)
    hidden = model.base_model(input_ids=full).last_hidden_state[0, prompt_ids.shape[1] :]  # (n, d)
    unit = F.normalize(hidden.float(), dim=-1)
    return (unit @ unit.T * 100).round().int().tolist()  # (n, n)


def _compare_results(strategies, rows: dict, seeds: dict, tokenizer, eos, elapsed: float | None) -> list[dict]:
    """One column per strategy from its generated row; a strategy with no row yet (beam search, which runs after
    the batched samplers) is an empty column. `elapsed` stands in for the wall time of rows still going."""
    results = []
    empty = {"ids": [], "p": [], "p_strategy": [], "finished": False, "wall_s": None}
    for i, s in enumerate(strategies):
        row = rows.get(i, empty)
        n = len(row["ids"])
        tokens = [
            {"id": t, "token": tok, "p": round(p, 4), "p_strategy": None if q is None else round(q, 4)}
            for t, tok, p, q in zip(row["ids"], tokens_readable(tokenizer, row["ids"]), row["p"],
                                    row["p_strategy"], strict=True)
        ]  # fmt: skip
        wall = row["wall_s"] or elapsed or 0.0
        text = tokenizer.decode(row["ids"], skip_special_tokens=True)
        results.append({"name": s["name"], "params": dict(s), "seed": seeds.get(i), "text": text, "tokens": tokens,
                        "n_tokens": n, "finished": row["finished"], **metrics(row["ids"], row["p"], eos),
                        "wall_s": round(wall, 3), "tokens_per_s": round(n / wall, 2) if wall else 0.0})  # fmt: skip
    return results


def strategies_compare(
    *, prompt: str, strategies: list[dict], seed: int, max_new_tokens: int, progress=None, ignore_eos: bool = False
) -> dict:
    """Run each strategy on the chat-formatted prompt; one result per strategy, in the order given.

    progress(done_tokens, total_tokens) is called every few steps. ignore_eos keeps every batched row going to
    max_new_tokens (for benchmarks).
    """
    if not strategies:
        raise ValueError(ERROR_NO_STRATEGY)
    for s in strategies:
        if s.get("name") not in STRATEGIES:
            raise ValueError(ERROR_STRATEGY_UNKNOWN.format(name=s.get("name")))
    if not 1 <= max_new_tokens <= MAX_NEW_TOKENS_LIMIT:
        raise ValueError(ERROR_MAX_NEW_TOKENS.format(limit=MAX_NEW_TOKENS_LIMIT))
    model, tokenizer = lm_load()
    prompt_ids = chat_ids(tokenizer, prompt, model.device)
    eos = eos_ids(model, tokenizer)
    batched = [i for i, s in enumerate(strategies) if s["name"] != "beam"]
    seeds = {i: row_seed(seed, i) for i in batched}
    total, rows, batched_s = max_new_tokens * len(strategies), {}, None
    t0 = time.perf_counter()

    def report(offset):
        """progress for one phase; with the batched rows so far, a partial result (every column's tokens yet)."""
        if not progress:
            return None

        def on_step(done, sampled=None):
            if sampled is None:
                progress(offset + done, total)
                return
            so_far = dict(zip(batched, sampled, strict=True))
            partial = _compare_results(strategies, so_far, seeds, tokenizer, eos, time.perf_counter() - t0)
            progress(offset + done, total, partial=partial)

        return on_step

    if batched:
        picked = [strategies[i] for i in batched]
        sampled = rows_sample(model, prompt_ids, picked, [seeds[i] for i in batched], max_new_tokens,
                              [] if ignore_eos else eos, report(0))  # fmt: skip
        rows.update(zip(batched, sampled, strict=True))
        batched_s = round(time.perf_counter() - t0, 3)
    offset = len(batched) * max_new_tokens
    for i, s in enumerate(strategies):
        if s["name"] == "beam":
            rows[i] = beam_run(model, prompt_ids, int(s.get("num_beams", 4)), max_new_tokens, eos, report(offset))
            offset += max_new_tokens
    if progress:
        progress(total, total)
    results = _compare_results(strategies, rows, seeds, tokenizer, eos, None)
    for i, result in enumerate(results):  # the repetition map, for finished columns only (one forward each)
        result["self_similarity"] = self_similarity(model, prompt_ids, rows[i]["ids"])
    return {"model": lm_spec().name, "device": str(model.device), "prompt": prompt,
            "prompt_tokens": prompt_ids.shape[1], "seed": seed, "max_new_tokens": max_new_tokens,
            "batched_wall_s": batched_s, "results": results}  # fmt: skip


@torch.inference_mode()
def next_token_distribution(*, prompt: str, temperatures=(0.5, 1.0, 1.5), top: int = 20, chat: bool = False) -> dict:
    """Top next-token probabilities after `prompt` under each temperature, most likely first.

    chat=False continues the raw text ("The capital of France is" -> " Paris"); chat=True asks the instruct
    model through its chat template (the first token of its answer).
    """
    model, tokenizer = lm_load()
    if chat:
        ids = chat_ids(tokenizer, prompt, model.device)
    else:
        ids = tokenizer(prompt, return_tensors="pt")["input_ids"].to(model.device)  # (1, T)
    logits = model(input_ids=ids, logits_to_keep=1).logits[:, -1, :].float()  # (1, V)
    dists = []
    for t in temperatures:
        probs = F.softmax(TemperatureLogitsWarper(float(t))(ids, logits.clone()), dim=-1)[0]  # (V,)
        entropy = float(-(probs * probs.clamp_min(1e-12).log()).sum())
        p, idx = probs.topk(top)
        top_tokens = zip(idx.tolist(), tokens_readable(tokenizer, idx.tolist()), p.tolist(), strict=True)
        dists.append({"temperature": float(t), "entropy": round(entropy, 4), "top_mass": round(float(p.sum()), 4),
                      "top": [{"id": i, "token": tok, "p": round(q, 4)} for i, tok, q in top_tokens]})  # fmt: skip
    return {"model": lm_spec().name, "prompt": prompt, "chat": chat, "prompt_tokens": ids.shape[1],
            "distributions": dists}  # fmt: skip
