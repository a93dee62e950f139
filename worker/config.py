"""The worker's settings, handed in by whoever runs the model code (the Django app at start-up; a bench script may
call `configure` itself). Without a call, the defaults: the shipped models, cuda when present, torch's threads.

The model code never reads Django settings itself, so worker/ runs and tests without Django.
"""

import dataclasses
from pathlib import Path

from worker.catalog import SHIPPED_ENCODER, SHIPPED_LM

REPO_DIR = Path(__file__).resolve().parent.parent


@dataclasses.dataclass(frozen=True, kw_only=True)
class WorkerConfig:
    lm: str = SHIPPED_LM  # an alias of a shipped model, a hub id or a local path
    encoder: str = SHIPPED_ENCODER
    device: str = ""  # "" = cuda when available, else cpu
    model_cache_dir: Path = REPO_DIR / "var" / "models"  # where a GGUF is converted to safetensors once
    torch_threads: int = 0  # 0 = torch's default (one per core)
    cpu_prepack: bool = True  # decoding through oneDNN-packed weights on the CPU (worker/packed_linear.py)


_current = WorkerConfig()


def configure(**values) -> WorkerConfig:
    """Replace the named settings (unknown names raise TypeError); returns the new configuration."""
    global _current
    _current = dataclasses.replace(_current, **values)
    return _current


def config() -> WorkerConfig:
    return _current
