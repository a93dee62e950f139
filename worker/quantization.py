"""The worker's LM in several precisions and quantizations, measured side by side on the worker's device.

Every variant starts from its own deep copy of the fp32 model, so variants cannot interfere. Per variant:
time to prepare, bytes of the weights, prefill latency, decode tokens/s, perplexity on worker/data/eval_text.txt,
and agreement of its greedy tokens with the fp32 baseline's. A variant that cannot run here (no CUDA, library
missing, kernel not built) is reported as {"available": False, "reason": ...}; nothing in here raises for it.

Linear layers inside the transformer blocks are quantized; the tied embedding / output head stays in the base
dtype (bitsandbytes' default too: quantizing a tied lm_head would also untie it from the embedding).
"""

import copy
import gc
import importlib.metadata
import importlib.util
import io
import math
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch

from worker.catalog import QUANT_BASELINE, QUANT_VARIANTS
from worker.kvcache import greedy_timed, prompt_ids

EVAL_TEXT_PATH = Path(__file__).resolve().parent / "data" / "eval_text.txt"
BASELINE = QUANT_BASELINE
ERR_NO_CUDA = "needs CUDA; this worker runs on {device}"
ERR_CPU_ONLY = "CPU-only kernel (fbgemm/oneDNN); this worker runs on {device}"
ERR_NOT_INSTALLED = "{package} is not installed"
ERR_CAPABILITY = "needs compute capability {need}+; this GPU has {have}"

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Variant:
    key: str  # one of worker.catalog.QUANT_VARIANTS, which holds its label
    method: str  # what is done to the weights, shown on the page
    devices: tuple[str, ...]  # device types it can run on
    build: Callable  # (fresh fp32 copy on the device: () -> model, device) -> model
    needs: tuple[str, ...] = ()  # packages that must be importable
    min_capability: tuple[int, int] | None = None  # CUDA compute capability

    @property
    def label(self) -> str:
        return QUANT_VARIANTS.get(self.key, self.key)


def _blocks_only(module: torch.nn.Module, fqn: str) -> bool:
    """torchao filter: Linear layers of the transformer blocks, not the (tied) output head."""
    return isinstance(module, torch.nn.Linear) and not fqn.endswith("lm_head")


def _cast(dtype):
    return lambda fresh, device: fresh().to(dtype)


def _torchao(config_factory, dtype=torch.float32):
    def build(fresh, device):
        from torchao.quantization import quantize_

        model = fresh().to(dtype)
        quantize_(model, config_factory(), filter_fn=_blocks_only)
        return model

    return build


def _int8_dynamic():
    from torchao.quantization import Int8DynamicActivationInt8WeightConfig

    return Int8DynamicActivationInt8WeightConfig()


def _int8_weight_only():
    from torchao.quantization import Int8WeightOnlyConfig

    return Int8WeightOnlyConfig()


def _int4_weight_only():
    from torchao.quantization import Int4WeightOnlyConfig

    return Int4WeightOnlyConfig(group_size=64)  # 576 (SmolLM2's width) is not a multiple of the default 128


def _int4_tinygemm():
    from torchao.quantization import Int4WeightOnlyConfig

    return Int4WeightOnlyConfig(group_size=64, int4_packing_format="tile_packed_to_4d")


def _int4_cpu():
    from torchao.prototype.quantization.int4.inference_workflow import PrototypeInt4WeightOnlyConfig

    return PrototypeInt4WeightOnlyConfig(group_size=64)


def _legacy_dynamic(fresh, device):
    model = fresh()
    qconfig = torch.ao.quantization.per_channel_dynamic_qconfig
    spec = {name: qconfig for name, module in model.named_modules() if _blocks_only(module, name)}
    return torch.ao.quantization.quantize_dynamic(model, spec, dtype=torch.qint8)


def _bnb(**quant_kwargs):
    def build(fresh, device):
        from transformers import AutoModelForCausalLM, BitsAndBytesConfig

        from worker import modelhub

        return AutoModelForCausalLM.from_pretrained(
            modelhub_path(modelhub.lm_spec()),
            quantization_config=BitsAndBytesConfig(**quant_kwargs),
            device_map={"": device.index or 0},
            dtype=torch.bfloat16,
        ).eval()

    return build


VARIANTS: tuple[Variant, ...] = (
    Variant("fp32", "baseline: 4 bytes per weight", ("cpu", "cuda"), _cast(torch.float32)),
    Variant("bf16", "cast every weight to bfloat16", ("cpu", "cuda"), _cast(torch.bfloat16)),
    Variant("fp16", "cast every weight to float16", ("cuda",), _cast(torch.float16)),
    Variant(
        "ao-int8-dynamic",
        "torchao quantize_ Int8DynamicActivationInt8WeightConfig: int8 weights per channel, activations "
        "quantized per token at run time",
        ("cpu", "cuda"),
        _torchao(_int8_dynamic),
    ),
    Variant(
        "legacy-int8-dynamic",
        "torch.ao.quantization.quantize_dynamic, per-channel int8 weights, activations quantized with one scale "
        "per call (fbgemm/oneDNN kernels; deprecated in favour of torchao)",
        ("cpu",),
        _legacy_dynamic,
    ),
    Variant(
        "ao-int8-weight-only",
        "torchao Int8WeightOnlyConfig: int8 weights per channel, fp32 activations",
        ("cpu", "cuda"),
        _torchao(_int8_weight_only),
    ),
    Variant(
        "ao-int4-weight-only",
        "torchao Int4WeightOnlyConfig, group 64, default packing, bf16 activations",
        ("cpu", "cuda"),
        _torchao(_int4_weight_only, torch.bfloat16),
    ),
    Variant(
        "ao-int4-cpu",
        "torchao PrototypeInt4WeightOnlyConfig (Int4OpaqueTensor, _weight_int4pack_mm_for_cpu), group 64, "
        "bf16 activations",
        ("cpu",),
        _torchao(_int4_cpu, torch.bfloat16),
    ),
    Variant(
        "ao-int4-tinygemm",
        "torchao Int4WeightOnlyConfig, tile_packed_to_4d (tinygemm CUDA kernel), group 64, bf16 activations",
        ("cuda",),
        _torchao(_int4_tinygemm, torch.bfloat16),
    ),
    Variant(
        "bnb-int8",
        "bitsandbytes load_in_8bit: int8 weights, outlier features kept in 16 bits",
        ("cuda",),
        _bnb(load_in_8bit=True),
        needs=("bitsandbytes",),
        min_capability=(7, 5),
    ),
    Variant(
        "bnb-nf4",
        "bitsandbytes load_in_4bit NF4, double quantization, bf16 compute",
        ("cuda",),
        _bnb(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=torch.bfloat16,
        ),
        needs=("bitsandbytes",),
        min_capability=(6, 0),
    ),
)


def modelhub_path(spec) -> str:
    """The folder from_pretrained reads: the safetensors cache for a converted GGUF, else the spec's path."""
    from worker import modelhub

    if spec.gguf_file:
        modelhub.gguf_convert(spec)
        return spec.cache_dir
    return spec.path


def _dotted(version: tuple[int, int]) -> str:
    return ".".join(map(str, version))


def variant_unavailable(variant: Variant, device: torch.device) -> str | None:
    """Why a variant cannot run on this device, checked before trying; None when it may."""
    reasons = []
    if device.type not in variant.devices:
        template = ERR_CPU_ONLY if variant.devices == ("cpu",) else ERR_NO_CUDA
        reasons.append(template.format(device=device.type))
    reasons += [ERR_NOT_INSTALLED.format(package=p) for p in variant.needs if importlib.util.find_spec(p) is None]
    if variant.min_capability and device.type == "cuda":
        have = torch.cuda.get_device_capability(device)
        if have < variant.min_capability:
            reasons.append(ERR_CAPABILITY.format(need=_dotted(variant.min_capability), have=_dotted(have)))
    return "; ".join(reasons) or None


class _ByteCounter(io.RawIOBase):
    """A write-only file that only counts, so serializing 500 MB of weights allocates nothing."""

    def __init__(self):
        self.n = 0

    def writable(self):
        return True

    def write(self, data):
        self.n += len(data)
        return len(data)


def weight_bytes(model: torch.nn.Module) -> int:
    """Bytes of the weights as torch.save writes them: quantized payloads and their scales, tied weights once.

    Serializing is what counts torchao tensor subclasses (int data + scales inside one Parameter) and
    torch.ao's packed params (not Parameters at all) correctly; plain `numel × element_size` would not.
    """
    counter = _ByteCounter()
    try:
        torch.save(model.state_dict(), counter)
        return counter.n
    except Exception:
        if hasattr(model, "get_memory_footprint"):
            return int(model.get_memory_footprint())
        raise


@torch.inference_mode()
def perplexity(model, tokenizer, text: str, device: torch.device) -> float:
    """exp(mean negative log-likelihood) of the text's tokens, one forward pass."""
    ids = tokenizer(text, return_tensors="pt").input_ids.to(device)  # (1, T)
    loss = model(input_ids=ids, labels=ids, use_cache=False).loss
    return math.exp(float(loss))


def _versions() -> dict:
    out = {}
    for package in ("torch", "transformers", "torchao", "peft", "accelerate", "bitsandbytes"):
        try:
            out[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            out[package] = "not installed"
    return out


def _device_info(device: torch.device) -> dict:
    if device.type == "cuda":
        name = torch.cuda.get_device_name(device)
        extra = {"capability": _dotted(torch.cuda.get_device_capability(device))}
    else:
        name = platform.processor() or platform.machine()
        try:
            name = next(
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            )
        except (OSError, StopIteration):
            pass
        extra = {"quantized_engine": torch.backends.quantized.engine}
    return {"device": str(device), "name": name, "threads": torch.get_num_threads(), **extra}


def _base_fp32(model, device: torch.device):
    """The fp32 model on the CPU to copy from: the worker's own when it is fp32, else a fresh fp32 load."""
    if next(model.parameters()).dtype == torch.float32 and device.type == "cpu":
        return model
    from transformers import AutoModelForCausalLM

    from worker import modelhub

    return AutoModelForCausalLM.from_pretrained(modelhub_path(modelhub.lm_spec()), dtype=torch.float32).eval()


def quantization_compare(
    *,
    text: str | None = None,
    max_new_tokens: int = 32,
    runs: int = 3,
    progress: Progress | None = None,
    variants: tuple[str, ...] | None = None,
    eval_text: str | None = None,
) -> dict:
    """Measure every variant on the worker's device; the fp32 baseline always runs first.

    text: the prompt to generate from (the instruct model's chat template is applied).
    variants: keys to run (default all); unavailable ones are still listed with their reason.
    Returns {"device", "versions", "settings", "baseline", "variants": [per-variant dict], "notes"}.
    """
    from worker import modelhub

    model, tokenizer = modelhub.lm_load()
    device = modelhub.device_get()
    chosen = [v for v in VARIANTS if variants is None or v.key in variants or v.key == BASELINE]
    eval_text = eval_text or EVAL_TEXT_PATH.read_text()
    ids = prompt_ids(tokenizer, text, device)  # (1, T)
    base = _base_fp32(model, device)
    report = progress or (lambda done, total, message, partial=None: None)

    def fresh():
        return copy.deepcopy(base).to(device)

    torch.manual_seed(0)
    results, tokens = [], {}
    settings = {
        "max_new_tokens": max_new_tokens,
        "runs": runs,
        "prompt_tokens": ids.shape[1],
        "eval_tokens": len(tokenizer(eval_text).input_ids),
        "prompt": text or "(default prompt)",
    }
    for i, variant in enumerate(chosen):
        report(i, len(chosen), f"{variant.label}: preparing")
        row = {"key": variant.key, "label": variant.label, "method": variant.method}
        reason = variant_unavailable(variant, device)
        if reason:
            results.append({**row, "available": False, "reason": reason})
            continue
        qmodel = None
        try:
            t0 = time.perf_counter()
            qmodel = variant.build(fresh, device)
            prepare_s = time.perf_counter() - t0
            report(i, len(chosen), f"{variant.label}: measuring")
            measured, tokens[variant.key] = _measure(qmodel, tokenizer, ids, max_new_tokens, runs, device)
            row.update(measured)
            row.update(available=True, prepare_s=prepare_s, ppl=None)
            # speed and size first (the page shows the row now), then the perplexity pass
            report(i, len(chosen), f"{variant.label}: perplexity",
                   partial=_summary([*results, row], tokens, device, settings, runs, max_new_tokens))  # fmt: skip
            row["ppl"] = perplexity(qmodel, tokenizer, eval_text, device)
        except Exception as exc:  # a variant that fails is a result to show, not a crash
            row = {**row, "available": False, "reason": f"{type(exc).__name__}: {exc}"[:400]}
        finally:
            del qmodel
            gc.collect()
            if device.type == "cuda":
                torch.cuda.empty_cache()
        results.append(row)
        # the table so far, in the final result's shape: the page shows each row as soon as it is measured
        report(i + 1, len(chosen), f"{variant.label}: done",
               partial=_summary(results, tokens, device, settings, runs, max_new_tokens))  # fmt: skip
    report(len(chosen), len(chosen), "done")
    return _summary(results, tokens, device, settings, runs, max_new_tokens)


def _summary(results: list[dict], tokens: dict, device, settings: dict, runs: int, max_new_tokens: int) -> dict:
    """The result: every row compared with the fp32 baseline (rows are copied: a partial result is stored aside)."""
    results = [dict(row) for row in results]
    baseline = next((row for row in results if row["key"] == BASELINE and row.get("available")), None)
    for row in results:
        if row["available"] and baseline:
            row["speedup"] = row["decode_tps"] / baseline["decode_tps"]
            row["size_ratio"] = row["weight_bytes"] / baseline["weight_bytes"]
            if row["ppl"] is not None and baseline["ppl"] is not None:  # None: still being measured
                row["ppl_delta"] = row["ppl"] - baseline["ppl"]
                row["ppl_delta_pct"] = 100 * row["ppl_delta"] / baseline["ppl"]
            same = [a == b for a, b in zip(tokens[row["key"]], tokens[BASELINE], strict=True)]
            row["agreement"] = sum(same) / len(same)
            row["first_divergence"] = same.index(False) if False in same else None

    return {
        "device": _device_info(device),
        "versions": _versions(),
        "settings": settings,
        "baseline": BASELINE,
        "variants": results,
        "notes": [
            "Each variant is a deep copy of the fp32 model, converted, then measured: one warm-up, then "
            f"{runs} timed greedy runs of {max_new_tokens} tokens (medians shown).",
            "Prefill: the forward pass over the whole prompt. Decode: tokens per second for the steps after it.",
            "Weights: bytes torch.save writes for the state dict (quantized data plus scales; tied weights once).",
            "Perplexity on a fixed ~380-token text about transformers; agreement: share of positions where the "
            "variant's greedy token equals the fp32 baseline's.",
            "The tied embedding/output head stays unquantized in every variant.",
            "torch.ao's dynamic quantization picks one activation scale for the whole input of a layer: one token "
            "per decoding step is fine, but the perplexity pass feeds the whole text at once and outlier features "
            "squeeze every other token's range (on the 2-core dev CPU, SmolLM2: perplexity 122 in one pass, "
            "41.8 fed token by token).",
            "Batch-1 decoding is bound by memory bandwidth: weight-only quantization helps it; quantizing "
            "activations on the fly costs time and often does not.",
        ],
    }


def _measure(model, tokenizer, ids, max_new_tokens: int, runs: int, device) -> tuple[dict, list]:
    """The measured speed and size of one variant, and its greedy tokens (for the agreement with the baseline);
    its perplexity is measured after (the caller shows these first)."""
    greedy_timed(model, ids, 2)  # warm-up
    timed = [greedy_timed(model, ids, max_new_tokens) for _ in range(max(1, runs))]
    tokens = timed[-1].tokens
    eos = tokenizer.eos_token_id
    shown = tokens[: tokens.index(eos)] if eos in tokens else tokens
    wbytes = weight_bytes(model)
    return {
        "weight_bytes": wbytes,
        "weight_mb": wbytes / 1e6,
        "prefill_ms": 1000 * statistics.median(g.prefill_s for g in timed),
        "decode_tps": statistics.median(g.decode_tps for g in timed),
        "decode_tps_runs": [g.decode_tps for g in timed],
        "sample": tokenizer.decode(shown, skip_special_tokens=True),
    }, tokens
