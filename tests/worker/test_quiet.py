"""worker/quiet.py: loading torch, torchao and a model prints none of the library noise a user cannot act on.

One subprocess (a fresh interpreter, since the noise is printed once per process at import): ~10 s.
"""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NOISE = ("Failed to load", "Detected no triton", "register_constant", "Loading weights", "is_gradient_checkpointing")


def test_a_model_load_torchao_and_a_lora_wrap_print_no_library_noise():
    code = ("import logging; logging.basicConfig(level=logging.INFO); "
            "from worker.modelhub import encoder_load; encoder_load(); "
            "import worker.quantization; from torchao.quantization import quantize_; "
            "from worker.lora import lora_report; lora_report(model_key='llama-2-7b'); print('loaded')")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "loaded"
    assert [line for line in out.stderr.splitlines() if any(noise in line for noise in NOISE)] == []
