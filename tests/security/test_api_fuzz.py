"""Schemathesis against the live server's /api/openapi.json, logged in with CSRF: no 5xx and no answer that
breaks the document (status codes, content types, response schemas), on whichever database the suite runs on.

Budget: schemathesis' generation (data that fits the schema, and data that does not) driven by hypothesis with a fixed seed
(derandomize) and MAX_EXAMPLES requests per operation and mode; one database setup for all operations. Runs in the
smoke pass too.
"""

import itertools
import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation.modes import GenerationMode

from quizsite.api import api

MAX_EXAMPLES = 15
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.smoke]


@pytest.fixture
def study_data(bank_loaded, user):
    """A few answers of the logged-in user, so stats, undo and next have something to show."""
    from quiz.bank.models import Card
    from quiz.study.services.study import card_review

    for card in Card.objects.in_use()[:3]:
        card_review(user=user, card_id=card.pk, rating=3, review_id=uuid.uuid4())


def test_api_answers_every_generated_request_within_its_schema(live_server, api_session, study_data):
    document = api_session.get(f"{live_server.url}/api/openapi.json").json()
    assert set(document["paths"]) == set(api.get_openapi_schema()["paths"])  # the site serves this document
    schema = schemathesis.openapi.from_dict(document)
    failures, operations = [], 0
    for operation, mode in itertools.product([r.ok() for r in schema.get_all_operations()], GenerationMode):
        operations += mode == GenerationMode.POSITIVE

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        def run(case):
            case.call_and_validate(base_url=live_server.url, session=api_session, checks=CHECKS, timeout=30)

        try:
            run()
        except Unsatisfiable:  # no parameter to break (e.g. GET /api/bank/topics): nothing negative to send
            assert mode == GenerationMode.NEGATIVE
        except Exception as error:  # one report per operation, then the next operation
            failures.append(f"{operation.label} ({mode} data): {error}")
    assert operations >= 14
    assert not failures, "\n\n".join(failures)
