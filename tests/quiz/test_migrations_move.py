"""Moving the models from the old quiz app into bank, study and exams touches no data.

A database at the schema before the move (quiz 0003, the new apps unapplied) is filled with a user's bank, study
history, quizzes and interviews through the historical models; it is migrated to the new layout and back, and every
row of every quiz_* table, every content type and every permission is the same after each step.
"""

import datetime as dt
import io
import uuid

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_MOVE = [("quiz", "0003_exams"), ("bank", None), ("study", None), ("exams", None)]
MOVED_APPS = ("quiz", "bank", "study", "exams")


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


# The move itself; later migrations of the apps add columns and are not part of it.
AFTER_MOVE = [("quiz", "0005_content_types_to_bank_study_exams"), ("bank", "0001_initial"), ("study", "0001_initial"),
              ("exams", "0001_initial")]  # fmt: skip


def _after_move():
    return AFTER_MOVE


def _moved_models() -> set[str]:
    """The old quiz app's models at the move; a model added to a new app later never had the old label."""
    state = MigrationExecutor(connection).loader.project_state(("quiz", "0003_exams"))
    return {name for app, name in state.models if app == "quiz"}


def _labels() -> dict[str, str]:
    """Model name -> app label of the content types the move relabels."""
    moved = _moved_models()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT model, app_label FROM django_content_type WHERE app_label IN ('quiz', 'bank', 'study', 'exams')"
        )
        return {model: label for model, label in cursor.fetchall() if model in moved}


def _snapshot() -> dict[str, list[tuple]]:
    """Every row of the moved tables, content types and permissions (content types without their app label, which
    is the one thing the move changes; _labels() checks it)."""
    tables = [name for name in connection.introspection.table_names() if name.startswith("quiz_")]
    tables.append("auth_permission")
    rows = {}
    with connection.cursor() as cursor:
        for table in sorted(tables):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY id")  # noqa: S608 - table names from introspection
            rows[table] = [
                tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in cursor.fetchall()
            ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, model FROM django_content_type ORDER BY id")
        rows["django_content_type"] = cursor.fetchall()
    return rows


def _fill(apps) -> None:
    """One user's data in every table the move hands over, written through the pre-move models."""
    now = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
    user = apps.get_model("auth", "User").objects.create(username="ada")
    topic = apps.get_model("quiz", "Topic").objects.create(slug="attention", name="Attention", position=1)
    card = apps.get_model("quiz", "Card").objects.create(
        slug="why-scale",
        topic=topic,
        question="Why scale dot products?",
        answer="To keep softmax **soft**.",
        key_points=["variance grows with d_k"],
        tags=["attention"],
    )
    other = apps.get_model("quiz", "Card").objects.create(slug="what-heads", topic=topic, question="Why heads?")
    run = apps.get_model("quiz", "ImportRun").objects.create(status="ok", paths=["qa.md"], report={"qa.md": 2})
    apps.get_model("quiz", "CardSource").objects.create(
        card=card, fingerprint="abcd1234abcd1234", source="qa.md", line=3, import_run=run
    )
    apps.get_model("quiz", "CardEmbedding").objects.create(
        card=card, model_name="mini", text_hash="h" * 64, dim=2, vector=b"\x00\x00\x80?\x00\x00\x00\x00"
    )
    apps.get_model("quiz", "StudySettings").objects.create(user=user, desired_retention=0.85)
    study_card = apps.get_model("quiz", "StudyCard").objects.create(
        user=user,
        card=card,
        fsrs={"card_id": 1, "state": 2},
        state=2,
        due=now + dt.timedelta(days=3),
        reps=2,
    )
    for number, rating in enumerate([3, 1, 4]):
        apps.get_model("quiz", "StudyReview").objects.create(
            user=user,
            card=card,
            study_card=study_card,
            review_id=uuid.uuid4(),
            rating=rating,
            reviewed_at=now + dt.timedelta(minutes=number),
            state_before=1,
            before={"reps": number},
            state_after=2,
            due_after=now + dt.timedelta(days=number + 1),
        )
    apps.get_model("quiz", "StudyFlag").objects.create(user=user, card=other, source="interview")
    quiz = apps.get_model("quiz", "Quiz").objects.create(user=user)
    apps.get_model("quiz", "QuizQuestion").objects.create(
        quiz=quiz,
        position=0,
        card=card,
        options=[{"text": "a", "card_id": card.pk}],
        correct_index=0,
    )
    interview = apps.get_model("quiz", "Interview").objects.create(
        user=user,
        minutes=10,
        started_at=now,
        deadline=now + dt.timedelta(minutes=10),
        current_since=now,
        status="graded",
        score=72,
    )
    apps.get_model("quiz", "InterviewAnswer").objects.create(
        interview=interview,
        position=0,
        card=card,
        text="It keeps the logits small.",
        score=72,
        covered=["variance"],
        submitted_at=now,
    )


def test_the_move_and_its_reverse_keep_every_row():
    executor = _migrate(BEFORE_MOVE)
    _fill(executor.loader.project_state(("quiz", "0003_exams")).apps)
    before = _snapshot()
    assert set(_labels().values()) == {"quiz"}
    assert all(before[table] for table in ("quiz_studyreview", "quiz_interviewanswer", "quiz_cardembedding"))

    executor = _migrate(_after_move())
    assert _snapshot() == before
    apps = executor.loader.project_state(_after_move()).apps
    review = apps.get_model("study", "StudyReview").objects.select_related("card__topic").first()
    assert review.card.topic.slug == "attention"
    assert apps.get_model("exams", "InterviewAnswer").objects.get().interview.score == 72
    labels = _labels()
    assert labels["card"] == "bank" and labels["studyreview"] == "study" and labels["interview"] == "exams"
    assert "quiz" not in labels.values()

    # The code of today reads what the old schema wrote.
    from quiz.exams.models import Interview
    from quiz.study.models import StudyReview

    assert StudyReview.objects.filter(user__username="ada").count() == 3
    # only the columns of the move: later migrations (not applied at this point) add others
    assert Interview.objects.get().answers.values_list("covered", flat=True).get() == ["variance"]

    _migrate(BEFORE_MOVE)
    assert _snapshot() == before
    assert set(_labels().values()) == {"quiz"}  # back under the old label, same ids

    _migrate(_after_move())
    assert _snapshot() == before
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())  # on to today's schema: rows still there
    assert StudyReview.objects.filter(user__username="ada").count() == 3


@pytest.mark.parametrize(
    "app, name",
    [
        ("bank", "0001_initial"),
        ("study", "0001_initial"),
        ("exams", "0001_initial"),
        ("quiz", "0004_move_models_to_bank_study_exams"),
    ],
)
@pytest.mark.parametrize("backwards", [False, True])
def test_the_move_runs_no_sql(app, name, backwards):
    out = io.StringIO()
    call_command("sqlmigrate", app, name, backwards=backwards, stdout=out)
    statements = [
        line
        for line in out.getvalue().splitlines()
        if line.strip() and not line.startswith("--") and line not in {"BEGIN;", "COMMIT;"}
    ]
    assert statements == []
