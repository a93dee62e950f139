"""The quiz and interview models, moved here from the old quiz app. State only: the tables keep their quiz_* names,
no SQL."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


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
                    name="Interview",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("topics", models.JSONField(blank=True, default=list)),
                        (
                            "mix",
                            models.CharField(
                                choices=[
                                    ("balanced", "Balanced"),
                                    ("easier", "Mostly easy"),
                                    ("harder", "Mostly hard"),
                                ],
                                default="balanced",
                                max_length=10,
                            ),
                        ),
                        ("minutes", models.PositiveSmallIntegerField()),
                        ("started_at", models.DateTimeField()),
                        (
                            "deadline",
                            models.DateTimeField(help_text="Authoritative: answers arriving later are marked late."),
                        ),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("in_progress", "In progress"),
                                    ("grading", "Grading"),
                                    ("graded", "Graded"),
                                    ("failed", "Grading failed"),
                                ],
                                default="in_progress",
                                max_length=12,
                            ),
                        ),
                        ("current_position", models.PositiveSmallIntegerField(default=0)),
                        (
                            "current_since",
                            models.DateTimeField(help_text="When the current question was opened: for time spent."),
                        ),
                        ("graded_count", models.PositiveSmallIntegerField(default=0)),
                        (
                            "grading_queued_at",
                            models.DateTimeField(
                                blank=True, help_text="Last time grading was sent to the worker.", null=True
                            ),
                        ),
                        (
                            "score",
                            models.PositiveSmallIntegerField(blank=True, help_text="0 to 100, once graded.", null=True),
                        ),
                        ("grading_error", models.TextField(blank=True)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="interviews",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "quiz_interview",
                        "ordering": ["-started_at"],
                    },
                ),
                migrations.CreateModel(
                    name="InterviewAnswer",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("position", models.PositiveSmallIntegerField()),
                        (
                            "text",
                            models.TextField(
                                blank=True, help_text="Plain text, stored as typed (autosaved draft or submitted)."
                            ),
                        ),
                        (
                            "text_rev",
                            models.BigIntegerField(
                                default=0, help_text="Client revision of the stored text: stale saves lose."
                            ),
                        ),
                        (
                            "text_saved_at",
                            models.DateTimeField(blank=True, help_text="When the stored text last changed.", null=True),
                        ),
                        ("submitted_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "late",
                            models.BooleanField(
                                default=False, help_text="The graded text reached the server after the deadline."
                            ),
                        ),
                        ("flagged", models.BooleanField(default=False)),
                        ("skipped", models.BooleanField(default=False)),
                        (
                            "time_spent",
                            models.PositiveIntegerField(default=0, help_text="Seconds this was the current question."),
                        ),
                        ("score", models.PositiveSmallIntegerField(blank=True, null=True)),
                        ("similarity", models.FloatField(blank=True, null=True)),
                        (
                            "covered",
                            models.JSONField(blank=True, default=list, help_text="Key points the answer states."),
                        ),
                        ("missed", models.JSONField(blank=True, default=list)),
                        ("explanation", models.TextField(blank=True)),
                        ("graded_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "card",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="bank.card"
                            ),
                        ),
                        (
                            "interview",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="answers",
                                to="exams.interview",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "quiz_interviewanswer",
                        "ordering": ["interview", "position"],
                    },
                ),
                migrations.CreateModel(
                    name="Quiz",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "topics",
                            models.JSONField(blank=True, default=list, help_text="Topic slugs; empty means all."),
                        ),
                        (
                            "difficulty",
                            models.PositiveSmallIntegerField(blank=True, help_text="None means any.", null=True),
                        ),
                        (
                            "feedback",
                            models.CharField(
                                choices=[("immediate", "After each question"), ("end", "At the end")],
                                default="immediate",
                                max_length=10,
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="quizzes",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "quizzes",
                        "db_table": "quiz_quiz",
                        "ordering": ["-created_at"],
                    },
                ),
                migrations.CreateModel(
                    name="QuizQuestion",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("position", models.PositiveSmallIntegerField()),
                        (
                            "options",
                            models.JSONField(
                                help_text='[{"text": markdown, "card_id": int}], shuffled; one is the card itself.'
                            ),
                        ),
                        ("correct_index", models.PositiveSmallIntegerField()),
                        ("chosen_index", models.PositiveSmallIntegerField(blank=True, null=True)),
                        ("correct", models.BooleanField(blank=True, null=True)),
                        ("answered_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "card",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="bank.card"
                            ),
                        ),
                        (
                            "quiz",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="questions", to="exams.quiz"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "quiz_quizquestion",
                        "ordering": ["quiz", "position"],
                    },
                ),
                migrations.AddIndex(
                    model_name="interview",
                    index=models.Index(fields=["user", "-started_at"], name="interview_user_recent"),
                ),
                migrations.AddConstraint(
                    model_name="interviewanswer",
                    constraint=models.UniqueConstraint(
                        fields=("interview", "position"), name="interview_answer_unique"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="quizquestion",
                    constraint=models.UniqueConstraint(fields=("quiz", "position"), name="quiz_question_unique"),
                ),
            ],
            database_operations=[],
        ),
    ]
