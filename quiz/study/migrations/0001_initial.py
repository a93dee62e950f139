"""The study models, moved here from the old quiz app. State only: the tables keep their quiz_* names, no SQL."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import quiz.study.models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("quiz", "0003_exams"),
        ("bank", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="StudyCard",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("fsrs", models.JSONField(help_text="fsrs.Card.to_dict()")),
                        (
                            "state",
                            models.PositiveSmallIntegerField(
                                choices=[(0, "New"), (1, "Learning"), (2, "Review"), (3, "Relearning")], default=0
                            ),
                        ),
                        ("due", models.DateTimeField()),
                        ("stability", models.FloatField(blank=True, null=True)),
                        ("difficulty", models.FloatField(blank=True, null=True)),
                        ("reps", models.PositiveIntegerField(default=0)),
                        ("lapses", models.PositiveIntegerField(default=0)),
                        ("is_leech", models.BooleanField(default=False)),
                        ("suspended", models.BooleanField(default=False)),
                        ("buried_until", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "card",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="study_states", to="bank.card"
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="study_cards",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "quiz_studycard",
                    },
                ),
                migrations.CreateModel(
                    name="StudyFlag",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "source",
                            models.CharField(
                                choices=[
                                    ("interview", "Failed in a mock interview"),
                                    ("quiz", "Missed in a quiz"),
                                    ("manual", "Added by hand"),
                                ],
                                max_length=16,
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "card",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="study_flags", to="bank.card"
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="study_flags",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "quiz_studyflag",
                    },
                ),
                migrations.CreateModel(
                    name="StudyReview",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("review_id", models.UUIDField()),
                        ("rating", models.PositiveSmallIntegerField()),
                        ("reviewed_at", models.DateTimeField()),
                        ("duration_ms", models.PositiveIntegerField(blank=True, null=True)),
                        (
                            "state_before",
                            models.PositiveSmallIntegerField(
                                choices=[(0, "New"), (1, "Learning"), (2, "Review"), (3, "Relearning")]
                            ),
                        ),
                        (
                            "interval_before",
                            models.FloatField(blank=True, help_text="Days the card was scheduled for.", null=True),
                        ),
                        (
                            "before",
                            models.JSONField(help_text="The whole StudyCard before this answer, for an exact undo."),
                        ),
                        (
                            "state_after",
                            models.PositiveSmallIntegerField(
                                choices=[(0, "New"), (1, "Learning"), (2, "Review"), (3, "Relearning")]
                            ),
                        ),
                        ("due_after", models.DateTimeField()),
                        ("undone_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "card",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="study_reviews",
                                to="bank.card",
                            ),
                        ),
                        (
                            "study_card",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="reviews",
                                to="study.studycard",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="study_reviews",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "quiz_studyreview",
                        "ordering": ["reviewed_at", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="StudySettings",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("desired_retention", models.FloatField(default=0.9)),
                        ("new_per_day", models.PositiveIntegerField(default=20)),
                        ("reviews_per_day", models.PositiveIntegerField(default=200)),
                        (
                            "learning_steps",
                            models.JSONField(default=quiz.study.models._default_learning_steps, help_text="Seconds."),
                        ),
                        (
                            "relearning_steps",
                            models.JSONField(default=quiz.study.models._default_relearning_steps, help_text="Seconds."),
                        ),
                        ("maximum_interval", models.PositiveIntegerField(default=36500, help_text="Days.")),
                        (
                            "day_start_hour",
                            models.PositiveSmallIntegerField(
                                default=4, help_text="Hour (0-23) a new study day starts."
                            ),
                        ),
                        ("time_zone", models.CharField(default="UTC", max_length=64)),
                        ("leech_threshold", models.PositiveSmallIntegerField(default=8)),
                        ("enable_fuzzing", models.BooleanField(default=True)),
                        (
                            "parameters",
                            models.JSONField(
                                blank=True, default=list, help_text="FSRS weights; empty means the defaults."
                            ),
                        ),
                        ("optimize_report", models.JSONField(blank=True, default=dict)),
                        (
                            "extra_new",
                            models.PositiveIntegerField(default=0, help_text="New cards added to today's limit."),
                        ),
                        ("extra_new_day", models.DateField(blank=True, null=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "user",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="study_settings",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "study settings",
                        "db_table": "quiz_studysettings",
                    },
                ),
                migrations.AddIndex(
                    model_name="studycard",
                    index=models.Index(fields=["user", "state", "due"], name="study_card_queue"),
                ),
                migrations.AddConstraint(
                    model_name="studycard",
                    constraint=models.UniqueConstraint(fields=("user", "card"), name="study_card_unique"),
                ),
                migrations.AddConstraint(
                    model_name="studyflag",
                    constraint=models.UniqueConstraint(fields=("user", "card", "source"), name="study_flag_unique"),
                ),
                migrations.AddIndex(
                    model_name="studyreview",
                    index=models.Index(fields=["user", "reviewed_at"], name="study_review_user_time"),
                ),
                migrations.AddConstraint(
                    model_name="studyreview",
                    constraint=models.UniqueConstraint(fields=("user", "review_id"), name="study_review_id_unique"),
                ),
            ],
            database_operations=[],
        ),
    ]
