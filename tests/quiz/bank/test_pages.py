import pytest
from django.urls import reverse

from quiz.bank.models import Card, Topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def cards():
    topic = Topic.objects.create(slug="attention", name="Attention")
    other = Topic.objects.create(slug="decoding", name="Decoding")
    return [
        Card.objects.create(slug="self-attn", topic=topic, question="What is self-attention?",
                            answer="Each token mixes values: $\\mathrm{softmax}(QK^T)V$", key_points=["a", "b", "c"],
                            tags=["attention"], difficulty=1),
        Card.objects.create(slug="beam", topic=other, question="How does beam search work?",
                            answer="<script>alert(1)</script> keeps the **k** best prefixes", key_points=["k"], difficulty=2),
    ]  # fmt: skip


def test_home_lists_what_one_can_do(client, cards):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert b"Question bank" in response.content and b"Live demos" in response.content


def test_bank_search_filters_by_text_topic_and_difficulty(client, cards):
    assert b"beam search" in client.get(reverse("quiz:bank"), {"q": "beam"}).content
    assert b"beam search" not in client.get(reverse("quiz:bank"), {"q": "attention"}).content
    assert b"self-attention" not in client.get(reverse("quiz:bank"), {"topic": "decoding"}).content
    assert b"beam search" not in client.get(reverse("quiz:bank"), {"difficulty": "1"}).content


def test_bank_htmx_request_returns_only_the_results(client, cards):
    response = client.get(reverse("quiz:bank"), {"q": "beam"}, headers={"HX-Request": "true"})
    assert b"<html" not in response.content and b"beam search" in response.content


def test_card_page_renders_math_and_escapes_script(client, cards):
    math = client.get(cards[0].get_absolute_url()).content.decode()
    assert "<math" in math and "<msup>" in math
    unsafe = client.get(cards[1].get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in unsafe and "<strong>k</strong>" in unsafe


def test_signup_logs_the_new_user_in(client, password):
    response = client.post(reverse("signup"), {"username": "newbie", "password1": password, "password2": password})
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"].username == "newbie"


def test_api_lists_cards_and_serves_a_valid_openapi_schema(client, cards):
    listing = client.get("/api/bank/cards", {"q": "beam"}).json()
    assert [item["slug"] for item in listing["items"]] == ["beam"]
    schema = client.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.") and "/api/bank/cards" in schema["paths"]


def test_math_in_a_question_title_is_rendered_in_the_list(client, cards):
    Card.objects.create(slug="scale", topic=cards[0].topic, question="Why divide by $\\sqrt{d_k}$?", key_points=["x"])
    html = client.get(reverse("quiz:bank"), {"q": "divide"}).content.decode()
    assert "<msqrt>" in html and "$\\sqrt" not in html
