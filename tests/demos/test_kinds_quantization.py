"""The quantization demo kind (demos/kinds/quantization.py): bounds refused by name, the variants from the
catalog, the result page (from a stored real run, tests/demos/data/)."""

import json
from pathlib import Path

import pytest
from django.utils.html import escape

from demos.kinds.quantization import QUANT_VARIANT_CHOICES
from demos.models import DemoRun
from demos.params import ERR_INT_RANGE, ERR_TEXT_LENGTH
from tests.demos.kind_helpers import RUNS, run_done

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parent / "data"

OUT_OF_BOUNDS = [
    ("quantization", {"max_new_tokens": 3}, "max_new_tokens", ERR_INT_RANGE.format(low=4, high=64)),
    ("quantization", {"runs": 6}, "runs", ERR_INT_RANGE.format(low=1, high=5)),
    ("quantization", {"prompt": "x" * 501}, "prompt", ERR_TEXT_LENGTH.format(max=500)),
    ("quantization", {"variants": ["fp8"]}, "variants", None),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "params", "param", "message"), OUT_OF_BOUNDS)
def test_api_refuses_out_of_bounds_with_400_naming_the_param(user_client, kind, params, param, message):
    response = user_client.post(RUNS, {"kind": kind, "params": params}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["param"] == param
    if message:
        assert response.json()["detail"] == f"{param} {message}"
    assert not DemoRun.objects.exists()


def test_declared_quantization_variants_equal_the_workers():
    from worker import quantization

    assert QUANT_VARIANT_CHOICES == tuple((v.key, v.label) for v in quantization.VARIANTS)


def test_quantization_result_shows_table_charts_and_the_unavailable_with_reasons(client, user):
    result = json.loads((DATA / "quantization_result.json").read_text())
    run = run_done(user, "quantization", {"max_new_tokens": 8, "runs": 1}, result)
    page = client.get(run.get_absolute_url()).content.decode()
    available = [row for row in result["variants"] if row["available"]]
    assert page.count('<th scope="row"') == len(available) and page.count("<svg") == 2
    for row in result["variants"]:
        assert row["label"] in page
        if not row["available"]:
            assert escape(row["reason"]) in page
