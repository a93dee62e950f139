"""Silence library messages that tell a user nothing, at their source, before torch, torchao or transformers load.

Each was seen on every command that loads a model on this CPU-only setup:
- torchao: "Failed to load .../_C_*.so" (kernels built for CUDA / another Python), "Detected no triton";
- torch: "<enum ...> is an Enum subclass ... register_constant()" (torchao registering its enums);
- transformers: the "Loading weights" progress bar of every from_pretrained, and the FutureWarning peft triggers
  (`is_gradient_checkpointing` is deprecated) on every LoRA wrap.
Only these messages are dropped; every other warning of these loggers still shows.
"""

import logging
import os
import warnings

NOISE = {
    "torchao": ("Failed to load ",),
    "torchao.kernel.intmm": ("Warning: Detected no triton",),
    "torch.utils._pytree": ("%s is an Enum subclass",),
}


class _DropPrefixes(logging.Filter):
    def __init__(self, prefixes: tuple[str, ...]):
        super().__init__()
        self.prefixes = prefixes

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(self.prefixes)


def library_noise_filter() -> None:
    """Idempotent: a filter is added to each noisy logger once."""
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # transformers reads it when it loads
    warnings.filterwarnings("ignore", message="`is_gradient_checkpointing` is deprecated", category=FutureWarning)
    for name, prefixes in NOISE.items():
        logger = logging.getLogger(name)
        if not any(isinstance(f, _DropPrefixes) for f in logger.filters):
            logger.addFilter(_DropPrefixes(prefixes))
