"""demos/kinds/__init__.py: the kinds in a fixed order, from one tuple; an unknown slug is refused by name."""

import subprocess
import sys
from pathlib import Path

import pytest

from demos.kinds import KINDS, DemoKind, kind_get
from demos.params import DemoParamError

REPO = Path(__file__).resolve().parents[2]


def test_the_demo_index_order_is_the_tuples():
    assert list(KINDS) == ["attention", "decoding", "lora", "quantization", "kvcache"]
    assert all(isinstance(kind, DemoKind) and kind.slug == slug for slug, kind in KINDS.items())


def test_importing_one_kind_module_first_changes_nothing():
    """No registration on import: the order holds whichever module a process imports first."""
    code = ("import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'quizsite.settings'); django.setup(); "
            "import demos.kinds.kvcache; from demos.kinds import KINDS; print(','.join(KINDS))")  # fmt: skip
    env = {"SECRET_KEY": "insecure-test-only-key", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "attention,decoding,lora,quantization,kvcache"


def test_an_unknown_kind_is_refused_naming_the_choices():
    with pytest.raises(DemoParamError) as error:
        kind_get("gpt")
    assert error.value.param == "kind" and "attention, decoding, lora, quantization, kvcache" in str(error.value)
