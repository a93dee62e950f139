"""Model sources, the GGUF -> safetensors cache, and one load per process."""

import json
from dataclasses import replace
from pathlib import Path

import torch

from worker.config import config
from worker.modelhub import (
    MARKER,
    _lm_load,
    cache_is_fresh,
    device_get,
    dtype_for,
    gguf_convert,
    lm_load,
    lm_spec,
    tokens_readable,
)


def test_shipped_lm_is_converted_once_and_the_cache_is_reused(lm):
    spec = lm_spec()
    weights = Path(spec.cache_dir) / "model.safetensors"
    assert spec.gguf_file.endswith(".gguf")
    assert cache_is_fresh(spec)
    before = weights.stat().st_mtime_ns
    report = gguf_convert(spec)
    assert report["action"] == "cached"
    assert weights.stat().st_mtime_ns == before


def test_a_fresh_load_reads_the_safetensors_cache_not_the_gguf(lm):
    spec = lm_spec()
    model, _ = _lm_load.__wrapped__(spec, "cpu")  # bypass the per-process cache
    assert Path(model.name_or_path) == Path(spec.cache_dir)
    assert getattr(model.config, "quantization_config", None) is None
    assert sum(p.numel() for p in model.parameters()) == 134_515_008


def test_marker_must_match_the_gguf_file(lm, tmp_path):
    spec = replace(lm_spec(), cache_dir=str(tmp_path / "lm"))
    assert not cache_is_fresh(spec)  # nothing there
    (tmp_path / "lm").mkdir()
    marker = tmp_path / "lm" / MARKER
    expected = json.loads((Path(lm_spec().cache_dir) / MARKER).read_text())
    marker.write_text(json.dumps({**expected, "size": expected["size"] + 1}))
    assert not cache_is_fresh(spec)  # the GGUF changed since
    marker.write_text(json.dumps(expected))
    assert cache_is_fresh(spec)


def test_models_load_once_per_process(lm):
    assert lm_load() is lm
    assert lm_load()[0] is lm[0]


def test_device_and_dtype_are_chosen_once_from_settings():
    device = device_get()
    assert device.type in ("cpu", "cuda")
    assert dtype_for(torch.device("cpu")) == torch.float32


def test_the_django_settings_reach_the_worker_config(settings):
    """demos' AppConfig.ready hands the DEMO_* settings to worker.config; the model code reads only that."""
    assert config().lm == settings.DEMO_LM
    assert config().encoder == settings.DEMO_ENCODER
    assert config().model_cache_dir == settings.MODEL_CACHE_DIR


def test_tokens_readable_marks_word_starts_and_joins_back(lm, encoder):
    _, smol = lm
    ids = smol("Hello world,\ntokenization")["input_ids"]
    assert tokens_readable(smol, ids)[:4] == ["Hello", " world", ",", "\n"]
    _, bert = encoder
    ids = bert("tokenization works")["input_ids"]
    tokens = tokens_readable(bert, ids)
    assert tokens == ["[CLS]", " token", "ization", " works", "[SEP]"]
