"""oneDNN-prepacked weights for a CPU model's linear layers, used while a few rows decode together.

Why: multiplying a handful of rows (one per decoding strategy) by a weight matrix is where MKL's fp32 GEMM is
weakest. Measured on a 2-core AMD EPYC (AVX2), 5 rows x a 1536x576 weight: F.linear 500 us, the same product
against the weight reordered once into oneDNN's blocked layout 240 us; the LM head (49,152 x 576) 33 ms vs 7 ms.
This is the reorder torch.compile's freezing pass applies (`mkldnn._reorder_linear_weight`, then
`mkldnn._linear_pointwise`), done here without compiling.

Inside `linears_prepacked(model)` every plain fp32 CPU linear layer of the model multiplies through its packed
weight when its input has more than one row; a single row keeps F.linear (MKL's gemv is as fast there), so
one-row decoding is unchanged. Packed weights are made on first use and kept per module until its weight changes
(new tensor or in-place update): for SmolLM2-135M about as much memory again as the fp32 weights (~0.5 GB) and
0.3-0.4 s, once per worker process. Outside the block, off the CPU, and with the setting DEMO_CPU_PREPACK off,
nothing changes.
"""

import contextlib
import threading
import weakref

import torch
import torch.nn.functional as F

from worker.config import config

_packed: "weakref.WeakKeyDictionary[torch.nn.Linear, tuple]" = weakref.WeakKeyDictionary()
_lock = threading.RLock()


def prepack_available(model: torch.nn.Module) -> bool:
    """Switched on, oneDNN built in, and the model fp32 on the CPU (the only case the packed path is written for)."""
    param = next(model.parameters(), None)
    return (
        config().cpu_prepack
        and param is not None
        and param.device.type == "cpu"
        and param.dtype == torch.float32
        and torch.backends.mkldnn.is_available()
    )


def _packed_weight(linear: torch.nn.Linear) -> torch.Tensor:
    weight = linear.weight
    key = (weight.data_ptr(), weight._version)
    cached = _packed.get(linear)
    if cached is None or cached[0] != key:
        with torch.no_grad():
            cached = _packed[linear] = (key, torch.ops.mkldnn._reorder_linear_weight(weight.detach()))
    return cached[1]


def _forward_packed(linear: torch.nn.Linear, x: torch.Tensor) -> torch.Tensor:
    if x.numel() == x.shape[-1]:  # one row
        return F.linear(x, linear.weight, linear.bias)
    return torch.ops.mkldnn._linear_pointwise(x, _packed_weight(linear), linear.bias, "none", [], "")


def _plain_linears(model: torch.nn.Module) -> list[torch.nn.Linear]:
    # exact type: subclasses (LoRA, quantized layers) compute something else than x @ W^T + b
    return [
        m
        for m in model.modules()
        if type(m) is torch.nn.Linear and type(m.weight) is torch.nn.Parameter and m.weight.dtype == torch.float32
    ]


@contextlib.contextmanager
def linears_prepacked(model: torch.nn.Module):
    """Within the block, the model's linear layers multiply several rows through oneDNN-packed weights."""
    if not prepack_available(model):
        yield model
        return
    with _lock:  # one patcher at a time; a concurrent caller still gets correct products either way
        linears = _plain_linears(model)
        for linear in linears:
            _packed_weight(linear)
            linear.forward = _forward_packed.__get__(linear)  # instance attribute shadows nn.Linear.forward
        try:
            yield model
        finally:
            for linear in linears:
                del linear.forward
