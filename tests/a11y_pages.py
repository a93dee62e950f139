"""Every page template in a state worth auditing: the rows behind them (no worker, no model) and the audit helper.

Used by the axe-core test: the bank (with made-up stored vectors, so card pages list related cards), a study history
with reviews and a suspended card, a quiz in progress and a finished one, an interview in progress and a graded one
(graded in-process by the stand-in encoder), and finished demo runs built from stored results
(tests/demos/data/*.json: what the kinds' run functions returned for the parameters given below, lora_result.json
and decoding_result.json by the real code on the small models).
"""

import json
import random
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

SERVER_ERROR_PATH = "/server-error-page/"  # answered by the browser with templates/500.html (see page_routes)
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
DEMO_DATA = Path(__file__).resolve().parent / "demos" / "data"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA, and Deque's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]

# A stored attention result as worker.attention returns it: 4 tokens, 2 layers, 2 heads, causal rows summing to 1.
_CAUSAL = [[1.0, 0.0, 0.0, 0.0], [0.25, 0.75, 0.0, 0.0], [0.2, 0.3, 0.5, 0.0], [0.1, 0.2, 0.3, 0.4]]
ATTENTION_RESULT = {
    "tokens": ["<s>", " the", " cat", " sat"], "n_layers": 2, "n_heads": 2, "causal": True, "truncated": False,
    "attentions": [[_CAUSAL, _CAUSAL], [_CAUSAL, _CAUSAL]], "head_mean": [_CAUSAL, _CAUSAL], "rollout": _CAUSAL,
}  # fmt: skip


@dataclass
class Page:
    name: str
    path: str
    login: bool = False  # only audited logged in
    action: str = ""  # what to do in the page before the audit (see page_prepare)


def pages_build(*, user) -> list[Page]:
    """Rows for every page template; returns the pages to audit, public ones first."""
    from demos import services as demo_services
    from demos.kinds import KINDS
    from demos.models import DemoRun
    from quiz.bank.models import Card
    from quiz.bank.services.bank import bank_load
    from quiz.exams.services import interview as interview_svc
    from quiz.exams.services.interview_report import interview_grade_run
    from quiz.exams.services.quiz import quiz_answer, quiz_create
    from quiz.study.services.study import card_review, card_suspend
    from tests.quiz.bank_helpers import vectors_store_by_topic
    from tests.quiz.exam_helpers import bow_embed

    bank_load()
    vectors_store_by_topic()
    card = Card.objects.exclude(details="").exclude(demo_slug="").order_by("pk").first() or Card.objects.first()

    # A study history over a few days: the calendar, retention and forecast charts have data.
    now = timezone.now()
    cards = list(Card.objects.order_by("pk")[:8])
    for day, study_card in enumerate(cards[:6]):
        for rating in (1 + day % 4, 3):
            card_review(user=user, card_id=study_card.pk, rating=rating, review_id=uuid.uuid4(),
                        duration_ms=4000, now=now - timedelta(days=6 - day))  # fmt: skip
    card_suspend(user=user, card_id=cards[6].pk)

    rng = random.Random(7)
    quiz_open = quiz_create(user=user, topics=[], difficulty=None, length=3, rng=rng, quiz_format="mcq")
    quiz_done = quiz_create(user=user, topics=[], difficulty=None, length=3, rng=rng, quiz_format="mcq")
    quiz_truefalse = quiz_create(user=user, topics=[], difficulty=None, length=3, rng=rng, quiz_format="truefalse")
    quiz_typed = quiz_create(user=user, topics=[], difficulty=None, length=3, rng=rng, quiz_format="typed")
    quiz_match = quiz_create(user=user, topics=[], difficulty=None, length=6, rng=rng, quiz_format="match")
    for question in quiz_done.questions.order_by("position"):
        choice = question.correct_index if question.position else (question.correct_index + 1) % 4
        quiz_answer(quiz=quiz_done, position=question.position, choice=choice)

    interview_open = interview_svc.interview_start(user=user, topics=[], questions=2, minutes=10, rng=rng)
    graded = interview_svc.interview_start(user=user, topics=[], questions=2, minutes=10, rng=rng)
    first = graded.answers.get(position=0).card
    interview_svc.interview_answer_submit(interview=graded, position=0, text=" ".join(first.key_points))
    interview_svc.interview_answer_submit(interview=graded, position=1, text="Not sure: <b>tokens</b>?")
    interview_svc.interview_finish(interview=graded)
    interview_grade_run(interview_id=graded.pk, embed=bow_embed)
    grading = interview_svc.interview_start(user=user, topics=[], questions=2, minutes=10, rng=rng)
    interview_svc.interview_finish(interview=grading)  # finished, not graded: the report polls its progress

    runs = {}
    for kind, params, result in (
        ("attention", {"text": "the cat sat", "model": "decoder"}, ATTENTION_RESULT),
        ("quantization", {"max_new_tokens": 8, "runs": 1}, json.loads((DEMO_DATA / "quantization_result.json").read_text())),
        ("kvcache", {"max_length": "32"}, json.loads((DEMO_DATA / "kvcache_result.json").read_text())),
        ("lora", {"model": "llama-2-7b"}, json.loads((DEMO_DATA / "lora_result.json").read_text())),
        ("decoding", {"max_new_tokens": 4, "strategies": ["greedy", "top_k"], "prompt": "What is attention?"},
         json.loads((DEMO_DATA / "decoding_result.json").read_text())),
    ):  # fmt: skip
        run = demo_services.demo_run_start(user=user, kind=kind, params=params)
        DemoRun.objects.filter(pk=run.pk).update(status=DemoRun.Status.DONE, result=result, finished_at=now)
        runs[kind] = run.get_absolute_url()
    queued = demo_services.demo_run_start(user=user, kind="attention", params={"text": "still waiting"})
    failed = demo_services.demo_run_start(user=user, kind="attention", params={"text": "did not finish"})
    DemoRun.objects.filter(pk=failed.pk).update(status=DemoRun.Status.FAILED, error=demo_services.ERR_WORKER_LOST,
                                                finished_at=now)  # fmt: skip

    public = [
        Page("home", "/"),
        Page("bank", "/bank/"),
        Page("card", card.get_absolute_url(), action="open-details"),
        Page("demos", "/demos/"),
        *[Page(f"demo-{slug}", f"/demos/{slug}/") for slug in KINDS],
        Page("run-attention", runs["attention"]),
        Page("run-attention-table", runs["attention"] + "?view=head&row=2"),
        Page("run-quantization", runs["quantization"]),
        Page("run-kvcache", runs["kvcache"]),
        Page("run-lora", runs["lora"], action="open-details"),
        Page("run-decoding", runs["decoding"]),
        Page("run-attention-heads", runs["attention"] + "?view=heads"),
        Page("run-queued", queued.get_absolute_url()),
        Page("run-failed", failed.get_absolute_url()),
        Page("login", "/accounts/login/"),
        Page("signup", "/accounts/signup/"),
        Page("404", "/no-such-page/"),
        Page("500", SERVER_ERROR_PATH),
    ]
    return public + [
        Page("study-question", "/study/", login=True), Page("study-answer", "/study/", login=True, action="reveal"),
        Page("study-nothing-due", "/study/?tag=no-such-tag", login=True),
        Page("study-stats", "/study/stats/", login=True), Page("study-settings", "/study/settings/", login=True),
        Page("study-suspended", "/study/suspended/", login=True),
        Page("quiz-start", "/quiz/", login=True), Page("quiz-question", quiz_open.get_absolute_url(), login=True),
        Page("quiz-feedback", quiz_done.get_absolute_url() + "?shown=1", login=True, action="add-to-study"),
        Page("quiz-results", quiz_done.get_absolute_url(), login=True),
        Page("quiz-truefalse", quiz_truefalse.get_absolute_url(), login=True),
        Page("quiz-typed", quiz_typed.get_absolute_url(), login=True),
        Page("quiz-match", quiz_match.get_absolute_url(), login=True),
        Page("interview-start", "/interview/", login=True),
        Page("interview-question", interview_open.get_absolute_url(), login=True),
        Page("interview-report", graded.get_absolute_url(), login=True),
        Page("interview-grading", grading.get_absolute_url(), login=True),
        Page("interview-history", "/interview/history/", login=True),
        Page("demo-runs", "/demos/runs/", login=True),
    ]  # fmt: skip


def page_routes(context, live_server_url: str) -> None:
    """The 500 page as Django's handler renders it (an empty context), served at SERVER_ERROR_PATH."""
    from django.template import loader

    html = loader.get_template("500.html").render()
    context.route(
        f"{live_server_url}{SERVER_ERROR_PATH}",
        lambda route: route.fulfill(status=500, body=html, content_type="text/html; charset=utf-8"),
    )


def page_prepare(page, action: str) -> None:
    """Bring the page into the state to audit: the answer shown with its menus open, details expanded."""
    if action == "reveal":
        page.keyboard.press("Space")
        page.locator("#study-answer").wait_for()
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    elif action == "add-to-study":  # the partial that confirms it
        button = page.get_by_role("button", name="Add to study deck (due now)")
        if button.count():
            button.click()
            page.locator("p.added").wait_for()
    elif action == "open-details":
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")


def axe_run(page) -> list[dict]:
    """axe-core's violations on the page as it stands: rule id, impact, and the first few offending nodes."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", AXE_TAGS
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"]),
         "targets": [(n["target"], n.get("failureSummary", "")[:200]) for n in v["nodes"][:3]]}
        for v in result["violations"]
    ]  # fmt: skip
