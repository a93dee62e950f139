"""LoRA parameter arithmetic, checked against peft, and a fine-tuning memory calculator.

Two kinds of model:
- the worker's own models (`demo-lm`, `demo-encoder`, from worker.modelhub), wrapped with real weights, so the
  adapter can be saved and its file measured;
- well-known larger shapes (worker.model_shapes) built on the meta device: exact counts, no memory, no file.

LoRA adds, next to a frozen linear layer W (d_out × d_in), two trainable matrices A (r × d_in) and B (d_out × r):
r·(d_in + d_out) parameters per targeted layer. Every count here is peft's own (`get_nb_trainable_parameters`);
the formula is computed alongside and the report says whether the two agree.
"""

import copy
import functools
import gc
import re
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import torch

from worker import model_shapes
from worker.catalog import LLAMA_DEFAULT_TARGETS, LORA_MODELS
from worker.catalog import LORA_ALPHA_RANGE as ALPHA_RANGE
from worker.catalog import LORA_BATCH_RANGE as BATCH_RANGE
from worker.catalog import LORA_BIAS_CHOICES as BIAS_CHOICES
from worker.catalog import LORA_DROPOUT_RANGE as DROPOUT_RANGE
from worker.catalog import LORA_R_RANGE as R_RANGE
from worker.catalog import LORA_R_SERIES as R_SERIES
from worker.catalog import LORA_SEQ_LEN_RANGE as SEQ_LEN_RANGE

TABLE_CAP = 60  # rows of the full per-module list; the per-type table always covers everything
HEAD_NAMES = ("lm_head",)  # output heads: not offered as LoRA targets, kept in 16 bits by QLoRA

ERR_MODEL = "Unknown model."
ERR_RANGE = "Must be between {lo} and {hi}."
ERR_BIAS = "Must be one of: none, all, lora_only."
ERR_TARGETS_EMPTY = "Choose at least one target module."
ERR_TARGET_UNKNOWN = "Not a linear layer of this model: {names}."
ERR_SAVE_UNKNOWN = "Not a module this model can save in full: {names}."
ERR_SAVE_OVERLAP = "A module cannot be both a LoRA target and saved in full: {names}."


class LoraParamError(ValueError):
    """A parameter out of bounds; `param` names it so a form or API can point at the field."""

    def __init__(self, param: str, message: str):
        super().__init__(f"{param}: {message}")
        self.param = param
        self.message = message


@dataclass(frozen=True)
class LoraModel:
    key: str
    label: str
    source: str  # "worker": real weights from worker.modelhub | "shape": meta device


def lora_models() -> list[LoraModel]:
    """The models the LoRA page offers, the worker's own first."""
    from worker import modelhub

    models = [
        LoraModel("demo-lm", f"{modelhub.lm_spec().name} (the worker's LM, real weights)", "worker"),
        LoraModel("demo-encoder", f"{modelhub.encoder_spec().name} (the worker's encoder, real weights)", "worker"),
    ]
    models += [
        LoraModel(key, f"{shape.label} (shape only, meta device)", "shape")
        for key, shape in model_shapes.MODEL_SHAPES.items()
    ]
    return models


def lora_model_get(model_key: str) -> LoraModel:
    for model in lora_models():
        if model.key == model_key:
            return model
    raise LoraParamError("model_key", ERR_MODEL)


# --- building models ----------------------------------------------------------------------------------------------


def _worker_config(model_key: str):
    """Config of a worker model, read from disk (no weights: the web process must not load models)."""
    from transformers import AutoConfig

    from worker import modelhub

    spec = modelhub.lm_spec() if model_key == "demo-lm" else modelhub.encoder_spec()
    path = spec.path
    if spec.gguf_file:
        modelhub.gguf_convert(spec)  # once per machine; returns at once when the safetensors cache is fresh
        path = spec.cache_dir
    return AutoConfig.from_pretrained(path)


def _model_meta(model_key: str) -> torch.nn.Module:
    """A fresh model of that key on the meta device (peft wraps models in place, so never share one)."""
    if model_key in model_shapes.MODEL_SHAPES:
        return model_shapes.shape_build_meta(model_key)
    from accelerate import init_empty_weights
    from transformers import AutoModel, AutoModelForCausalLM

    auto = AutoModelForCausalLM if model_key == "demo-lm" else AutoModel
    config = _worker_config(model_key)  # outside the meta context: it may convert the GGUF on first use
    with init_empty_weights():
        model = auto.from_config(config)
    model.tie_weights()  # on the meta device from_config leaves a tied head as its own tensor: counted twice
    return model


def _model_real(model_key: str) -> torch.nn.Module:
    """A private copy of the worker's loaded model (the loaded one is shared by every demo in the process)."""
    from worker import modelhub

    model, _ = modelhub.lm_load() if model_key == "demo-lm" else modelhub.encoder_load()
    return copy.deepcopy(model)


def _linear_dims(module: torch.nn.Module) -> tuple[int, int] | None:
    """(d_in, d_out) of a layer LoRA can wrap as a linear map: nn.Linear, or GPT-2 style Conv1D; else None."""
    if isinstance(module, torch.nn.Linear):
        return module.in_features, module.out_features
    if type(module).__name__ == "Conv1D" and hasattr(module, "nf"):
        return module.weight.shape[0], module.nf
    return None


def _type_of(name: str) -> str:
    """The module's path with layer indices as `*`: model.layers.3.self_attn.q_proj → model.layers.*.self_attn.q_proj."""
    return re.sub(r"\.\d+(?=\.|$)", ".*", name)


def _matches(name: str, targets: Iterable[str]) -> bool:
    """peft's rule for a list of target names: the full name, or its ending after a dot."""
    return any(name == t or name.endswith(f".{t}") for t in targets)


@functools.cache
def lora_target_choices(model_key: str) -> list[dict]:
    """The model's linear layers by their last name (what peft's target_modules matches), in model order.

    Each: {"name", "count", "types": [module path with * for the layer index], "shapes": ["d_in × d_out"]}.
    One name can cover several layer types (BERT's `dense` is in attention output, intermediate, output, pooler).
    """
    lora_model_get(model_key)
    choices: dict[str, dict] = {}
    for name, module in _model_meta(model_key).named_modules():
        dims = _linear_dims(module)
        leaf = name.rsplit(".", 1)[-1]
        if dims is None or leaf in HEAD_NAMES:
            continue
        row = choices.setdefault(leaf, {"name": leaf, "count": 0, "types": [], "shapes": []})
        row["count"] += 1
        shape = f"{dims[0]} × {dims[1]}"
        if _type_of(name) not in row["types"]:
            row["types"].append(_type_of(name))
        if shape not in row["shapes"]:
            row["shapes"].append(shape)
    return list(choices.values())


@functools.cache
def lora_save_choices(model_key: str) -> list[str]:
    """Modules that `modules_to_save` can train in full: the embeddings and the output head, when there is one."""
    lora_model_get(model_key)
    names = []
    for name, module in _model_meta(model_key).named_modules():
        leaf = name.rsplit(".", 1)[-1]
        if (isinstance(module, torch.nn.Embedding) or leaf in HEAD_NAMES) and leaf not in names:
            names.append(leaf)
    return names


def lora_default_targets(model_key: str) -> list[str]:
    """W_q and W_v, as in the LoRA paper, under this model's names (worker.catalog.LORA_MODELS)."""
    lora_model_get(model_key)  # an unknown model is refused by name
    return list(LORA_MODELS[model_key].default_targets)


# --- validation ---------------------------------------------------------------------------------------------------


def _check_range(param: str, value, lo, hi):
    if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
        raise LoraParamError(param, ERR_RANGE.format(lo=lo, hi=hi))


def lora_params_check(
    *,
    model_key: str,
    r: int,
    alpha: float,
    dropout: float,
    target_modules: Iterable[str],
    bias: str,
    modules_to_save: Iterable[str] = (),
) -> None:
    """Raise LoraParamError naming the first parameter that is out of bounds or unknown to the model."""
    lora_model_get(model_key)
    if not isinstance(r, int):
        raise LoraParamError("r", ERR_RANGE.format(lo=R_RANGE[0], hi=R_RANGE[1]))
    _check_range("r", r, *R_RANGE)
    _check_range("alpha", alpha, *ALPHA_RANGE)
    _check_range("dropout", dropout, *DROPOUT_RANGE)
    if bias not in BIAS_CHOICES:
        raise LoraParamError("bias", ERR_BIAS)
    targets = list(target_modules)
    if not targets:
        raise LoraParamError("target_modules", ERR_TARGETS_EMPTY)
    known = {c["name"] for c in lora_target_choices(model_key)}
    if unknown := [t for t in targets if t not in known]:
        raise LoraParamError("target_modules", ERR_TARGET_UNKNOWN.format(names=", ".join(map(str, unknown))))
    saves = list(modules_to_save)
    if unknown := [m for m in saves if m not in lora_save_choices(model_key)]:
        raise LoraParamError("modules_to_save", ERR_SAVE_UNKNOWN.format(names=", ".join(map(str, unknown))))
    if both := sorted(set(targets) & set(saves)):
        raise LoraParamError("modules_to_save", ERR_SAVE_OVERLAP.format(names=", ".join(both)))


# --- the report ---------------------------------------------------------------------------------------------------


def lora_formula_count(r: int, modules: Iterable[tuple[int, int]]) -> int:
    """LoRA parameters for layers of the given (d_in, d_out): Σ r·(d_in + d_out)."""
    return sum(r * (d_in + d_out) for d_in, d_out in modules)


def _lora_rows(peft_model, r: int) -> list[dict]:
    from peft.tuners.lora import LoraLayer

    rows = []
    for name, module in peft_model.named_modules():
        if not isinstance(module, LoraLayer) or "default" not in module.lora_A:
            continue
        d_in, d_out = module.in_features, module.out_features
        counted = sum(p.numel() for p in module.lora_A["default"].parameters())
        counted += sum(p.numel() for p in module.lora_B["default"].parameters())
        formula = lora_formula_count(r, [(d_in, d_out)])
        rows.append(
            {
                "name": name.removeprefix("base_model.model."),
                "d_in": d_in,
                "d_out": d_out,
                "params": counted,
                "formula": formula,
                "matches": counted == formula,
            }
        )
    return rows


def _by_type(rows: list[dict]) -> list[dict]:
    types: dict[str, dict] = {}
    for row in rows:
        t = types.setdefault(
            _type_of(row["name"]),
            {
                "type": _type_of(row["name"]),
                "count": 0,
                "d_in": row["d_in"],
                "d_out": row["d_out"],
                "per_module": row["params"],
                "params": 0,
            },
        )
        t["count"] += 1
        t["params"] += row["params"]
    return list(types.values())


def _formula_text(r: int, types: list[dict], extras: dict[str, int], trainable: int) -> str:
    terms = [f"{t['count']} × {r} × ({t['d_in']} + {t['d_out']})" for t in types]
    values = [f"{t['count'] * r * (t['d_in'] + t['d_out']):,}" for t in types]
    for label, n in extras.items():
        if n:
            terms.append(f"{n:,} {label}")
            values.append(f"{n:,}")
    text = "trainable = Σ count × r × (d_in + d_out) = " + " + ".join(terms)
    if len(values) > 1:
        text += " = " + " + ".join(values)
    return text + f" = {trainable:,}"


def _adapter_size(peft_model, source: str, trainable_params: list[torch.nn.Parameter]) -> dict:
    if source == "worker":
        with tempfile.TemporaryDirectory(prefix="lora-adapter-") as tmp:
            peft_model.save_pretrained(tmp)
            files = {p.name: p.stat().st_size for p in sorted(Path(tmp).iterdir()) if p.is_file()}
        weights = files.get("adapter_model.safetensors", sum(files.values()))
        return {
            "bytes": weights,
            "files": files,
            "method": "measured",
            "note": "save_pretrained of the adapter to a temporary folder; adapter_model.safetensors size",
        }
    bytes_ = sum(p.numel() * p.element_size() for p in trainable_params)
    dtypes = sorted({str(p.dtype).removeprefix("torch.") for p in trainable_params})
    return {
        "bytes": bytes_,
        "files": {},
        "method": "computed",
        "note": f"meta-device tensors hold no data: bytes = trainable params × bytes per element "
        f"({', '.join(dtypes)}); the saved file adds a small JSON header",
    }


def lora_report(
    *,
    model_key: str,
    r: int = 8,
    alpha: float = 16,
    dropout: float = 0.05,
    target_modules: Iterable[str] = LLAMA_DEFAULT_TARGETS,
    bias: str = "none",
    modules_to_save: Iterable[str] = (),
) -> dict:
    """Wrap the model with peft's get_peft_model and report what peft counts, next to the formula.

    Returns {"model", "config", "trainable", "total", "percent", "by_type", "modules", "modules_shown",
    "extras", "reconciles", "formula", "formula_matches_peft", "series", "adapter", "scaling", "seconds"}.
    """
    from peft import LoraConfig, get_peft_model

    target_modules, modules_to_save = list(target_modules), list(modules_to_save)
    lora_params_check(
        model_key=model_key,
        r=r,
        alpha=alpha,
        dropout=dropout,
        target_modules=target_modules,
        bias=bias,
        modules_to_save=modules_to_save,
    )
    model = lora_model_get(model_key)
    t0 = time.perf_counter()
    base = _model_real(model_key) if model.source == "worker" else _model_meta(model_key)
    config = LoraConfig(
        r=r,
        lora_alpha=alpha,
        lora_dropout=dropout,
        target_modules=target_modules,
        bias=bias,
        modules_to_save=modules_to_save or None,
    )
    peft_model = get_peft_model(base, config)
    trainable, total = peft_model.get_nb_trainable_parameters()

    rows = _lora_rows(peft_model, r)
    types = _by_type(rows)
    named = [(n, p) for n, p in peft_model.named_parameters() if p.requires_grad]
    extras = {
        "bias": sum(p.numel() for n, p in named if "lora_" not in n and "modules_to_save" not in n),
        "modules_to_save": sum(p.numel() for n, p in named if "modules_to_save" in n),
    }
    lora_total = sum(row["params"] for row in rows)
    fixed = sum(extras.values())  # does not depend on r
    dims = [(row["d_in"], row["d_out"]) for row in rows]
    formula_trainable = lora_formula_count(r, dims) + fixed
    base_total = total - trainable  # frozen parameters, the same at every r

    def at(rank: int) -> dict:
        n = lora_formula_count(rank, dims) + fixed
        return {"r": rank, "trainable": n, "total": base_total + n, "percent": 100 * n / (base_total + n)}

    report = {
        "model": {"key": model.key, "label": model.label, "source": model.source, "base_params": base_total},
        "config": {
            "r": r,
            "alpha": alpha,
            "dropout": dropout,
            "target_modules": target_modules,
            "bias": bias,
            "modules_to_save": modules_to_save,
        },
        "trainable": trainable,
        "total": total,
        "percent": 100 * trainable / total,
        "by_type": types,
        "modules": rows[:TABLE_CAP],
        "modules_total": len(rows),
        "lora_params": lora_total,
        "extras": extras,
        "reconciles": lora_total + fixed == trainable,
        "formula": _formula_text(r, types, extras, formula_trainable),
        "formula_trainable": formula_trainable,
        "formula_matches_peft": formula_trainable == trainable and all(row["matches"] for row in rows),
        "series": [at(rank) for rank in R_SERIES],
        "adapter": _adapter_size(peft_model, model.source, [p for _, p in named]),
        "scaling": alpha / r,
        "notes": [
            f"The update B·A·x is scaled by alpha / r = {alpha} / {r} = {alpha / r:g}.",
            f"Dropout {dropout:g} acts on the adapter's input during training; it adds no parameters.",
            "total is peft's count: the frozen model plus the adapter (and any full copies from modules_to_save).",
        ],
    }
    report["seconds"] = round(time.perf_counter() - t0, 3)
    del peft_model, base
    gc.collect()
    return report


# --- memory calculator --------------------------------------------------------------------------------------------

NF4_BITS = 4.0
NF4_CONSTANT_BITS = 8 / 64 + 32 / (64 * 256)  # double quantization: 8-bit absmax per 64 weights + fp32 per 256 blocks
GPUS = (("T4", 16), ("RTX 4090", 24), ("A100 40GB", 40), ("A100/H100 80GB", 80))
GIB = 1024**3


def _arch(model: torch.nn.Module) -> dict:
    """Counts the memory formulas need, read off a (meta) model."""
    config = model.config
    params = sum(p.numel() for p in model.parameters())  # tied weights once
    linear = sum(
        m.weight.numel()
        for n, m in model.named_modules()
        if _linear_dims(m) is not None and n.rsplit(".", 1)[-1] not in HEAD_NAMES
    )
    return {
        "params": params,
        "linear_params": linear,
        "hidden": config.hidden_size,
        "layers": config.num_hidden_layers,
        "heads": config.num_attention_heads,
        "vocab": config.vocab_size if hasattr(model, "lm_head") else 0,
    }


def finetune_memory(
    *,
    model_key: str,
    batch: int,
    seq_len: int,
    r: int = 8,
    target_modules: Iterable[str] | None = None,
    gradient_checkpointing: bool = False,
    flash_attention: bool = True,
) -> dict:
    """GPU memory to fine-tune one model three ways: full (mixed precision AdamW), LoRA, QLoRA.

    An estimate by formula; every method lists its rows, each with the formula and numbers, and its assumptions.
    """
    lora_model_get(model_key)
    _check_range("batch", batch, *BATCH_RANGE)
    _check_range("seq_len", seq_len, *SEQ_LEN_RANGE)
    _check_range("r", r, *R_RANGE)
    targets = list(target_modules) if target_modules is not None else lora_default_targets(model_key)
    lora_params_check(model_key=model_key, r=r, alpha=ALPHA_RANGE[0], dropout=0.0, target_modules=targets, bias="none")

    meta = _model_meta(model_key)
    arch = _arch(meta)
    lora_dims = [
        dims for name, m in meta.named_modules() if (dims := _linear_dims(m)) is not None and _matches(name, targets)
    ]
    lora_n = lora_formula_count(r, lora_dims)
    del meta

    P, Pq, h, L, a, V = (arch[k] for k in ("params", "linear_params", "hidden", "layers", "heads", "vocab"))
    b, s = batch, seq_len
    scores = 0 if flash_attention else 5 * a * s / h
    per_layer = s * b * h * (34 + scores)  # bytes, 16-bit activations
    if gradient_checkpointing:
        acts = L * 2 * s * b * h + per_layer
        acts_formula = f"L·2·s·b·h + s·b·h·(34{'' if flash_attention else ' + 5·a·s/h'})  (layer inputs kept, one layer recomputed)"
    else:
        acts = L * per_layer
        acts_formula = f"L·s·b·h·(34{'' if flash_attention else ' + 5·a·s/h'})"
    logits = 8 * b * s * V
    activation_rows = [
        {
            "item": "activations (16-bit)",
            "bytes": int(acts),
            "formula": f"{acts_formula} with L={L}, s={s}, b={b}, h={h}, a={a}",
        },
    ]
    if V:
        activation_rows.append(
            {"item": "logits and their gradient (fp32)", "bytes": logits, "formula": f"8·b·s·V = 8·{b}·{s}·{V}"}
        )

    lora_rows = [
        {"item": "LoRA weights (fp32)", "bytes": 4 * lora_n, "formula": f"4 B × {lora_n:,}"},
        {"item": "LoRA gradients (fp32)", "bytes": 4 * lora_n, "formula": f"4 B × {lora_n:,}"},
        {"item": "AdamW states for LoRA (fp32 m and v)", "bytes": 8 * lora_n, "formula": f"8 B × {lora_n:,}"},
    ]
    common = [
        "One GPU, no sharding (ZeRO/FSDP), no CPU offload.",
        "Not counted: the CUDA context and kernels (about 0.5 to 1 GB), allocator fragmentation, temporary buffers.",
        "Activations: Korthikanti et al. 2022 (Reducing Activation Recomputation), per layer s·b·h·(34 + 5·a·s/h) "
        "bytes for a GPT-style block; memory-efficient attention (SDPA/flash) drops the 5·a·s/h term of stored "
        "attention scores. An approximation for SwiGLU MLPs such as Llama's.",
    ]
    methods = [
        {
            "key": "full",
            "label": "Full fine-tuning (bf16 mixed precision, AdamW)",
            "rows": [
                {"item": "weights: fp32 master + bf16 copy", "bytes": 6 * P, "formula": f"(4 + 2) B × {P:,}"},
                {"item": "gradients (fp32)", "bytes": 4 * P, "formula": f"4 B × {P:,}"},
                {"item": "AdamW states (fp32 m and v)", "bytes": 8 * P, "formula": f"8 B × {P:,}"},
                *activation_rows,
            ],
            "assumptions": [
                "18 bytes per parameter before activations (Hugging Face, 'Model training anatomy'): "
                "fp32 master weights 4, bf16 working copy 2, fp32 gradients 4, AdamW momentum and "
                "variance 4 + 4."
            ],
        },
        {
            "key": "lora",
            "label": f"LoRA (r={r}, {', '.join(targets)})",
            "rows": [
                {"item": "frozen base weights (bf16)", "bytes": 2 * P, "formula": f"2 B × {P:,}"},
                *lora_rows,
                *activation_rows,
            ],
            "assumptions": [
                "Frozen weights in bf16 with no gradients and no optimizer states.",
                "LoRA weights, gradients and AdamW states in fp32 (peft keeps adapters in fp32).",
                "Activations as for full fine-tuning: backpropagation still runs through every layer "
                "to reach the earliest adapter.",
            ],
        },
        {
            "key": "qlora",
            "label": f"QLoRA (NF4 base, r={r})",
            "rows": [
                {
                    "item": "linear-layer weights in NF4 (4 bits)",
                    "bytes": int(Pq * NF4_BITS / 8),
                    "formula": f"0.5 B × {Pq:,}",
                },
                {
                    "item": "quantization constants (double quantization)",
                    "bytes": int(Pq * NF4_CONSTANT_BITS / 8),
                    "formula": f"{NF4_CONSTANT_BITS:.3f} bit × {Pq:,}",
                },
                {
                    "item": "other weights in bf16 (embeddings, norms, output head)",
                    "bytes": 2 * (P - Pq),
                    "formula": f"2 B × {P - Pq:,}",
                },
                *lora_rows,
                *activation_rows,
            ],
            "assumptions": [
                "bitsandbytes NF4 with block size 64 and double quantization (QLoRA paper): the fp32 "
                "absmax of each 64 weights is itself quantized to 8 bits in blocks of 256 with one fp32 "
                f"constant each: 8/64 + 32/(64·256) = {NF4_CONSTANT_BITS:.3f} bit per parameter.",
                "Every nn.Linear except the output head is quantized; embeddings and norms stay bf16.",
                "Compute in bf16: a layer's weights are dequantized on the fly (that transient buffer "
                "is not counted); paged optimizers not modelled.",
            ],
        },
    ]
    for method in methods:
        method["total_bytes"] = int(sum(row["bytes"] for row in method["rows"]))
        method["total_gib"] = method["total_bytes"] / GIB
        method["fits"] = [{"gpu": name, "gib": gib, "fits": method["total_bytes"] <= gib * GIB} for name, gib in GPUS]
    return {
        "model": {"key": model_key, "label": lora_model_get(model_key).label, **arch},
        "inputs": {
            "batch": b,
            "seq_len": s,
            "r": r,
            "target_modules": targets,
            "gradient_checkpointing": gradient_checkpointing,
            "flash_attention": flash_attention,
        },
        "lora_params": lora_n,
        "methods": methods,
        "assumptions": common,
    }
