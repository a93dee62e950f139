"""The lora demo kind (demos/kinds/lora.py): bounds refused by name, the model-dependent form, the result.

No worker: LoRA on meta-device shapes is computed in-process (instant), then rendered from a DemoRun row like the
worker's would be.
"""

import json

import pytest
from django.urls import reverse

from demos import services
from demos.kinds import lora as kinds_lora
from demos.models import DemoRun
from demos.params import ERR_CHOICE, ERR_FLOAT_RANGE, ERR_INT_RANGE
from tests.demos.kind_helpers import RUNS, run_done

pytestmark = pytest.mark.django_db
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
    """The web process does not import torch, so the catalog declares the lists; here they meet the real models."""
    from worker import lora

    for key, (_, targets, saves, default) in kinds_lora.LORA_MODELS.items():
        real = [(c["name"], c["count"], ", ".join(c["shapes"])) for c in lora.lora_target_choices(key)]
        assert list(targets) == real, key
        assert list(saves) == lora.lora_save_choices(key), key
        assert set(default) <= {name for name, _, _ in real}, key
    assert [(m.key) for m in lora.lora_models()] == list(kinds_lora.LORA_MODELS)


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


def test_lora_result_shows_peft_counts_formula_chart_and_memory(client, user):
    from worker.lora import finetune_memory, lora_report

    params = {"model": "llama-2-7b", "r": 8, "target_modules": ["q_proj", "v_proj"]}
    result = {"report": lora_report(model_key="llama-2-7b", r=8, target_modules=["q_proj", "v_proj"]),
              "memory": finetune_memory(model_key="llama-2-7b", batch=4, seq_len=2048, r=8)}  # fmt: skip
    run = run_done(user, "lora", params, json.loads(json.dumps(result)))  # as stored: JSON
    page = client.get(run.get_absolute_url()).content.decode()
    assert "4,194,304" in page and "6,742,609,920" in page
    assert "32 × 8 × (4096 + 4096) + 32 × 8 × (4096 + 4096) = 2,097,152 + 2,097,152 = 4,194,304" in page
    assert page.count("<svg") == 2 and "r = 256" in page and "log scale" in page
    assert "QLoRA" in page and "0.127" in page and "Fits on" in page
