"""One input policy for every page, API call and command, applied once instead of per view.

- Text refuses NUL and control characters (tab, newline and carriage return excepted) and lone surrogates:
  PostgreSQL refuses NUL in text ("DataError") and cannot encode a surrogate, so left alone they become 500s.
- Integers stay in a range every database and every JSON client agrees on (|n| < 2**53) before any query sees them;
  fields with a narrower meaning (a revision, a duration, a page) state their own bounds with the types below.

`InputPolicyMiddleware` applies the text rule to the path, the query string, form fields and JSON bodies, and the
integer rule to numbers in the query string, form fields and URL arguments; commands call `text_problem` directly.
"""

import json
import re
from typing import Annotated

from django import forms
from django.http import Http404, JsonResponse
from django.shortcuts import render
from ninja import Field
from ninja.pagination import PageNumberPagination

from quizsite.text_policy import CONTROL, TEXT_PATTERN, InputProblem, text_problem

INT_MAX = 2**53 - 1  # JavaScript's largest exact integer; every id, count and revision here is far below it
ID_MAX = INT_MAX
PAGE_MAX = 100_000
TEXT_MAX = 10_000  # an answer or a prompt; longer fields are capped by their own rules
SLUG_MAX = 100
JSON_BODY_MAX = 2 * 1024 * 1024  # bodies larger than this are not walked (below DATA_UPLOAD_MAX_MEMORY_SIZE)

_INTEGER = re.compile(r"^\s*[-+]?\d+\s*$")

MESSAGE_INTEGER = "{field}: {value} is out of range (at most {limit} in size)."
MESSAGE_CONTROL_SHORT = "Contains a control character ({code}); NUL and control characters are not accepted."


def integer_problem(value: str, *, field: str) -> InputProblem | None:
    if _INTEGER.match(value) and abs(int(value)) > INT_MAX:
        shown = value.strip()
        shown = shown if len(shown) <= 30 else shown[:27] + "..."
        return InputProblem(field, MESSAGE_INTEGER.format(field=field, value=shown, limit=INT_MAX))
    return None


def _value_problem(value: str, *, field: str) -> InputProblem | None:
    return text_problem(value, field=field) or integer_problem(value, field=field)


def _json_problem(data, *, where: str = "body") -> InputProblem | None:
    """Walks a decoded JSON document (keys and strings); numbers are checked by each endpoint's schema."""
    if isinstance(data, str):
        return text_problem(data, field=where)
    if isinstance(data, dict):
        for key, value in data.items():
            name = f"{where}.{key}" if where != "body" else str(key)
            problem = text_problem(key, field=f"{where} key") or _json_problem(value, where=name)
            if problem:
                return problem
    if isinstance(data, list):
        for index, value in enumerate(data):
            if problem := _json_problem(value, where=f"{where}[{index}]"):
                return problem
    return None


def request_problem(request) -> InputProblem | None:
    """The first value of the request that breaks the policy, or None."""
    if problem := text_problem(request.path, field="path"):
        return problem
    for key, values in request.GET.lists():
        for value in [key, *values]:
            if problem := _value_problem(value, field=key[:50]):
                return problem
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    content_type = request.content_type or ""
    size = int(request.META.get("CONTENT_LENGTH") or 0)
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        if size > JSON_BODY_MAX:
            return None  # an upload: read by its view (and bounded by Django's upload limits)
        request.body  # noqa: B018 - cached first, so the view (a django-ninja one too) can still read the raw body
        for key, values in request.POST.lists():
            for value in [key, *values]:
                if problem := _value_problem(value, field=key[:50]):
                    return problem
    elif content_type.endswith("json") and 0 < size <= JSON_BODY_MAX:
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            return None  # malformed JSON is the endpoint's to refuse (422 with its own message)
        return _json_problem(data)
    return None


class InputPolicyMiddleware:
    """400 with a message naming the field for text with control characters or a number out of range; 404 for an
    id in the URL that no row can have. Placed before CSRF and sessions: nothing of the request is used first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = request_problem(request)
        if problem is not None:
            return input_refused(request, problem)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        for value in [*view_args, *view_kwargs.values()]:
            too_big = isinstance(value, int) and not -INT_MAX <= value <= INT_MAX
            too_big |= isinstance(value, str) and value.isdigit() and len(value) > 15 and int(value) > INT_MAX
            if too_big:
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": "Not Found"}, status=404)
                raise Http404("No such item.")
        return None


def input_refused(request, problem: InputProblem):
    """JSON for the API and for a script's request (fetch: not a navigation), a page for a form sent by a browser."""
    navigation = request.headers.get("Sec-Fetch-Mode", "navigate") == "navigate"
    if request.path.startswith("/api/") or "json" in request.headers.get("Accept", "") or not navigation:
        # "param" as the demos API names a refused parameter; "error" as the page scripts read a refusal
        body = {"detail": problem.message, "param": problem.field, "error": problem.message}
        return JsonResponse(body, status=400)
    return render(request, "input_refused.html", {"problem": problem}, status=400)


# --- Bounded types: forms -------------------------------------------------------------------------------------


def text_validate(value: str) -> None:
    """A Django validator for the same rule (a form error where a form is the caller's only way to speak)."""
    if value and (problem := CONTROL.search(value)):
        raise forms.ValidationError(MESSAGE_CONTROL_SHORT.format(code=f"U+{ord(problem.group()):04X}"))


class BoundedIntegerField(forms.IntegerField):
    """An IntegerField that always has a range: 0..INT_MAX unless the field says otherwise."""

    def __init__(self, *, min_value: int = 0, max_value: int = INT_MAX, **kwargs):
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)


# --- Bounded types: API schemas (django-ninja / pydantic; the bounds appear in /api/openapi.json) ------------

Id = Annotated[int, Field(ge=1, le=ID_MAX)]
Text = Annotated[str, Field(max_length=TEXT_MAX, pattern=TEXT_PATTERN)]
ShortText = Annotated[str, Field(max_length=200, pattern=TEXT_PATTERN)]
Slug = Annotated[str, Field(max_length=SLUG_MAX, pattern=r"^[-a-zA-Z0-9_]*$")]


class BoundedPageNumberPagination(PageNumberPagination):
    """Django-ninja's page-number pagination with the page number bounded (an OFFSET past 2**63 is a 500)."""

    class Input(PageNumberPagination.Input):
        page: int = Field(1, ge=1, le=PAGE_MAX)
        page_size: int | None = Field(None, ge=1, le=100)
