"""Demo pages: the index, one page per kind (form + live run panel), a run's permanent page and fragments, history.

Runs need a login (they cost worker time); a run's page is public to whoever has its unguessable link.
"""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect, HttpResponseStopPolling

from demos.kinds import KINDS, DemoKind
from demos.models import DemoRun
from demos.params import DemoParamError
from demos.selectors import demo_card_list, demo_run_list, demo_run_result_get
from demos.services import (
    DemoThrottled,
    demo_run_cancel,
    demo_run_queue_place,
    demo_run_reap_if_stuck,
    demo_run_start,
    worker_alive,
)

RUNS_PER_PAGE = 20
POLL_SECONDS, POLL_SECONDS_NO_WORKER = 1, 5


def _kind_or_404(slug: str) -> DemoKind:
    if slug not in KINDS:
        raise Http404("No such demo")
    return KINDS[slug]


def _demo_page(request, demo: DemoKind, *, values: dict, status: int = 200, **extra):
    context = {
        "demo": demo,
        "fields": [{"field": field, "value": values[field.name], "text": field.display(values[field.name])}
                   for field in demo.fields],
        "cards": demo_card_list(slug=demo.slug),
        "worker_alive": worker_alive(),
        "login_url": f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}",
        **extra,
    }  # fmt: skip
    return render(request, "demos/demo_detail.html", context, status=status)


def _panel_context(run: DemoRun, query) -> dict:
    alive = True if run.is_finished else worker_alive()
    context = {"run": run, "demo": KINDS.get(run.kind), "worker_alive": alive,
               "poll_seconds": POLL_SECONDS if alive else POLL_SECONDS_NO_WORKER}  # fmt: skip
    if run.status == DemoRun.Status.DONE:
        context.update(_result_context(run, query))
    elif run.status == DemoRun.Status.QUEUED:
        context["place"] = demo_run_queue_place(run=run)
    elif run.status == DemoRun.Status.RUNNING and run.partial:
        context.update(_partial_context(run, query))
    return context


def _partial_context(run: DemoRun, query) -> dict:
    """What a running run has produced so far, shown with its kind's own result template (the kinds that report
    partial results give them the shape of the final one, with fewer rows, columns or tokens)."""
    demo = KINDS.get(run.kind)
    if not demo or not demo.present:
        return {}
    try:
        return {"partial_view": demo.present(run.partial, query), "partial_result": run.partial}
    except (KeyError, IndexError, TypeError, ValueError):  # a partial shape the presenter cannot read yet
        return {}


def _result_context(run: DemoRun, query) -> dict:
    demo = KINDS.get(run.kind)
    if demo and demo.present_parts:  # reads the parts of the result it shows, not all of it
        view = demo.present_parts(lambda *paths: demo_run_result_get(run_id=run.pk, paths=paths), query)
        return {"run": run, "demo": demo, "view": view}
    view = demo.present(run.result, query) if demo and demo.present else {}
    return {"run": run, "demo": demo, "result": run.result, "view": view}


def index(request):
    return render(request, "demos/index.html", {"kinds": KINDS.values(), "worker_alive": worker_alive()})


def demo_detail(request, slug):
    demo = _kind_or_404(slug)
    return _demo_page(request, demo, values=demo.initial(request.GET))


@require_POST
def run_create(request, slug):
    demo = _kind_or_404(slug)
    if not request.user.is_authenticated:
        login = f"{reverse('login')}?{urlencode({'next': reverse('demos:detail', args=[slug])})}"
        return HttpResponseClientRedirect(login) if request.htmx else redirect(login)
    raw = demo.params_from_query(request.POST, submitted=True)
    try:
        run = demo_run_start(user=request.user, kind=slug, params=raw, force=bool(request.POST.get("force")))
    except DemoParamError as error:
        if request.htmx:
            return render(request, "demos/_run_refused.html", {"error": error}, status=400)
        return _demo_page(request, demo, values=demo.initial(request.POST), status=400, error=error)
    except DemoThrottled as throttled:
        if request.htmx:
            response = render(request, "demos/_run_refused.html", {"throttled": throttled}, status=429)
        else:
            response = _demo_page(request, demo, values=demo.initial(request.POST), status=429, throttled=throttled)
        response["Retry-After"] = str(throttled.retry_after)
        return response
    if not request.htmx:
        return redirect(run)
    cached = run.status == DemoRun.Status.DONE
    context = {**_panel_context(run, request.GET), "cached": cached}
    return render(request, "demos/_run_panel.html", context, status=200 if cached else 202)


def run_detail(request, run_id):
    """The permanent page of a run: its parameters, then the live panel (polling until it finishes)."""
    run = demo_run_reap_if_stuck(run=get_object_or_404(DemoRun.objects.defer("result"), pk=run_id))
    demo = KINDS.get(run.kind)
    context = _panel_context(run, request.GET)
    if demo:
        context["rerun_url"] = reverse("demos:detail", args=[run.kind]) + "?" + demo.query_string(run.params)
        context["params"] = [(f.label, f.display(run.params[f.name])) for f in demo.fields if f.name in run.params]
    else:  # a kind no longer registered: its raw parameters
        context["params"] = [(name, str(value)) for name, value in run.params.items()]
    return render(request, "demos/run_detail.html", context)


def run_panel(request, run_id):
    """What the page polls every second: status and progress, then (status 286: stop polling) the result."""
    run = get_object_or_404(DemoRun.objects.defer("result"), pk=run_id)
    run = demo_run_reap_if_stuck(run=run)
    response = render(request, "demos/_run_panel.html", _panel_context(run, request.GET))
    if run.is_finished:
        response.status_code = HttpResponseStopPolling.status_code
    return response


@require_POST
@login_required
def run_cancel(request, run_id):
    """The owner stops a queued or running run; anyone else gets a 404 (as for a run they cannot see)."""
    run = get_object_or_404(DemoRun.objects.defer("result"), pk=run_id, user=request.user)
    run = demo_run_cancel(run=run, user=request.user)
    if request.htmx:
        response = render(request, "demos/_run_panel.html", _panel_context(run, request.GET))
        response.status_code = HttpResponseStopPolling.status_code
        return response
    return redirect(run)


def run_result(request, run_id):
    """The result re-rendered for another layer, head or view: from the stored result, no rerun."""
    run = get_object_or_404(DemoRun.objects.defer("result"), pk=run_id, status=DemoRun.Status.DONE)
    if not request.htmx:
        return redirect(f"{run.get_absolute_url()}?{request.GET.urlencode()}")
    return render(request, "demos/_result.html", _result_context(run, request.GET))


@login_required
def run_history(request):
    page = Paginator(demo_run_list(user=request.user), RUNS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "demos/run_history.html", {"page": page, "kinds": KINDS})
