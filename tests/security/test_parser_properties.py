"""Property tests of the query and form parsers: the study deck filter (Deck.from_query), the bank's filters and
pagination (page and API), and the input policy itself. Any input: a page, a 400 or a 422, never a 500.

Budgets (fixed seed, hypothesis derandomize): 200 queries for the pure parsers, 60 requests per page."""

from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from django.test import RequestFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quiz.study.models import StudyFlag
from quiz.study.services.queue import Deck
from quizsite.input_policy import INT_MAX, request_problem
from quizsite.text_policy import CONTROL, text_problem

PURE = settings(max_examples=200, derandomize=True, deadline=None, database=None)
WEB = settings(max_examples=60, derandomize=True, deadline=None, database=None,
               suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip

values = st.text(max_size=80) | st.integers().map(str) | st.sampled_from(["1", "2", "3", "", "interview", "-1"])
queries = st.lists(st.tuples(st.sampled_from(["topic", "difficulty", "tag", "flag", "q", "page", "x"]), values),
                   max_size=12)  # fmt: skip


def query_dict(pairs) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in pairs:
        query.appendlist(key, value)
    return query


@PURE
@given(pairs=queries)
def test_deck_from_any_query_is_bounded_and_round_trips(pairs):
    deck = Deck.from_query(query_dict(pairs))
    assert len(deck.topics) <= 20 and len(deck.tag) <= 64
    assert deck.difficulty in (None, 1, 2, 3) and deck.flag in ["", *StudyFlag.Source.values]
    assert Deck.from_query(QueryDict(deck.querystring)) == deck


@PURE
@given(value=st.text())
def test_the_text_rule_refuses_exactly_the_control_characters(value):
    problem = text_problem(value, field="f")
    refused = [c for c in value if ord(c) < 32 and c not in "\t\n\r" or ord(c) == 127 or 0xD800 <= ord(c) <= 0xDFFF]
    assert (problem is None) == (not refused)
    assert bool(CONTROL.search(value)) == bool(refused)


@PURE
@given(number=st.integers())
def test_numbers_past_the_integer_bound_are_refused_in_any_query(number):
    problem = request_problem(RequestFactory().get("/bank/", {"page": str(number)}))
    assert (problem is not None) == (abs(number) > INT_MAX)


@pytest.mark.django_db
@WEB
@given(pairs=queries)
def test_the_bank_page_and_api_answer_any_query_without_a_server_error(client, bank_loaded, pairs):
    query = urlencode(pairs)
    for url in (f"/bank/?{query}", f"/api/bank/cards?{query}"):
        response = client.get(url)
        assert response.status_code in (200, 400, 422), (url, response.status_code)


@pytest.mark.django_db
@WEB
@given(pairs=queries)
def test_the_study_page_and_api_answer_any_deck_query_without_a_server_error(user_client, bank_loaded, pairs):
    query = urlencode(pairs)
    for url in (f"/study/?{query}", f"/api/study/next?{query}", f"/study/export/csv?{query}"):
        response = user_client.get(url)
        assert response.status_code in (200, 400, 404, 422), (url, response.status_code)
