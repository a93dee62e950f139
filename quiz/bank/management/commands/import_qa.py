from django.core.management.base import BaseCommand, CommandError

from quiz.bank.services.embeddings import bank_embed_enqueue
from quiz.bank.services.importer.service import QAImportError, qa_import


class Command(BaseCommand):
    help = (
        "Import Q&A files (markdown, flashcard exports, TSV/CSV, JSON; the format of each is detected). "
        "All or nothing; importing the same files again creates nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="Q&A files to import.")
        parser.add_argument("--dry-run", action="store_true", help="Parse and count, write no cards.")

    def handle(self, *args, paths, dry_run=False, **options):
        try:
            report = qa_import(paths=paths, dry_run=dry_run)
        except QAImportError as exc:
            raise CommandError(f"import failed, nothing imported:\n{exc}") from None
        for f in report.files:
            self.stdout.write(
                f"{f.source}: {f.format}, found {f.found}, new {f.new}, updated {f.updated}, "
                f"unchanged {f.unchanged}, merged {f.merged}, warnings {len(f.warnings)}"
            )
            for warning in f.warnings:
                self.stdout.write(f"  warning: {warning}")
        if report.near_duplicates:
            self.stdout.write(f"near-duplicates to review: {len(report.near_duplicates)}")
            for pair in report.near_duplicates:
                self.stdout.write(f"  {pair['score']:.2f}  {pair['a']}  ~  {pair['b']}")
        if not dry_run:
            bank_embed_enqueue()  # new and changed answers, on the cpu worker
        prefix = "dry run, nothing written" if dry_run else "imported"
        self.stdout.write(self.style.SUCCESS(f"{prefix} (run {report.run_id})"))
