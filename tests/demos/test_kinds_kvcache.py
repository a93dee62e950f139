"""The kvcache demo kind (demos/kinds/kvcache.py): its bound refused by name, the result page (from a stored real
run, tests/demos/data/)."""

import json
from pathlib import Path

import pytest

from demos.models import DemoRun
from demos.params import ERR_CHOICE
from tests.demos.kind_helpers import RUNS, run_done

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parent / "data"

OUT_OF_BOUNDS = [
    ("kvcache", {"max_length": "1024"}, "max_length", ERR_CHOICE.format(choices="32, 64, 128")),

]  # fmt: skip


@pytest.mark.parametrize(("kind", "params", "param", "message"), OUT_OF_BOUNDS)
def test_api_refuses_out_of_bounds_with_400_naming_the_param(user_client, kind, params, param, message):
    response = user_client.post(RUNS, {"kind": kind, "params": params}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["param"] == param
    if message:
        assert response.json()["detail"] == f"{param} {message}"
    assert not DemoRun.objects.exists()


def test_kvcache_result_draws_both_curves(client, user):
    result = json.loads((DATA / "kvcache_result.json").read_text())
    run = run_done(user, "kvcache", {"max_length": "32"}, result)
    page = client.get(run.get_absolute_url()).content.decode()
    assert page.count("<svg") == 2 and page.count("<polyline") == 4
    assert "without (use_cache=False)" in page
