"""The `lora` demo kind: LoRA parameter counts checked against peft, and fine-tuning memory three ways.

The models' linear-layer names and the bounds come from worker.catalog (torch-free); a test keeps the names equal
to what worker.lora finds in the models (tests/demos/test_kinds_lora.py).
"""

from dataclasses import dataclass

from django.conf import settings

from demos import ml_charts
from demos.kinds.base import DemoKind, Progress
from demos.params import Choice, DemoParamError, Float, Int, MultiChoice
from worker.catalog import (
    LORA_ALPHA_RANGE,
    LORA_BATCH_RANGE,
    LORA_BIAS_CHOICES,
    LORA_DEFAULT_MODEL,
    LORA_DROPOUT_RANGE,
    LORA_MODELS,
    LORA_R_RANGE,
    LORA_SEQ_LEN_RANGE,
)

ERR_TARGETS_MODEL = "must be linear layers of this model: {choices}"
ERR_SAVE_MODEL = "must be modules of this model: {choices}"
ERR_SAVE_OVERLAP = "cannot also be a target module"
ERR_SOME_OF = "must be 0 to {max} of: {choices}"
GIB = 1024**3


def _union(index: int) -> tuple[tuple[str, str], ...]:
    """Every model's module names together: what the field itself accepts (LoraKind.validate narrows it)."""
    names: list[str] = []
    for model in LORA_MODELS.values():
        for item in model[index]:
            name = item[0] if isinstance(item, tuple) else item
            if name not in names:
                names.append(name)
    return tuple((name, name) for name in names)


def lora_target_options(model_key: str, chosen) -> list[dict]:
    """Checkboxes for the model's linear layers: {"value", "label", "detail", "checked"}."""
    _, targets, _, default = LORA_MODELS.get(model_key, LORA_MODELS[LORA_DEFAULT_MODEL])
    names = [name for name, _, _ in targets]
    chosen = [c for c in (chosen or []) if c in names] or list(default)
    return [{"value": name, "label": name, "detail": f"{count} × ({shapes})", "checked": name in chosen}
            for name, count, shapes in targets]  # fmt: skip


def lora_save_options(model_key: str, chosen) -> list[dict]:
    _, _, saves, _ = LORA_MODELS.get(model_key, LORA_MODELS[LORA_DEFAULT_MODEL])
    return [{"value": name, "label": name, "detail": "", "checked": name in (chosen or [])} for name in saves]


@dataclass(frozen=True, kw_only=True)
class ModelModules(MultiChoice):
    """Modules of the model picked in the `model` field: the form lists that model's only and swaps the list
    (HTMX) when the model changes; `LoraKind.validate` checks that they belong to it. `optional`: may be empty."""

    options: str = "targets"  # "targets" | "save"
    optional: bool = False
    template: str = "demos/lora/_modules_field.html"

    def from_query(self, query, *, submitted: bool = False):
        values = super().from_query(query, submitted=submitted)
        return [] if values is None and self.optional and submitted else values

    def clean(self, value):
        if not self.optional:
            return super().clean(value)
        values = [] if value in ("", None) else [value] if isinstance(value, str) else value
        if not isinstance(values, list | tuple) or any(item not in self.values for item in values):
            self.refuse(ERR_SOME_OF, max=len(self.choices), choices=", ".join(self.values))
        return [item for item in self.values if item in values]


@dataclass(frozen=True, kw_only=True)
class LoraKind(DemoKind):
    def validate(self, params) -> dict:
        """The fields' own bounds, then the model-dependent ones: every module must belong to the chosen model."""
        supplied = params if isinstance(params, dict) else {}
        clean = super().validate(params)
        _, targets, saves, default = LORA_MODELS[clean["model"]]
        names = [name for name, _, _ in targets]
        if "target_modules" not in supplied:
            clean["target_modules"] = list(default)
        if any(name not in names for name in clean["target_modules"]):
            raise DemoParamError("target_modules", ERR_TARGETS_MODEL.format(choices=", ".join(names)))
        if any(name not in saves for name in clean["modules_to_save"]):
            raise DemoParamError("modules_to_save", ERR_SAVE_MODEL.format(choices=", ".join(saves) or "none"))
        if set(clean["modules_to_save"]) & set(clean["target_modules"]):
            raise DemoParamError("modules_to_save", ERR_SAVE_OVERLAP)
        return clean


def _lora_run(params: dict, progress: Progress) -> dict:
    from worker.lora import finetune_memory, lora_report

    progress(0, 3, "Wrapping the model with peft")
    report = lora_report(model_key=params["model"], r=params["r"], alpha=params["alpha"], dropout=params["dropout"],
                         target_modules=params["target_modules"], bias=params["bias"],
                         modules_to_save=params["modules_to_save"])  # fmt: skip
    progress(2, 3, "Memory estimate")
    memory = finetune_memory(model_key=params["model"], batch=params["batch"], seq_len=params["seq_len"],
                             r=params["r"], target_modules=params["target_modules"],
                             gradient_checkpointing=params["checkpointing"] == "on",
                             flash_attention=params["attention"] == "sdpa")  # fmt: skip
    return {"report": report, "memory": memory}


def _model_name(params: dict) -> str:
    return {"demo-lm": settings.DEMO_LM, "demo-encoder": settings.DEMO_ENCODER}.get(params["model"], params["model"])


def lora_present(result: dict, query) -> dict:
    report, memory = result["report"], result["memory"]
    chosen_r = report["config"]["r"]
    series = [{"label": f"r = {row['r']}", "value": row["trainable"], "highlight": row["r"] == chosen_r,
               "note": f"{row['percent']:.3f}% of {row['total']:,}"} for row in report["series"]]  # fmt: skip
    if chosen_r not in [row["r"] for row in report["series"]]:
        series.append({"label": f"r = {chosen_r}", "value": report["trainable"], "highlight": True})
        series.sort(key=lambda item: int(item["label"].split("= ")[1]))
    methods = [{"label": m["label"], "value": m["total_bytes"] / GIB} for m in memory["methods"]]
    return {
        "series_svg": ml_charts.bar_chart_svg(
            series, caption="Trainable parameters against the rank r", log=True
        ),  # fmt: skip
        "memory_svg": ml_charts.bar_chart_svg(methods, caption="Estimated GPU memory per method", unit=" GiB"),
        "more_modules": report["modules_total"] - len(report["modules"]),
        "memory_methods": [
            {**m, "rows": [{**row, "gib": row["bytes"] / GIB} for row in m["rows"]]} for m in memory["methods"]
        ],  # fmt: skip
    }


LORA = LoraKind(
    slug="lora",
    title="LoRA parameter counts",
    summary="How many parameters LoRA trains, counted by peft on real and meta-device models (SmolLM2, MiniLM, "
            "Llama-2 7B/13B/70B, Mistral-7B) next to the formula r·(d_in + d_out); and the GPU memory of full "
            "fine-tuning, LoRA and QLoRA.",
    fields=(
        Choice(name="model", label="Model", default=LORA_DEFAULT_MODEL,
               choices=tuple((key, model.label) for key, model in LORA_MODELS.items())),
        ModelModules(name="target_modules", label="Target modules (the model's linear layers)",
                     default=list(LORA_MODELS[LORA_DEFAULT_MODEL].default_targets), choices=_union(1),
                     help="peft matches the last part of a module's name; the count and d_in × d_out follow it."),
        Int(name="r", label="Rank r", default=8, low=LORA_R_RANGE[0], high=LORA_R_RANGE[1]),
        Int(name="alpha", label="Alpha", default=16, low=LORA_ALPHA_RANGE[0], high=LORA_ALPHA_RANGE[1],
            help="The update is scaled by alpha / r."),
        Float(name="dropout", label="Dropout", default=0.05, low=LORA_DROPOUT_RANGE[0], high=LORA_DROPOUT_RANGE[1]),
        Choice(name="bias", label="Bias", default="none", choices=tuple((name, name) for name in LORA_BIAS_CHOICES)),
        ModelModules(name="modules_to_save", label="Also train in full (modules_to_save)", default=[],
                     choices=_union(2), options="save", optional=True),
        Int(name="batch", label="Batch size (memory)", default=4, low=LORA_BATCH_RANGE[0], high=LORA_BATCH_RANGE[1]),
        Int(name="seq_len", label="Sequence length (memory)", default=2048, low=LORA_SEQ_LEN_RANGE[0],
            high=LORA_SEQ_LEN_RANGE[1]),
        Choice(name="checkpointing", label="Gradient checkpointing", default="off",
               choices=(("off", "off"), ("on", "on"))),
        Choice(name="attention", label="Attention (memory)", default="sdpa",
               choices=(("sdpa", "SDPA / flash"), ("eager", "eager (T×T scores)"))),
    ),
    run=_lora_run,
    model_name=_model_name,
    result_template="demos/lora/_result.html",
    intro_template="demos/lora/_intro.html",
    present=lora_present,
)  # fmt: skip
