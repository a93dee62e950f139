"""Content types follow the models to their new apps (app_label quiz -> bank, study, exams).

Renaming the rows in place keeps their ids, so permissions, admin log entries and anything else that points at a
content type keeps pointing at the same model. Where a row for the new label already exists (post_migrate created it
before this ran), the old row is left alone rather than merged.
"""

from django.db import migrations

MOVED = {
    "bank": ["topic", "card", "importrun", "cardsource", "cardembedding"],
    "study": ["studysettings", "studycard", "studyreview", "studyflag"],
    "exams": ["quiz", "quizquestion", "interview", "interviewanswer"],
}


def _relabel(apps, *, forward: bool) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    for app_label, models in MOVED.items():
        source, target = ("quiz", app_label) if forward else (app_label, "quiz")
        for model in models:
            if content_type.objects.filter(app_label=target, model=model).exists():
                continue
            content_type.objects.filter(app_label=source, model=model).update(app_label=target)


def forwards(apps, schema_editor):
    _relabel(apps, forward=True)


def backwards(apps, schema_editor):
    _relabel(apps, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("quiz", "0004_move_models_to_bank_study_exams"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
