"""Attention maps of the encoder (6 layers x 12 heads) and the causal decoder (30 x 9)."""

import json

import numpy as np
import pytest

from worker.attention import ERROR_MODEL, attention_maps

TEXT = "The cat sat on the mat because it was warm."


@pytest.fixture(scope="module")
def encoder_maps(encoder):
    return attention_maps(text=TEXT, model="encoder")


@pytest.fixture(scope="module")
def decoder_maps(lm):
    return attention_maps(text=TEXT, model="decoder")


def rows_sum_to_one(x, tol=0.01):  # values are rounded to 3 decimals
    return np.abs(np.asarray(x).sum(-1) - 1).max() < tol


def test_encoder_maps_have_one_row_per_token_and_rows_sum_to_one(encoder_maps):
    r = encoder_maps
    att = np.asarray(r["attentions"])
    T = len(r["tokens"])
    assert (r["n_layers"], r["n_heads"]) == (6, 12)
    assert att.shape == (6, 12, T, T)
    assert r["tokens"][0] == "[CLS]" and r["tokens"][-1] == "[SEP]"
    assert r["causal"] is False and r["truncated"] is False
    assert rows_sum_to_one(att)
    assert np.asarray(r["head_mean"]).shape == (6, T, T)


def test_decoder_maps_are_causal(decoder_maps):
    r = decoder_maps
    att = np.asarray(r["attentions"])
    T = len(r["tokens"])
    assert (r["n_layers"], r["n_heads"]) == (30, 9)
    assert att.shape == (30, 9, T, T)
    assert r["causal"] is True
    assert r["tokens"][0] == "The"  # the text as-is: no chat template, no BOS
    assert np.all(np.triu(att, k=1) == 0.0)
    assert rows_sum_to_one(att)


def test_rollout_rows_sum_to_one(encoder_maps, decoder_maps):
    for r in (encoder_maps, decoder_maps):
        rollout = np.asarray(r["rollout"])
        assert rollout.shape == (r["n_tokens"], r["n_tokens"])
        assert rollout.min() >= 0
        assert rows_sum_to_one(rollout)
    assert np.all(np.triu(np.asarray(decoder_maps["rollout"]), k=1) == 0.0)


def test_long_text_is_truncated_to_max_tokens(encoder, lm):
    text = "word " * 40
    for model in ("encoder", "decoder"):
        r = attention_maps(text=text, model=model, max_tokens=8)
        assert r["truncated"] is True
        assert r["n_tokens"] == 8
        assert np.asarray(r["attentions"]).shape[-2:] == (8, 8)
    assert r["tokens"][-1] != "[SEP]"


def test_result_is_json_and_the_model_is_back_on_sdpa(decoder_maps, lm):
    assert json.loads(json.dumps(decoder_maps))["n_tokens"] == decoder_maps["n_tokens"]
    assert lm[0].config._attn_implementation == "sdpa"


def test_unknown_model_is_refused():
    with pytest.raises(ValueError, match=ERROR_MODEL):
        attention_maps(text=TEXT, model="gpt")
