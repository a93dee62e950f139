"""XSS corpus through the three ways user text reaches a page: an imported Q&A file, interview answers and demo
prompts. Rendered in a real Chromium with the CSP bypassed (so escaping itself is tested, not only the policy);
a listener fails the test on any script execution (window.__xss, a dialog) or a javascript: link in the page."""

import json
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from demos.models import DemoRun
from quiz.bank.models import Card
from quiz.bank.services.importer.service import qa_import
from quiz.exams.services import interview as interview_svc
from tests.security.conftest import XSS_LISTENER, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOADS = [
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=1">',
    '<svg onload="window.__xss=1"></svg>',
    '"><img src=x onerror=alert(1)>',
    "'><script>alert(2)</script>",
    "[open me](javascript:window.__xss=1)",
    '<a href="javascript:window.__xss=1">open</a>',
    '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
    '<details open ontoggle="window.__xss=1"><summary>x</summary></details>',
    "$<img src=x onerror=alert(3)>$",
    "</textarea><script>window.__xss=1</script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(4)>",
    '<div style="background:url(javascript:alert(5))">x</div>',
    "{{ request.user }}{% debug %}",
]


def check(page, url: str, dialogs: list) -> str:
    page.goto(url)
    page.wait_for_load_state("load")
    page.wait_for_timeout(50)  # onerror / onload handlers run after load
    executed = page.evaluate("window.__xss")
    links = page.locator('a[href^="javascript:" i], iframe[srcdoc]').count()
    return (
        f"{url}: executed={executed} dialogs={dialogs} javascript-links={links}" if executed or dialogs or links else ""
    )


@pytest.fixture
def xss_page(browser, live_server, user):
    context = browser.new_context(bypass_csp=True)
    context.add_init_script(XSS_LISTENER)
    browser_login(context, user, live_server)
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    yield page, dialogs
    context.close()


def test_imported_cards_render_the_corpus_as_text(xss_page, live_server, tmp_path):
    page, dialogs = xss_page
    entries = [{"question": f"Corpus item {n} is {p}", "answer": f"Answer {p}", "details": p, "tags": [p[:20]],
                "topic": "Injected <b>topic</b> <script>window.__xss=1</script>"} for n, p in enumerate(PAYLOADS)]  # fmt: skip
    path = tmp_path / "corpus.json"
    path.write_text(json.dumps(entries))
    qa_import(paths=[path])
    cards = Card.objects.filter(question__startswith="Corpus item ")
    assert cards.count() == len(PAYLOADS)
    urls = [f"{live_server.url}/bank/{card.slug}/" for card in cards]
    urls += [f"{live_server.url}/bank/?q=Corpus", f"{live_server.url}/", f"{live_server.url}/study/"]
    problems = [problem for url in urls if (problem := check(page, url, dialogs))]
    assert not problems, "\n".join(problems)


def test_interview_answers_render_the_corpus_as_text(xss_page, live_server, user, tmp_path):
    page, dialogs = xss_page
    qa = [{"question": f"Plain question {n}?", "answer": "Plain answer."} for n in range(2)]
    (tmp_path / "plain.json").write_text(json.dumps(qa))
    qa_import(paths=[tmp_path / "plain.json"])
    interview = interview_svc.interview_start(user=user, topics=[], questions=2, minutes=30)
    text = "\n".join(PAYLOADS)
    interview_svc.interview_answer_save(interview=interview, position=0, text=text, rev=1)
    problems = [check(page, live_server.url + interview.get_absolute_url(), dialogs)]
    assert page.locator("textarea").input_value() == text  # shown back exactly as typed
    interview_svc.interview_finish(interview=interview)
    problems.append(check(page, live_server.url + reverse("quiz:interview_report", args=[interview.pk]), dialogs))
    problems.append(check(page, live_server.url + reverse("quiz:interview_history"), dialogs))
    assert not any(problems), "\n".join(problems)


def test_demo_prompts_render_the_corpus_as_text(xss_page, live_server, user):
    page, dialogs = xss_page
    problems = []
    for payload in PAYLOADS:
        run = DemoRun.objects.create(kind="attention", params={"text": payload}, params_hash="0" * 64, user=user,
                                     status=DemoRun.Status.FAILED, error=f"The model failed: {payload}")  # fmt: skip
        problems.append(check(page, live_server.url + run.get_absolute_url(), dialogs))
        problems.append(check(page, f"{live_server.url}/demos/attention/?{urlencode({'text': payload})}", dialogs))
    problems.append(check(page, f"{live_server.url}/demos/runs/", dialogs))
    assert not any(problems), "\n".join(p for p in problems if p)


def test_the_listener_catches_a_script_that_runs(xss_page):
    """The canary: the same check on a page that does run the payloads reports them (the tests above are not
    passing because nothing could be seen)."""
    page, dialogs = xss_page
    html = "<script>window.__xss=1</script><img src=x onerror=alert(1)><a href='javascript:void 0'>x</a>"
    assert "executed=1" in check(page, "data:text/html," + html, dialogs)
    assert dialogs == ["1"] and "javascript-links=1" in check(page, "data:text/html," + html, dialogs)
