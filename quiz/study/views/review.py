"""The study page: one card at a time, answered with buttons (HTMX swaps the card) or keys (static/js/study.js).

Every action posts a form; with HTMX the response is the card partial, without it a redirect back (PRG)."""

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from quiz.bank.models import Card
from quiz.bank.selectors import topic_list
from quiz.study.forms import ReviewForm
from quiz.study.models import StudyCard, StudyFlag, StudyReview
from quiz.study.services.queue import Deck, QueueItem, study_queue_next
from quiz.study.services.study import (
    RATINGS,
    StudyError,
    card_bury,
    card_review,
    card_review_undo,
    card_suspend,
    interval_label,
    study_card_previews,
    study_new_extend,
)

LEECH_NOTICE = (
    "This card has lapsed {lapses} times: it is now a leech and has been suspended. Rewrite it or unsuspend it later."
)
UNDO_NOTICE = "Undid your last answer ({rating})."
EMPTY_UNDO_NOTICE = "Nothing to undo."
MESSAGE_UNREADABLE_ANSWER = "That answer could not be read; please try again."
MORE_NEW = 10
CARD_ACTIONS = {"suspend": "Card suspended.", "unsuspend": "Card unsuspended.",
                "bury": "Card buried until tomorrow.", "unbury": "Card unburied."}  # fmt: skip
# Like Anki, U right after a suspend or bury takes it back (and shows the card again), not the last answer.
UNDO_OF_ACTION = {"suspend": "unsuspend", "bury": "unbury"}
UNDONE_NOTICE = {"unsuspend": "Undid the suspend: the card is back.", "unbury": "Undid the bury: the card is back."}


def _demo_url(card: Card) -> str:
    """The card's live demo, pre-filled; the demos app may name its detail page in one of these ways."""
    query = f"?{urlencode(card.demo_params)}" if card.demo_params else ""
    for name in ("demos:detail", "demos:demo", "demos:run"):
        try:
            return reverse(name, kwargs={"slug": card.demo_slug}) + query
        except NoReverseMatch:
            continue
    return reverse("demos:index") + query + f"#{card.demo_slug}"


def _study_url(deck: Deck, ahead: bool, **extra) -> str:
    query = "&".join(part for part in (deck.querystring, "ahead=1" if ahead else "", urlencode(extra)) if part)
    return reverse("quiz:study") + (f"?{query}" if query else "")


def _card_context(request, *, deck: Deck, ahead: bool, show: bool = False, item: QueueItem | None = None,
                  notice: str = "", undo_action: tuple[int, str] | None = None) -> dict:  # fmt: skip
    now = timezone.now()
    queue = study_queue_next(user=request.user, deck=deck, ahead=ahead, now=now)
    item = item or queue.first
    ratings = []
    if item:
        previews = study_card_previews(
            settings=queue.settings, study_card=item.study_card, card_id=item.card.pk, now=now
        )
        ratings = [{"value": r, "name": name, "interval": interval_label(previews[r])} for r, name in RATINGS.items()]
    last = (StudyReview.objects.filter(user=request.user, undone_at__isnull=True)
            .order_by("-reviewed_at", "-id").select_related("card").first())  # fmt: skip
    return {
        "queue": queue,
        "item": item,
        "show": show,
        "ratings": ratings,
        "review_id": uuid.uuid4(),
        "shown_at": int(now.timestamp() * 1000),
        "last_review": last,
        "undo_action": undo_action,  # (card id, action) that takes back the suspend / bury just done
        "notice": notice,
        "deck": deck,
        "ahead": ahead,
        "qs": _study_url(deck, ahead).partition("?")[2],
        "show_url": _study_url(deck, ahead, show=item.card.pk) if item else "",
        "ahead_url": _study_url(deck, True),
        "demo_url": _demo_url(item.card) if item and item.card.demo_slug else "",
        "more_new": MORE_NEW,
    }


def _item_for(user, card_id) -> QueueItem | None:
    card = Card.objects.select_related("topic").filter(pk=card_id).first()
    if card is None:
        return None
    study_card = StudyCard.objects.filter(user=user, card=card).first()
    kind = "new" if study_card is None or study_card.state == StudyCard.State.NEW else (
        "review" if study_card.state == StudyCard.State.REVIEW else "learning")  # fmt: skip
    return QueueItem(card=card, study_card=study_card, kind=kind)


def _deck_ahead(request) -> tuple[Deck, bool]:
    return Deck.from_query(request.GET), request.GET.get("ahead") == "1"


def _respond(request, *, deck: Deck, ahead: bool, item=None, notice: str = "", show: bool = False, undo_action=None):
    if request.htmx:
        context = _card_context(request, deck=deck, ahead=ahead, item=item, notice=notice, show=show,
                                undo_action=undo_action)  # fmt: skip
        return render(request, "study/_card.html", context)
    if notice:
        messages.info(request, notice)
    extra = {"card": item.card.pk} if item else {}
    return redirect(_study_url(deck, ahead, **extra))


def _deck_label(deck: Deck, topics) -> str:
    """The deck in words, as the picker shows it: topic names and labels, not slugs and codes."""
    parts = [topic.name for topic in topics if topic.slug in deck.topics]
    if deck.difficulty:
        parts.append(Card.Difficulty(deck.difficulty).label)
    if deck.tag:
        parts.append(f"#{deck.tag}")
    if deck.flag:
        parts.append(StudyFlag.Source(deck.flag).label)
    return " · ".join(parts) or "All cards"


@login_required
def study(request):
    deck, ahead = _deck_ahead(request)
    item = None
    card_id = request.GET.get("card") or request.GET.get("show")
    if card_id and card_id.isdigit():
        item = _item_for(request.user, int(card_id))
    context = _card_context(request, deck=deck, ahead=ahead, item=item, show="show" in request.GET)
    if request.htmx:
        return render(request, "study/_card.html", context)
    topics = list(topic_list())
    context.update(topics=topics, difficulties=Card.Difficulty.choices, flags=StudyFlag.Source.choices,
                   deck_label=_deck_label(deck, topics))  # fmt: skip
    return render(request, "study/study.html", context)


@login_required
@require_POST
def study_review(request):
    deck, ahead = _deck_ahead(request)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _respond(request, deck=deck, ahead=ahead, notice=MESSAGE_UNREADABLE_ANSWER)
    data = form.cleaned_data
    try:
        result = card_review(user=request.user, card_id=data["card_id"], rating=data["rating"],
                             review_id=data["review_id"], duration_ms=data["duration_ms"])  # fmt: skip
    except StudyError as error:
        return _respond(request, deck=deck, ahead=ahead, notice=str(error))
    notice = LEECH_NOTICE.format(lapses=result.review.study_card.lapses) if result.leech else ""
    return _respond(request, deck=deck, ahead=ahead, notice=notice)


@login_required
@require_POST
def study_undo(request):
    deck, ahead = _deck_ahead(request)
    try:
        review = card_review_undo(user=request.user, review_id=request.POST.get("review_id") or None)
    except (StudyError, ValueError) as error:
        return _respond(request, deck=deck, ahead=ahead, notice=str(error))
    if review is None:
        return _respond(request, deck=deck, ahead=ahead, notice=EMPTY_UNDO_NOTICE)
    item = _item_for(request.user, review.card_id)
    return _respond(
        request, deck=deck, ahead=ahead, item=item, notice=UNDO_NOTICE.format(rating=RATINGS[review.rating])
    )


@login_required
@require_POST
def study_card_action(request, card_id: int, action: str):
    if action not in CARD_ACTIONS:
        raise Http404("No such action.")
    deck, ahead = _deck_ahead(request)
    get_object_or_404(Card, pk=card_id)
    if action in {"suspend", "unsuspend"}:
        card_suspend(user=request.user, card_id=card_id, suspended=action == "suspend")
    else:
        card_bury(user=request.user, card_id=card_id, buried=action == "bury")
    back = request.POST.get("next", "")
    # Django's own check: "/\\evil.example" starts with one slash yet browsers go to another host with it
    if back.startswith("/") and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        messages.success(request, CARD_ACTIONS[action])
        return redirect(back)
    if request.POST.get("undo"):  # the card comes back to the screen, as it was before the suspend / bury
        return _respond(request, deck=deck, ahead=ahead, item=_item_for(request.user, card_id),
                        notice=UNDONE_NOTICE.get(action, CARD_ACTIONS[action]))  # fmt: skip
    undo = (card_id, UNDO_OF_ACTION[action]) if action in UNDO_OF_ACTION else None
    return _respond(request, deck=deck, ahead=ahead, notice=CARD_ACTIONS[action], undo_action=undo)


@login_required
@require_POST
def study_more_new(request):
    deck, ahead = _deck_ahead(request)
    study_new_extend(user=request.user, count=MORE_NEW)
    return _respond(request, deck=deck, ahead=ahead, notice=f"Today's new-card limit is raised by {MORE_NEW}.")
