from django.core.management.base import BaseCommand, CommandError

from quiz.bank.services.bank import BankError, bank_files_read, bank_load
from quiz.bank.services.embeddings import bank_embed_enqueue, cards_missing_vectors
from quiz.study.services.study import study_cards_merge


class Command(BaseCommand):
    help = "Load the bundled question bank (quiz/bank/data/*.yaml). Safe to run again: it only updates."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Validate the files, write nothing.")

    def handle(self, *args, check=False, **options):
        try:
            if check:
                files = bank_files_read()
                cards = sum(len(data.get("cards") or []) for _, data in files)
                self.stdout.write(f"bank ok: {len(files)} files, {cards} cards")
                return
            report = bank_load()
        except BankError as exc:
            raise CommandError(f"bank not loaded:\n{exc}") from None
        for old_slug, into_slug in report.retired:
            learners = study_cards_merge(old_slug=old_slug, into_slug=into_slug)
            self.stdout.write(f"merged {old_slug} into {into_slug} (study history of {learners} learner(s) moved)")
        self.stdout.write(
            f"bank: {report.topics} topics, {report.created} new, {report.updated} updated, "
            f"{report.unchanged} unchanged cards, {len(report.retired)} retired by merges"
        )
        if cards_missing_vectors() or report.created or report.updated:
            # On the cpu worker, not here: this command runs in the web container at start (compose).
            bank_embed_enqueue()
            self.stdout.write("bank embeddings: queued for the cpu worker (quizzes use random distractors until then)")
