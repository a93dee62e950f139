"""The bank app's worker task: embed the cards whose stored vector is missing or stale (on the cpu queue)."""

from celery import shared_task

from quiz.bank.services.embeddings import EMBED_TASK, card_embeddings_ensure


@shared_task(name=EMBED_TASK, ignore_result=True)
def bank_embed() -> int:
    """Idempotent: a second run finds nothing to do and loads nothing."""
    return card_embeddings_ensure()
