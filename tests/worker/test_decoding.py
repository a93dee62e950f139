"""Decoding strategies: the batched loop matches generate, seeds repeat, metrics are sane."""

import math

import pytest
import torch
from transformers import DynamicCache

from worker.decoding import (
    ERROR_STRATEGY_UNKNOWN,
    categorical_sample,
    chat_ids,
    last_logits,
    metrics,
    next_token_distribution,
    strategies_compare,
)
from worker.growing_cache import growing_cache

PROMPT = "Name three uses of a hash table."
N = 12
SAMPLING = [
    {"name": "top_k", "k": 50, "temperature": 1.0},
    {"name": "top_p", "p": 0.9, "temperature": 1.0},
    {"name": "temperature", "temperature": 1.2},
    {"name": "min_p", "p": 0.05, "temperature": 1.0},
    {"name": "typical_p", "p": 0.9, "temperature": 1.0},
]


def ids(result):
    return [[t["id"] for t in row["tokens"]] for row in result["results"]]


@pytest.fixture(scope="module")
def compared(lm):
    calls = []
    result = strategies_compare(
        prompt=PROMPT,
        strategies=[{"name": "greedy"}, *SAMPLING],
        seed=7,
        max_new_tokens=N,
        progress=lambda done, total, partial=None: calls.append((done, total, partial)),
    )
    return result, calls


def test_growing_cache_gives_the_logits_of_dynamic_cache(lm):
    """Prefill one row, repeat it to three, drop one, step: the same logits as transformers' DynamicCache."""
    model, tokenizer = lm
    prompt_ids = chat_ids(tokenizer, PROMPT, model.device)  # (1, T)
    T, steps = prompt_ids.shape[1], [[11, 12, 13], [21, 23]]
    runs = []
    for cache in (DynamicCache(config=model.config), growing_cache(model.config, T + len(steps))):
        with torch.inference_mode():
            logits, cache = last_logits(model, input_ids=prompt_ids, past_key_values=cache)
            cache.batch_repeat_interleave(3)
            seen = [logits]
            for i, step in enumerate(steps):
                if i:
                    cache.batch_select_indices(torch.tensor([0, 2]))
                logits, cache = last_logits(model, input_ids=torch.tensor(step)[:, None], past_key_values=cache)
                seen.append(logits)
        assert cache.get_seq_length() == T + len(steps)
        runs.append(seen)
    V = model.config.vocab_size
    assert [tuple(x.shape) for x in runs[1]] == [(1, V), (3, V), (2, V)]
    for dynamic, growing in zip(*runs, strict=True):
        torch.testing.assert_close(growing, dynamic, rtol=1e-5, atol=1e-5)


def test_growing_cache_refuses_to_overflow(lm):
    model, _ = lm
    cache = growing_cache(model.config, 4)
    with torch.inference_mode(), pytest.raises(ValueError, match="capacity 4"):
        last_logits(model, input_ids=torch.arange(5)[None], past_key_values=cache)


def test_greedy_row_equals_generate(lm, compared):
    model, tokenizer = lm
    prompt_ids = chat_ids(tokenizer, PROMPT, model.device)
    with torch.inference_mode():
        out = model.generate(prompt_ids, attention_mask=torch.ones_like(prompt_ids), do_sample=False, max_new_tokens=N)
    assert ids(compared[0])[0] == out[0, prompt_ids.shape[1] :].tolist()


def test_same_seed_repeats_exactly(compared):
    again = strategies_compare(prompt=PROMPT, strategies=[{"name": "greedy"}, *SAMPLING], seed=7, max_new_tokens=N)
    assert ids(again) == ids(compared[0])


def test_a_row_repeats_whatever_shares_its_batch(compared):
    # same batch size (float results of a batched matmul may depend on it), different company
    company = [{"name": "temperature", "temperature": 0.5}, SAMPLING[0], *reversed(SAMPLING[1:])]
    other = strategies_compare(prompt=PROMPT, strategies=company, seed=7, max_new_tokens=N)
    assert ids(other)[1] == ids(compared[0])[1]  # top_k at index 1 in both runs


def test_a_different_seed_changes_sampled_text(compared):
    other = strategies_compare(prompt=PROMPT, strategies=[{"name": "greedy"}, *SAMPLING], seed=8, max_new_tokens=N)
    assert ids(other)[0] == ids(compared[0])[0]  # greedy has no seed
    assert ids(other)[1:] != ids(compared[0])[1:]


def test_metrics_are_sane(compared):
    result, _ = compared
    for row in result["results"]:
        assert 1 <= row["n_tokens"] <= N
        assert all(0 < t["p"] <= 1 and 0 < t["p_strategy"] <= 1 for t in row["tokens"])
        assert row["mean_logprob"] <= 0
        assert row["perplexity"] == pytest.approx(math.exp(-row["mean_logprob"]), rel=1e-3)
        assert 0 <= row["distinct_2"] <= 1 and row["repeated_3grams"] >= 0
        assert row["wall_s"] > 0 and row["tokens_per_s"] > 0
        assert row["text"]
    greedy = result["results"][0]
    assert all(t["p_strategy"] == 1.0 for t in greedy["tokens"])


def test_every_column_shows_its_tokens_while_they_are_generated(compared):
    result, calls = compared
    partials = [partial for *_, partial in calls if partial]
    assert partials, "no partial result"
    first = partials[0]
    assert [column["name"] for column in first] == [row["name"] for row in result["results"]]
    assert all(0 < column["n_tokens"] < N for column in first)
    for column, final in zip(first, result["results"], strict=True):  # a prefix of what the column ends with
        assert final["tokens"][: column["n_tokens"]] == column["tokens"]


def test_progress_is_reported_up_to_the_total(compared):
    _, calls = compared
    assert len(calls) >= 2
    assert calls[-1][:2] == (6 * N, 6 * N)
    assert [d for d, *_ in calls] == sorted(d for d, *_ in calls)


def test_beam_search_runs_as_its_own_generate(lm):
    result = strategies_compare(prompt=PROMPT, strategies=[{"name": "beam", "num_beams": 2}], seed=0, max_new_tokens=8)
    row = result["results"][0]
    assert 1 <= row["n_tokens"] <= 8 and row["text"]
    assert all(t["p_strategy"] is None and 0 < t["p"] <= 1 for t in row["tokens"])


def test_repetition_metrics_count_bigrams_and_repeated_trigrams():
    m = metrics([1, 2, 3, 1, 2, 3, 1, 2, 3, 0], [0.5] * 10, eos=[0])
    assert m["distinct_2"] == pytest.approx(3 / 8)
    assert m["repeated_3grams"] == 4
    assert m["perplexity"] == pytest.approx(2.0)


def test_unknown_strategy_is_refused():
    with pytest.raises(ValueError) as err:
        strategies_compare(prompt=PROMPT, strategies=[{"name": "contrastive"}], seed=0, max_new_tokens=4)
    assert str(err.value) == ERROR_STRATEGY_UNKNOWN.format(name="contrastive")


def test_next_token_probabilities_are_sorted_and_sum_to_at_most_one(lm):
    r = next_token_distribution(prompt="The capital of France is", temperatures=[0.5, 1.0, 1.5], top=20)
    firsts = []
    for dist in r["distributions"]:
        ps = [t["p"] for t in dist["top"]]
        assert len(ps) == 20
        assert ps == sorted(ps, reverse=True)
        assert sum(ps) <= 1 + 1e-3
        firsts.append(ps[0])
    assert r["distributions"][1]["top"][0]["token"] == " Paris"  # noqa: S105 (a token, not a password)
    assert firsts[0] > firsts[1] > firsts[2]  # a colder temperature sharpens the distribution


def test_categorical_sample_draws_only_tokens_with_probability():
    probs = torch.tensor([0.0, 0.25, 0.0, 0.75, 0.0])
    gen = torch.Generator().manual_seed(0)
    draws = torch.cat([categorical_sample(probs, gen) for _ in range(2000)])
    assert set(draws.tolist()) == {1, 3}
    assert 0.7 < (draws == 3).float().mean() < 0.8


def test_self_similarity_is_a_symmetric_map_of_the_generated_tokens(compared):
    """The repetition view: one row and column per generated token, each token identical to itself."""
    for row in compared[0]["results"]:
        matrix, n = row["self_similarity"], row["n_tokens"]
        assert len(matrix) == n and all(len(line) == n for line in matrix)
        assert all(matrix[i][i] == 100 for i in range(n))
        assert all(abs(matrix[i][j] - matrix[j][i]) <= 1 for i in range(n) for j in range(n))
        assert all(-100 <= value <= 100 for line in matrix for value in line)


def test_decoding_page_draws_each_strategys_repetition_map(compared):
    """The presenter turns the stored map into an image per strategy; a run stored before the map existed gets the
    same-token map instead (repeats show either way)."""
    import base64
    import struct

    from django.http import QueryDict

    from demos.presenters import decoding_present

    result = {"compare": compared[0], "next_token": {"distributions": []}}
    columns = decoding_present(result, QueryDict(""))["columns"]
    assert all(c["repetition_kind"].startswith("hidden-state cosine similarity") for c in columns)
    for column in columns:
        png = base64.b64decode(column["repetition_png"].removeprefix("data:image/png;base64,"))
        assert struct.unpack(">II", png[16:24]) == (column["n_tokens"], column["n_tokens"])  # one pixel per token
    old = {"compare": {**compared[0], "results": [{k: v for k, v in row.items() if k != "self_similarity"}
                                                  for row in compared[0]["results"]]}, "next_token": {"distributions": []}}  # fmt: skip
    assert decoding_present(old, QueryDict(""))["columns"][0]["repetition_kind"] == "same token"
