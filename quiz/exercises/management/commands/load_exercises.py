from django.core.management.base import BaseCommand, CommandError

from quiz.exercises.services import ExerciseError, exercises_load


class Command(BaseCommand):
    help = "Load the bundled coding exercises (quiz/exercises/data/*.yaml). Safe to run again: it only updates."

    def handle(self, *args, **options):
        try:
            report = exercises_load()
        except ExerciseError as exc:
            raise CommandError(f"exercises not loaded:\n{exc}") from None
        self.stdout.write(f"exercises: {report.created} new, {report.updated} updated, {report.unchanged} unchanged")
