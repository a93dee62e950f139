"""The bank's models, moved here from the old quiz app. State only: the quiz_* tables already exist (built by
quiz 0001-0003) and keep their names through Meta.db_table, so this migration runs no SQL."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("quiz", "0003_exams"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ImportRun",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("started_at", models.DateTimeField(auto_now_add=True)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "status",
                            models.CharField(
                                choices=[("ok", "Imported"), ("dry_run", "Dry run"), ("failed", "Failed")], max_length=8
                            ),
                        ),
                        ("paths", models.JSONField(default=list)),
                        ("report", models.JSONField(blank=True, default=dict, help_text="Per-file format and counts.")),
                        ("error", models.TextField(blank=True)),
                    ],
                    options={
                        "db_table": "quiz_importrun",
                        "ordering": ["-started_at"],
                    },
                ),
                migrations.CreateModel(
                    name="Topic",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("slug", models.SlugField(max_length=64, unique=True)),
                        ("name", models.CharField(max_length=120)),
                        ("description", models.TextField(blank=True)),
                        ("position", models.PositiveSmallIntegerField(default=0)),
                    ],
                    options={
                        "db_table": "quiz_topic",
                        "ordering": ["position", "name"],
                    },
                ),
                migrations.CreateModel(
                    name="Card",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("slug", models.SlugField(max_length=120, unique=True)),
                        ("question", models.TextField()),
                        ("answer", models.TextField(blank=True, help_text="Markdown; $...$ for math.")),
                        ("key_points", models.JSONField(blank=True, default=list)),
                        ("details", models.TextField(blank=True, help_text="Markdown; the deeper explanation.")),
                        (
                            "difficulty",
                            models.PositiveSmallIntegerField(
                                choices=[(1, "Easy"), (2, "Medium"), (3, "Hard")], default=2
                            ),
                        ),
                        ("tags", models.JSONField(blank=True, default=list)),
                        (
                            "demo_slug",
                            models.CharField(blank=True, help_text="Live demo this card illustrates.", max_length=40),
                        ),
                        ("demo_params", models.JSONField(blank=True, default=dict, help_text="Demo form pre-fill.")),
                        (
                            "origin",
                            models.CharField(
                                choices=[("bank", "Bundled bank"), ("import", "Imported file")],
                                default="bank",
                                max_length=8,
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "topic",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT, related_name="cards", to="bank.topic"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "quiz_card",
                        "ordering": ["topic__position", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="CardEmbedding",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("model_name", models.CharField(max_length=120)),
                        ("text_hash", models.CharField(max_length=64)),
                        ("dim", models.PositiveSmallIntegerField()),
                        ("vector", models.BinaryField(help_text="float32, little-endian, L2-normalized.")),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "card",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="embeddings", to="bank.card"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "quiz_cardembedding",
                        "constraints": [
                            models.UniqueConstraint(fields=("card", "model_name"), name="card_embedding_unique")
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="CardSource",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("fingerprint", models.CharField(db_index=True, max_length=16)),
                        (
                            "source",
                            models.CharField(
                                blank=True, help_text="File name; empty for bank coverage.", max_length=255
                            ),
                        ),
                        ("line", models.PositiveIntegerField(blank=True, null=True)),
                        (
                            "question_text",
                            models.TextField(
                                blank=True, help_text="The question as that file wrote it (imports only)."
                            ),
                        ),
                        (
                            "card",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="sources", to="bank.card"
                            ),
                        ),
                        (
                            "import_run",
                            models.ForeignKey(
                                blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to="bank.importrun"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "quiz_cardsource",
                        "constraints": [
                            models.UniqueConstraint(fields=("card", "fingerprint", "source"), name="card_source_unique")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
