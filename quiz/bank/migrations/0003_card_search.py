"""Full-text search over cards: pg_trgm on PostgreSQL (typo tolerance), an FTS5 index with triggers on SQLite."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class TrigramExtensionOnPostgres(TrigramExtension):
    """Django's operation skips other databases going forwards, not backwards: guard that way too."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def fts_create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        from quiz.bank.services.search import sqlite_index_ensure

        sqlite_index_ensure(connection=schema_editor.connection)


def fts_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        from quiz.bank.services.search import sqlite_index_drop

        sqlite_index_drop(connection=schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("bank", "0002_card_quiz_items_retired_into")]

    operations = [
        TrigramExtensionOnPostgres(),  # does nothing on other databases
        migrations.RunPython(fts_create, fts_drop, elidable=True),
    ]
