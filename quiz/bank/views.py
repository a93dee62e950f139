from django.contrib.auth import login
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render

from quiz.bank.forms import SignupForm
from quiz.bank.models import Card
from quiz.bank.selectors import card_list, topic_list
from quiz.bank.services.related import related_cards

CARDS_PER_PAGE = 20


def home(request):
    return render(request, "bank/home.html", {"card_count": Card.objects.in_use().count(), "topics": topic_list()})


def bank(request):
    text = request.GET.get("q", "").strip()[:200]
    topic = request.GET.get("topic", "")
    difficulty = request.GET.get("difficulty", "")
    difficulty = int(difficulty) if difficulty in {"1", "2", "3"} else None
    cards = card_list(text=text, topic=topic, difficulty=difficulty)
    page = Paginator(cards, CARDS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "topics": topic_list(),
        "q": text,
        "topic": topic,
        "difficulty": difficulty,
        "querystring": query.urlencode(),
        "difficulties": Card.Difficulty.choices,
    }
    template = "bank/_bank_results.html" if request.htmx else "bank/bank.html"
    return render(request, template, context)


def card_detail(request, slug):
    card = get_object_or_404(Card.objects.select_related("topic", "retired_into"), slug=slug)
    if card.retired_into is not None:  # merged into another card: its old address keeps working
        return redirect(card.retired_into.get_absolute_url(), permanent=True)
    return render(request, "bank/card_detail.html", {"card": card, "related": related_cards(card)})


def signup(request):
    from quizsite.throttle import MESSAGE_SIGNUP_THROTTLED, signup_throttle_wait

    form = SignupForm(request.POST or None)
    if request.method == "POST" and (wait := signup_throttle_wait(request=request)):
        form.is_valid()  # keeps what was typed on the page
        response = render(request, "registration/signup.html",
                          {"form": form, "throttled": MESSAGE_SIGNUP_THROTTLED.format(seconds=wait)}, status=429)  # fmt: skip
        response["Retry-After"] = str(wait)
        return response
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="quiz.study.auth_backends.StudyUserBackend")  # not the throttle's backend
        return redirect("home")
    return render(request, "registration/signup.html", {"form": form})


def healthz(request):
    """Liveness for the compose healthcheck: the app answers and reaches its database."""
    from django.db import connection
    from django.http import JsonResponse

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})
