"""The lora, quantization and kvcache demo kinds: bounds refused by name, the model-dependent form, the results.

No worker: results are computed in-process (LoRA on meta-device shapes is instant) or loaded from a stored real
run (tests/demos/data/), then rendered from a DemoRun row like the worker's would be.
"""

import json
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from demos import kinds_lora, kinds_quantization, services
from demos.models import DemoRun
from demos.params import ERR_CHOICE, ERR_FLOAT_RANGE, ERR_INT_RANGE, ERR_TEXT_LENGTH

pytestmark = pytest.mark.django_db
RUNS = "/api/demos/runs"
DATA = Path(__file__).resolve().parent / "data"
LLAMA = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]

OUT_OF_BOUNDS = [
    ("lora", {"r": 0}, "r", ERR_INT_RANGE.format(low=1, high=256)),
    ("lora", {"r": 257}, "r", ERR_INT_RANGE.format(low=1, high=256)),
    ("lora", {"alpha": 0}, "alpha", ERR_INT_RANGE.format(low=1, high=1024)),
    ("lora", {"alpha": 1025}, "alpha", ERR_INT_RANGE.format(low=1, high=1024)),
    ("lora", {"dropout": 0.51}, "dropout", ERR_FLOAT_RANGE.format(low=0, high=0.5)),
    ("lora", {"dropout": -0.1}, "dropout", ERR_FLOAT_RANGE.format(low=0, high=0.5)),
    ("lora", {"batch": 0}, "batch", ERR_INT_RANGE.format(low=1, high=256)),
    ("lora", {"batch": 257}, "batch", ERR_INT_RANGE.format(low=1, high=256)),
    ("lora", {"seq_len": 15}, "seq_len", ERR_INT_RANGE.format(low=16, high=32768)),
    ("lora", {"seq_len": 32769}, "seq_len", ERR_INT_RANGE.format(low=16, high=32768)),
    ("lora", {"bias": "some"}, "bias", ERR_CHOICE.format(choices="none, all, lora_only")),
    ("lora", {"model": "gpt-5"}, "model", None),
    ("lora", {"model": "demo-encoder", "target_modules": ["q_proj"]}, "target_modules",
     kinds_lora.ERR_TARGETS_MODEL.format(choices="query, key, value, dense")),
    ("lora", {"model": "llama-2-7b", "target_modules": ["lm_head"]}, "target_modules", None),
    ("lora", {"model": "llama-2-7b", "modules_to_save": ["word_embeddings"]}, "modules_to_save",
     kinds_lora.ERR_SAVE_MODEL.format(choices="embed_tokens, lm_head")),
    ("quantization", {"max_new_tokens": 3}, "max_new_tokens", ERR_INT_RANGE.format(low=4, high=64)),
    ("quantization", {"runs": 6}, "runs", ERR_INT_RANGE.format(low=1, high=5)),
    ("quantization", {"prompt": "x" * 501}, "prompt", ERR_TEXT_LENGTH.format(max=500)),
    ("quantization", {"variants": ["fp8"]}, "variants", None),
    ("kvcache", {"max_length": "1024"}, "max_length", ERR_CHOICE.format(choices="32, 64, 128")),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "params", "param", "message"), OUT_OF_BOUNDS)
def test_api_refuses_out_of_bounds_with_400_naming_the_param(user_client, kind, params, param, message):
    response = user_client.post(RUNS, {"kind": kind, "params": params}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["param"] == param
    if message:
        assert response.json()["detail"] == f"{param} {message}"
    assert not DemoRun.objects.exists()


def test_lora_defaults_follow_the_model(user):
    run = services.demo_run_start(user=user, kind="lora", params={"model": "demo-encoder"})
    assert run.params["target_modules"] == ["query", "value"] and run.params["modules_to_save"] == []


def test_declared_module_choices_equal_what_peft_sees_in_the_models():
    """The web process does not import torch, so the form's lists are declared; here they meet the real models."""
    from worker import lora

    for key, (_, targets, saves, default) in kinds_lora.LORA_MODELS.items():
        real = [(c["name"], c["count"], ", ".join(c["shapes"])) for c in lora.lora_target_choices(key)]
        assert list(targets) == real, key
        assert list(saves) == lora.lora_save_choices(key), key
        assert default == lora.lora_default_targets(key), key
    assert [(m.key) for m in lora.lora_models()] == list(kinds_lora.LORA_MODELS)


def test_declared_quantization_variants_equal_the_workers():
    from worker import quantization

    assert kinds_quantization.QUANT_VARIANTS == tuple((v.key, v.label) for v in quantization.VARIANTS)


def test_lora_form_lists_the_models_linear_layers_and_swaps_them_when_the_model_changes(client):
    url = reverse("demos:detail", args=["lora"])
    page = client.get(url).content.decode()
    for name in LLAMA:
        assert f'name="target_modules" value="{name}"' in page
    assert (
        'value="q_proj" checked' in page and 'value="v_proj" checked' in page and 'value="k_proj" checked' not in page
    )
    assert 'hx-trigger="change from:#id_model"' in page and 'hx-select="#lora-target_modules"' in page
    encoder = client.get(url, {"model": "demo-encoder"}, headers={"HX-Request": "true"}).content.decode()
    assert 'value="dense"' in encoder and 'value="q_proj"' not in encoder
    assert 'value="query" checked' in encoder and 'name="modules_to_save" value="word_embeddings"' in encoder
    assert "19 × (384 × 384, 384 × 1536, 1536 × 384)" in encoder


def _done(user, kind: str, params: dict, result: dict) -> DemoRun:
    run = services.demo_run_start(user=user, kind=kind, params=params)
    DemoRun.objects.filter(pk=run.pk).update(status=DemoRun.Status.DONE, result=result, finished_at=timezone.now())
    return DemoRun.objects.get(pk=run.pk)


def test_lora_result_shows_peft_counts_formula_chart_and_memory(client, user):
    from worker.lora import finetune_memory, lora_report

    params = {"model": "llama-2-7b", "r": 8, "target_modules": ["q_proj", "v_proj"]}
    result = {"report": lora_report(model_key="llama-2-7b", r=8, target_modules=["q_proj", "v_proj"]),
              "memory": finetune_memory(model_key="llama-2-7b", batch=4, seq_len=2048, r=8)}  # fmt: skip
    run = _done(user, "lora", params, json.loads(json.dumps(result)))  # as stored: JSON
    page = client.get(run.get_absolute_url()).content.decode()
    assert "4,194,304" in page and "6,742,609,920" in page
    assert "32 × 8 × (4096 + 4096) + 32 × 8 × (4096 + 4096) = 2,097,152 + 2,097,152 = 4,194,304" in page
    assert page.count("<svg") == 2 and "r = 256" in page and "log scale" in page
    assert "QLoRA" in page and "0.127" in page and "Fits on" in page


def test_quantization_result_shows_table_charts_and_the_unavailable_with_reasons(client, user):
    result = json.loads((DATA / "quantization_result.json").read_text())
    run = _done(user, "quantization", {"max_new_tokens": 8, "runs": 1}, result)
    page = client.get(run.get_absolute_url()).content.decode()
    available = [row for row in result["variants"] if row["available"]]
    assert page.count('<th scope="row"') == len(available) and page.count("<svg") == 2
    for row in result["variants"]:
        assert row["label"] in page
        if not row["available"]:
            assert escape(row["reason"]) in page


def test_kvcache_result_draws_both_curves(client, user):
    result = json.loads((DATA / "kvcache_result.json").read_text())
    run = _done(user, "kvcache", {"max_length": "32"}, result)
    page = client.get(run.get_absolute_url()).content.decode()
    assert page.count("<svg") == 2 and page.count("<polyline") == 4
    assert "without (use_cache=False)" in page
