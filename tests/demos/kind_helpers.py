"""Shared by the tests of the demo kinds: a finished run stored as the worker would store it."""

from django.utils import timezone

from demos import services
from demos.models import DemoRun

RUNS = "/api/demos/runs"


def run_done(user, kind: str, params: dict, result: dict) -> DemoRun:
    run = services.demo_run_start(user=user, kind=kind, params=params)
    DemoRun.objects.filter(pk=run.pk).update(status=DemoRun.Status.DONE, result=result, finished_at=timezone.now())
    return DemoRun.objects.get(pk=run.pk)
