"""Embed every card's answer with the configured encoder, once: later runs recompute only changed cards."""

import time

from django.core.management.base import BaseCommand

from quiz.bank.services.embeddings import card_embeddings_ensure, encoder_name


class Command(BaseCommand):
    help = "Compute and store sentence embeddings of the bank (used for quiz distractors); idempotent."

    def handle(self, *args, **options):
        started = time.perf_counter()
        count = card_embeddings_ensure()
        seconds = time.perf_counter() - started
        if count:
            self.stdout.write(f"Embedded {count} cards with {encoder_name()} in {seconds:.1f} s.")
        else:
            self.stdout.write(f"Bank embeddings are up to date ({encoder_name()}).")
