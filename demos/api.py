"""JSON API for demo runs: start one (session auth + CSRF), read one by its id (anyone holding the link)."""

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from demos.models import DemoRun
from demos.params import DemoParamError
from demos.services import DemoThrottled, demo_run_reap_if_stuck, demo_run_start
from quizsite.input_policy import Slug

router = Router(tags=["demos"])


class RunIn(Schema):
    kind: Slug
    # checked by the kind, so a wrong type is a 400 naming "params", like any other bound; the document states the shape
    params: Any = Field(None, json_schema_extra={"type": "object", "maxProperties": 20})
    force: bool = False


class RunSummaryOut(Schema):
    id: UUID
    kind: str
    params: dict
    status: DemoRun.Status
    progress: int
    progress_label: str
    error: str
    device: str
    queued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    url: str

    @staticmethod
    def resolve_url(run: DemoRun) -> str:
        return run.get_absolute_url()


class RunOut(RunSummaryOut):
    result: dict | None  # attention maps can be megabytes: only here, not in the POST answer


class ParamErrorOut(Schema):
    param: str = ""  # empty when the body itself could not be read
    detail: str


class ThrottledOut(Schema):
    detail: str
    retry_after: int


@router.post("/runs", response={200: RunSummaryOut, 202: RunSummaryOut, 400: ParamErrorOut, 429: ThrottledOut})
def run_create(request, payload: RunIn, response: HttpResponse):
    """Start a run: 202 while it is queued or running, 200 when a finished run with the same input is in the cache
    (`force` skips the cache), 400 naming the bad parameter, 429 with a Retry-After header.
    The answer has no result: GET /runs/{id} has it once the status is "done"."""
    try:
        run = demo_run_start(user=request.user, kind=payload.kind, params=payload.params or {}, force=payload.force)
    except DemoParamError as error:
        return 400, {"param": error.param, "detail": error.detail}
    except DemoThrottled as throttled:
        response["Retry-After"] = str(throttled.retry_after)
        return 429, {"detail": throttled.message, "retry_after": throttled.retry_after}
    return (200 if run.status == DemoRun.Status.DONE else 202), run


@router.get("/runs/{run_id}", response=RunOut, auth=None)
def run_detail(request, run_id: UUID):
    """One run by its id; the id is the permanent link, so anyone who has it may read the run."""
    return demo_run_reap_if_stuck(run=get_object_or_404(DemoRun, pk=run_id))
