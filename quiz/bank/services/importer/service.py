"""`qa_import`: parse files, store their questions as cards in one transaction, record an ImportRun."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from quiz.bank.models import ImportRun

from .near_duplicates import Similarity, qa_near_duplicates, text_similarity
from .parse import qa_file_parse
from .store import CardStore, FileReport, file_repeats_fold, source_name
from .types import ParsedFile, QAFormatError

NEAR_DUPLICATE_THRESHOLD = 0.8


class QAImportError(Exception):
    """One or more files could not be imported; nothing was written. One line per problem."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class ImportReport:
    status: str
    files: list[FileReport] = field(default_factory=list)
    near_duplicates: list[dict] = field(default_factory=list)
    run_id: int | None = None

    def as_dict(self) -> dict:
        return {"files": [f.as_dict() for f in self.files], "near_duplicates": self.near_duplicates}


class _DryRunRollback(Exception):
    pass


def qa_files_parse(*, paths: Sequence[str | Path]) -> list[ParsedFile]:
    """Every file parsed; QAImportError lists every file that failed (file:line: what is wrong)."""
    parsed, errors = [], []
    for path in paths:
        try:
            parsed.append(qa_file_parse(path=path))
        except QAFormatError as exc:
            errors.append(str(exc))
    if errors:
        raise QAImportError(errors)
    return parsed


def _near_duplicates_find(store: CardStore, touched: set[int], similarity: Similarity, threshold: float) -> list[dict]:
    """Pairs of similar cards where at least one card was touched by this import."""
    cards = sorted({card.pk: card for card in store.by_fp.values()}.values(), key=lambda card: card.pk)
    involving = [index for index, card in enumerate(cards) if card.pk in touched]
    pairs = qa_near_duplicates([c.question for c in cards], threshold, similarity=similarity, involving=involving)
    return [
        {
            "a": cards[p.first].slug,
            "b": cards[p.second].slug,
            "score": p.score,
            "a_question": cards[p.first].question,
            "b_question": cards[p.second].question,
        }
        for p in pairs
    ]


def _files_store(
    parsed_files: list[ParsedFile],
    run: ImportRun | None,
    report: ImportReport,
    similarity: Similarity,
    threshold: float,
) -> None:
    store = CardStore(run=run)
    work = []
    for parsed in parsed_files:
        file_repeats_fold(parsed)
        file_report = FileReport(
            path=parsed.path,
            source=source_name(parsed.path),
            format=parsed.format,
            found=len(parsed.questions),
            warnings=list(parsed.warnings),
        )
        report.files.append(file_report)
        work.append((parsed, file_report))
    # Questions with answers first (all files), then answers pointing to them.
    for pointers in (False, True):
        for parsed, file_report in work:
            for entry in parsed.questions:
                if (entry.points_to is not None) == pointers:
                    store.entry_store(entry, source=file_report.source, topic=parsed.title, report=file_report)
    store.flush()
    touched = {card_id for card_id, _, _ in store.sources_now}
    report.near_duplicates = _near_duplicates_find(store, touched, similarity, threshold)


def qa_import(
    *,
    paths: Sequence[str | Path],
    dry_run: bool = False,
    similarity: Similarity = text_similarity,
    near_threshold: float = NEAR_DUPLICATE_THRESHOLD,
) -> ImportReport:
    """Import Q&A files as cards. All or nothing: any bad file raises QAImportError, writes no card,
    and leaves a failed ImportRun. A dry run computes the same report, then rolls back."""
    names = [str(p) for p in paths]
    report = ImportReport(status=ImportRun.Status.DRY_RUN if dry_run else ImportRun.Status.OK)
    try:
        parsed_files = qa_files_parse(paths=paths)
        with transaction.atomic():
            run = None if dry_run else ImportRun.objects.create(status=ImportRun.Status.OK, paths=names)
            _files_store(parsed_files, run, report, similarity, near_threshold)
            if dry_run:
                raise _DryRunRollback
            run.report, run.finished_at = report.as_dict(), timezone.now()
            run.save(update_fields=["report", "finished_at"])
            report.run_id = run.pk
    except _DryRunRollback:
        run = ImportRun.objects.create(
            status=ImportRun.Status.DRY_RUN, paths=names, report=report.as_dict(), finished_at=timezone.now()
        )
        report.run_id = run.pk
    except QAImportError as exc:
        _failed_record(names, report, str(exc))
        raise
    except Exception as exc:
        _failed_record(names, report, f"{type(exc).__name__}: {exc}")
        raise
    return report


def _failed_record(names: list[str], report: ImportReport, error: str) -> None:
    """After the rollback: the run is recorded as failed, with no per-file counts (none were kept)."""
    report.status, report.files, report.near_duplicates = ImportRun.Status.FAILED, [], []
    run = ImportRun.objects.create(
        status=ImportRun.Status.FAILED,
        paths=names,
        error=error,
        report={"files": [], "errors": error.splitlines()},
        finished_at=timezone.now(),
    )
    report.run_id = run.pk
