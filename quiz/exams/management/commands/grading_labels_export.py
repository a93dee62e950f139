"""Export the learners' verdicts on interview key points as labelled data (JSON Lines), to recalibrate the grader."""

import json
from datetime import datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from quiz.exams.services.interview_contest import contest_labels

ERROR_SINCE = "--since takes a date (2026-12-01) or a date and time (2026-12-01T09:30)."


def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = parse_datetime(value)
        if moment is None and (day := parse_date(value)) is not None:
            moment = datetime.combine(day, time.min)
    except ValueError:
        moment = None
    if moment is None:
        raise CommandError(ERROR_SINCE)
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


class Command(BaseCommand):
    help = (
        "Write every learner verdict on an interview key point (card slug, answer, key point, machine and learner "
        "verdicts, score before and after, interview id, date) as JSON Lines, one verdict a line."
    )

    def add_arguments(self, parser):
        parser.add_argument("--since", help="Only verdicts given or changed on or after this date (or date and time).")
        parser.add_argument("--output", help="Write to this file instead of standard output.")

    def handle(self, *args, since=None, output=None, **options):
        rows = contest_labels(since=_since(since))
        lines = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        if output:
            try:
                with open(output, "w", encoding="utf-8") as handle:
                    handle.write(lines)
            except OSError as exc:
                raise CommandError(f"Cannot write {output}: {exc.strerror}.") from exc
            self.stderr.write(f"Wrote {len(rows)} labelled verdict{'s' if len(rows) != 1 else ''} to {output}.")
        else:
            self.stdout.write(lines, ending="")
