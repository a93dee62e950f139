"""LoRA counts: peft's numbers for known models, the formula agreeing with peft module by module, bounds, memory."""

import pytest

from worker import lora, model_shapes
from worker.lora import (
    ERR_RANGE,
    ERR_TARGET_UNKNOWN,
    LoraParamError,
    finetune_memory,
    lora_formula_count,
    lora_report,
    lora_target_choices,
)

LLAMA_ALL = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def test_smollm2_r8_on_q_and_v_trains_460800_of_134975808():
    report = lora_report(model_key="demo-lm", r=8, target_modules=["q_proj", "v_proj"])
    assert report["trainable"] == 460_800
    assert report["total"] == 134_975_808 == 134_515_008 + 460_800  # peft's total includes the adapter
    assert report["formula"].endswith("= 30 × 8 × (576 + 576) + 30 × 8 × (576 + 192) = 276,480 + 184,320 = 460,800")


def test_smollm2_adapter_file_is_measured_and_holds_fp32_weights():
    adapter = lora_report(model_key="demo-lm", r=8, target_modules=["q_proj", "v_proj"])["adapter"]
    assert adapter["method"] == "measured"
    assert 460_800 * 4 < adapter["bytes"] < 460_800 * 4 + 50_000  # the weights plus a safetensors header


def test_wrapping_leaves_the_workers_shared_model_untouched(lm):
    lora_report(model_key="demo-lm", r=4, target_modules=["q_proj"])
    model, _ = lm
    assert not any("lora_" in name for name, _ in model.named_parameters())


def test_llama2_7b_shape_r8_on_q_and_v_trains_4194304():
    report = lora_report(model_key="llama-2-7b", r=8, target_modules=["q_proj", "v_proj"])
    assert report["trainable"] == 4_194_304
    assert report["total"] == 6_742_609_920 == 6_738_415_616 + 4_194_304
    assert report["model"]["base_params"] == 6_738_415_616
    assert report["adapter"] == {**report["adapter"], "method": "computed", "bytes": 4_194_304 * 4}


@pytest.mark.parametrize(
    ("key", "params"),
    [
        ("llama-2-7b", 6_738_415_616),
        ("llama-2-13b", 13_015_864_320),
        ("llama-2-70b", 68_976_648_192),
        ("mistral-7b", 7_241_732_096),
    ],
)
def test_meta_shapes_have_the_published_parameter_counts(key, params):
    model = model_shapes.shape_build_meta(key)
    assert sum(p.numel() for p in model.parameters()) == params
    assert next(model.parameters()).device.type == "meta"


@pytest.mark.parametrize("r", [1, 4, 8])
def test_formula_reproduces_the_lora_papers_gpt3_arithmetic(r):
    """GPT-3 175B, W_q and W_v (d_model 12288) in each of 96 layers: 4,718,592 × r."""
    assert lora_formula_count(r, [(12288, 12288)] * 2 * 96) == 4_718_592 * r


@pytest.mark.parametrize(
    ("key", "kwargs"),
    [
        ("llama-2-70b", {"r": 16, "target_modules": LLAMA_ALL}),
        ("mistral-7b", {"r": 64, "target_modules": ["k_proj", "v_proj", "down_proj"]}),
        ("demo-lm", {"r": 2, "target_modules": LLAMA_ALL}),
        ("demo-encoder", {"r": 4, "target_modules": ["query", "dense"], "bias": "lora_only"}),
    ],
)
def test_per_module_table_sums_to_peft_and_formula_agrees_for_every_module(key, kwargs):
    report = lora_report(model_key=key, **kwargs)
    assert report["modules_total"] == sum(t["count"] for t in report["by_type"])
    assert sum(t["params"] for t in report["by_type"]) == report["lora_params"]
    assert report["lora_params"] + sum(report["extras"].values()) == report["trainable"]
    assert report["reconciles"] and report["formula_matches_peft"]
    assert all(row["params"] == kwargs["r"] * (row["d_in"] + row["d_out"]) for row in report["modules"])


def test_gqa_key_and_value_projections_are_narrower():
    choices = {c["name"]: c for c in lora_target_choices("llama-2-70b")}
    assert choices["q_proj"]["shapes"] == ["8192 × 8192"]
    assert choices["k_proj"]["shapes"] == choices["v_proj"]["shapes"] == ["8192 × 1024"]  # 8 KV heads of 128


def test_target_choices_are_the_models_linear_layers_without_the_head():
    assert [c["name"] for c in lora_target_choices("demo-lm")] == LLAMA_ALL
    encoder = {c["name"]: c for c in lora_target_choices("demo-encoder")}
    assert list(encoder) == ["query", "key", "value", "dense"]
    assert encoder["dense"]["count"] == 19  # 3 per layer × 6 layers + the pooler: peft matches the last name
    assert "pooler.dense" in encoder["dense"]["types"]


def test_bias_and_modules_to_save_are_counted_apart_from_the_adapter():
    report = lora_report(model_key="demo-encoder", r=4, target_modules=["query"], bias="all",
                         modules_to_save=["word_embeddings"])  # fmt: skip
    assert report["extras"]["modules_to_save"] == 30522 * 384
    assert report["extras"]["bias"] > 0
    assert report["reconciles"]
    assert "bias" in report["formula"] and "modules_to_save" in report["formula"]


def test_series_over_r_is_the_formula_and_equals_peft_at_the_chosen_r():
    report = lora_report(model_key="llama-2-13b", r=32, target_modules=["q_proj", "v_proj"])
    series = {row["r"]: row["trainable"] for row in report["series"]}
    assert list(series) == list(lora.R_SERIES)
    assert series[32] == report["trainable"] == 32 * 2 * 40 * (5120 + 5120)
    assert series[256] == 256 * series[1]


@pytest.mark.parametrize(
    ("change", "param", "message"),
    [
        ({"r": 0}, "r", ERR_RANGE.format(lo=1, hi=256)),
        ({"r": 257}, "r", ERR_RANGE.format(lo=1, hi=256)),
        ({"r": 8.5}, "r", ERR_RANGE.format(lo=1, hi=256)),
        ({"alpha": 0}, "alpha", ERR_RANGE.format(lo=1, hi=1024)),
        ({"alpha": 2048}, "alpha", ERR_RANGE.format(lo=1, hi=1024)),
        ({"dropout": 0.6}, "dropout", ERR_RANGE.format(lo=0, hi=0.5)),
        ({"dropout": -0.1}, "dropout", ERR_RANGE.format(lo=0, hi=0.5)),
        ({"bias": "some"}, "bias", lora.ERR_BIAS),
        ({"target_modules": []}, "target_modules", lora.ERR_TARGETS_EMPTY),
        ({"target_modules": ["query"]}, "target_modules", ERR_TARGET_UNKNOWN.format(names="query")),
        ({"target_modules": ["lm_head"]}, "target_modules", ERR_TARGET_UNKNOWN.format(names="lm_head")),
        ({"modules_to_save": ["q_proj"]}, "modules_to_save", lora.ERR_SAVE_UNKNOWN.format(names="q_proj")),
        ({"model_key": "gpt-5"}, "model_key", lora.ERR_MODEL),
    ],
)
def test_out_of_bounds_parameters_are_refused_by_name(change, param, message):
    params = {"model_key": "llama-2-7b", "r": 8, "alpha": 16, "dropout": 0.05, "target_modules": ["q_proj"],
              "bias": "none", "modules_to_save": [], **change}  # fmt: skip
    with pytest.raises(LoraParamError) as raised:
        lora_report(**params)
    assert (raised.value.param, raised.value.message) == (param, message)


def test_memory_full_finetuning_is_18_bytes_per_parameter_plus_activations():
    memory = finetune_memory(model_key="llama-2-7b", batch=1, seq_len=512, r=8)
    P = 6_738_415_616
    full, lora_, qlora = (m for m in memory["methods"])
    rows = {row["item"]: row["bytes"] for row in full["rows"]}
    assert sum(b for item, b in rows.items() if not item.startswith(("activations", "logits"))) == 18 * P
    assert rows["activations (16-bit)"] == 32 * 512 * 1 * 4096 * 34
    assert rows["logits and their gradient (fp32)"] == 8 * 512 * 32000
    assert memory["lora_params"] == 4_194_304
    assert full["total_bytes"] > lora_["total_bytes"] > qlora["total_bytes"]
    assert all(m["assumptions"] for m in memory["methods"]) and memory["assumptions"]


def test_memory_qlora_base_is_about_half_a_byte_per_quantized_parameter():
    qlora = finetune_memory(model_key="llama-2-70b", batch=1, seq_len=256, r=16)["methods"][2]
    rows = {row["item"]: row["bytes"] for row in qlora["rows"]}
    nf4, constants = rows["linear-layer weights in NF4 (4 bits)"], rows["quantization constants (double quantization)"]
    assert constants / nf4 == pytest.approx(0.127 / 4, rel=0.01)
    assert 34e9 < nf4 + constants < 36e9  # 70B: ~35 GB of 4-bit weights


def test_memory_checkpointing_and_flash_attention_shrink_activations():
    def activations(**kwargs):
        memory = finetune_memory(model_key="mistral-7b", batch=2, seq_len=4096, r=8, **kwargs)
        return memory["methods"][0]["rows"][3]["bytes"]

    assert activations(gradient_checkpointing=True) < activations() < activations(flash_attention=False)


@pytest.mark.parametrize(("param", "value"), [("batch", 0), ("batch", 257), ("seq_len", 8), ("seq_len", 32769)])
def test_memory_refuses_out_of_bounds_sizes(param, value):
    with pytest.raises(LoraParamError) as raised:
        finetune_memory(**{"model_key": "llama-2-7b", "batch": 1, "seq_len": 512, param: value})
    assert raised.value.param == param


def test_memory_estimate_counts_a_tied_embedding_once():
    """SmolLM2 ties its output head to the input embedding: the estimate counts the weights the real model has."""
    from worker import modelhub

    model, _ = modelhub.lm_load()
    real = sum(p.numel() for p in model.parameters())  # parameters() lists a shared tensor once
    memory = finetune_memory(model_key="demo-lm", batch=1, seq_len=128, r=8)
    full = memory["methods"][0]["rows"][0]
    assert full["bytes"] == 6 * real
    assert f"{real:,}" in full["formula"]
