"""The input policy: NUL and control characters refused with a 400 naming the field, integers range-checked before
any query, on every page, API call and command. Runs on SQLite and PostgreSQL (where NUL used to be a 500)."""

import json
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from quiz.exams.services import interview as interview_svc
from quiz.study.models import StudyReview
from quiz.study.views.review import MESSAGE_UNREADABLE_ANSWER
from tests.quiz.exam_helpers import make_cards

pytestmark = pytest.mark.django_db

NUL_GETS = [
    "/bank/?q=a%00b", "/bank/?topic=%00", "/api/bank/cards?q=%00", "/api/bank/cards?topic=x%00",
    "/api/bank/cards/att%00ention", "/study/?tag=%00", "/study/?topic=a%00", "/study/export/csv?topic=%00",
    "/api/study/next?tag=%00", "/api/study/next?topic=%01", "/demos/attention/?text=%00", "/study/?q=%1b",
]  # fmt: skip


@pytest.fixture
def cards(db):
    return make_cards(3)


@pytest.fixture
def interview(user, cards):
    return interview_svc.interview_start(user=user, topics=[], questions=2, minutes=15)


@pytest.mark.parametrize("url", NUL_GETS)
def test_a_nul_or_control_character_in_any_query_is_a_400_naming_the_field(user_client, cards, url):
    response = user_client.get(url)
    assert response.status_code == 400
    assert b"control character" in response.content


def test_the_api_answers_json_with_the_refused_parameter(user_client):
    response = user_client.get("/api/bank/cards?q=x%00y")
    assert response.status_code == 400
    assert response.json()["param"] == "q" and "U+0000" in response.json()["detail"]


def test_a_json_body_with_u0000_is_refused_before_the_database(user_client, cards):
    body = json.dumps({"topics": ["attention\u0000"], "length": 2})
    response = user_client.post("/api/quiz/", body, content_type="application/json")
    assert response.status_code == 400 and response.json()["param"] == "topics[0]"


def test_a_form_field_with_nul_is_refused_and_nothing_is_saved(user_client, interview):
    url = reverse("quiz:interview_draft", args=[interview.pk, 1])
    response = user_client.post(url, {"text": "half\x00an answer", "rev": 5})
    assert response.status_code == 400 and b"text: contains a control character (U+0000)" in response.content
    assert interview.answers.get(position=0).text == ""


def test_tab_and_newline_stay_allowed(user_client, interview):
    url = reverse("quiz:interview_draft", args=[interview.pk, 1])
    assert user_client.post(url, {"text": "line one\n\tline two\r\n", "rev": 5}).json()["saved"]


def test_the_largest_page_number_is_refused_not_a_500(client, cards):
    assert client.get("/api/bank/cards?page=9223372036854775807").status_code == 400
    assert client.get("/api/bank/cards?page=100001").status_code == 422  # the schema's bound
    assert client.get("/bank/?page=9223372036854775807").status_code == 400


@pytest.mark.parametrize("name", ["interview_draft", "interview_answer", "interview_finish"])
def test_a_revision_past_any_integer_column_is_refused_not_a_500(user_client, interview, name):
    args = [interview.pk] if name == "interview_finish" else [interview.pk, 1]
    response = user_client.post(reverse(name.join(["quiz:", ""]), args=args),
                                {"text": "x", "rev": "99999999999999999999", "number": 1})  # fmt: skip
    assert response.status_code == 400
    assert interview.answers.get(position=0).text == ""


def test_a_negative_duration_is_an_unreadable_answer_not_a_duplicate(user_client, user, cards):
    data = {"card_id": cards[0].pk, "rating": 3, "review_id": str(uuid.uuid4()), "duration_ms": -1}
    response = user_client.post(reverse("quiz:study_review"), data, follow=True)
    assert response.status_code == 200 and MESSAGE_UNREADABLE_ANSWER in response.content.decode()
    assert not StudyReview.objects.filter(user=user).exists()
    data["duration_ms"] = 1500  # the same review id, now readable: stored once, as a first answer
    user_client.post(reverse("quiz:study_review"), data)
    assert StudyReview.objects.get(user=user).duration_ms == 1500


def test_an_id_past_any_integer_column_in_the_url_is_a_404(user_client):
    assert user_client.get("/quiz/99999999999999999999/").status_code == 404
    assert user_client.get("/api/quiz/99999999999999999999").status_code == 404


def test_import_qa_names_file_and_line_of_a_u0000(tmp_path):
    path = tmp_path / "qa.json"
    path.write_text('[\n  {"question": "What is attention?",\n   "answer": "A weighted\\u0000 sum."}\n]\n')
    with pytest.raises(CommandError) as error:
        call_command("import_qa", str(path))
    assert f"{path}:2: the answer contains a control character (U+0000" in str(error.value)


def test_a_script_request_gets_json_it_can_show(user_client, interview):
    url = reverse("quiz:interview_draft", args=[interview.pk, 1])
    response = user_client.post(url, {"text": "a\x07b", "rev": 5}, headers={"Sec-Fetch-Mode": "cors"})
    assert response.status_code == 400 and "U+0007" in response.json()["error"]
