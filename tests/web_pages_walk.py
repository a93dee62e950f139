"""Run by tests/test_web_no_torch.py in a fresh process, as a web worker would be: every page of the site with a
logged-in learner (and the admin's), the forms that start work posted; prints which heavy modules got imported.

The database is the test's (DATABASE_URL); the bank is loaded and one user exists (username and password argv)."""

import json
import re
import sys
from urllib.parse import parse_qs

from quizsite.environment import environment_prepare

environment_prepare()

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import URLResolver, get_resolver  # noqa: E402

setup_test_environment()
username, password = sys.argv[1], sys.argv[2]
client = Client()
# the login throttle (django-axes) needs a request to authenticate, so log the user in directly
from django.contrib.auth import get_user_model  # noqa: E402

client.force_login(get_user_model().objects.get(username=username))
statuses: dict[str, int] = {}


def hit(method: str, path: str, data=None, **extra) -> str:
    response = getattr(client, method)(path, data or {}, **extra)
    statuses[f"{method.upper()} {path}"] = response.status_code
    return response.content.decode(errors="replace") if hasattr(response, "content") else ""


def patterns(resolvers, prefix=""):
    for pattern in resolvers:
        if isinstance(pattern, URLResolver):
            yield from patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


# the flows that start work: a quiz, an interview (finished: its grading is queued), a demo run of every kind
from demos.kinds import KINDS  # noqa: E402
from quiz.bank.models import Card  # noqa: E402

hit("post", "/quiz/", {"length": 5, "feedback": "immediate", "difficulty": ""})
hit("post", "/interview/", {"questions": 2, "minutes": 5, "mix": "balanced"})
for slug in KINDS:
    hit("get", f"/demos/{slug}/")
    defaults = parse_qs(KINDS[slug].query_string(KINDS[slug].validate({})))
    hit("post", f"/demos/{slug}/run", defaults)
hit("post", "/study/settings/optimize/", {})

from demos.models import DemoRun  # noqa: E402
from quiz.exams.models import Interview, Quiz  # noqa: E402

samples = {
    "slug": Card.objects.values_list("slug", flat=True).first(),
    "card_id": Card.objects.values_list("pk", flat=True).first(),
    "quiz_id": Quiz.objects.values_list("pk", flat=True).first() or 1,
    "interview_id": Interview.objects.values_list("pk", flat=True).first() or 1,
    "run_id": DemoRun.objects.values_list("pk", flat=True).first(),
    "number": 1,
    "action": "suspend",
    "kind": "csv",
}
if samples["interview_id"]:
    hit("post", f"/interview/{samples['interview_id']}/q/1/", {"text": "Attention weighs the values by softmax."})
    hit("post", f"/interview/{samples['interview_id']}/finish/", {})
for pattern in patterns(get_resolver().url_patterns):
    if pattern.startswith("admin") or pattern.endswith(("logout/", "cancel")):
        continue
    path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(samples.get(m.group(1), "x")), pattern.lstrip("^"))
    hit("get", path)
    hit("get", path, HTTP_HX_REQUEST="true")
for model in ("bank/card", "bank/topic", "exams/interview", "demos/demorun", "study/studycard"):
    hit("get", f"/admin/{model}/")

heavy = sorted(name for name in ("torch", "transformers", "sentence_transformers", "peft") if name in sys.modules)
print(
    json.dumps(
        {
            "heavy": heavy,
            "pages": len(statuses),
            "errors": [k for k, v in statuses.items() if v >= 500],
            "starts": {k: v for k, v in statuses.items() if k.startswith("POST")},
        }
    )
)
