"""Read-only queries for the demo pages and API."""

from django.db.models import QuerySet

from demos.models import DemoRun
from quiz.bank.models import Card


def demo_run_list(*, user) -> QuerySet[DemoRun]:
    """A user's runs, newest first, without the (possibly large) results."""
    return DemoRun.objects.filter(user=user).defer("result")


def demo_run_result_get(*, run_id, paths) -> list:
    """Parts of a stored result picked out by the database, one per path: [("n_layers",), ("attentions", 3, 2)]
    gives the layer count and one head's map; () is the whole result. One query."""
    lookups = ["__".join(["result", *map(str, path)]) for path in paths]
    return list(DemoRun.objects.filter(pk=run_id).values_list(*lookups).get())


def demo_card_list(*, slug: str) -> QuerySet[Card]:
    """Bank cards that this demo illustrates."""
    return Card.objects.filter(demo_slug=slug).select_related("topic")
