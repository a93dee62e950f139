"""Every bundled exercise, run in the real sandbox: its reference solution passes all hidden tests, its starter
passes none of them. One warm sandbox for the file (the zygote imports torch and transformers once)."""

import ast

import pytest

from quiz.exercises.models import Exercise
from tests.exercises.conftest import needs_bwrap
from worker.sandbox import Sandbox

pytestmark = needs_bwrap


@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox()
    box.start()
    yield box
    box.close()


def test_there_are_at_least_thirty_exercises_each_complete(exercises_loaded):
    exercises = list(Exercise.objects.select_related("card"))
    assert len(exercises) >= 30 and exercises_loaded.created == len(exercises)
    for exercise in exercises:
        assert exercise.card is not None, exercise.slug
        assert len(exercise.hints) >= 1 and exercise.tolerance and len(exercise.statement) > 150, exercise.slug
        tests = [node.name for node in ast.parse(exercise.tests).body if isinstance(node, ast.FunctionDef)
                 and node.name.startswith("test_")]  # fmt: skip
        assert len(tests) >= 2, exercise.slug
    assert {e.demo_slug for e in exercises} >= {"attention", "decoding", "lora", "quantization", "kvcache"}


def test_loading_twice_changes_nothing(exercises_loaded):
    from quiz.exercises.services import exercises_load

    again = exercises_load()
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(again.slugs))


def test_every_solution_passes_and_every_starter_fails_in_the_sandbox(exercises_loaded, sandbox):
    problems = []
    for exercise in Exercise.objects.all():
        solved = sandbox.run(code=exercise.solution, tests=exercise.tests)
        if solved["verdict"] != "passed":
            failing = [t for t in solved["tests"] if not t.get("passed")]
            problems.append(f"{exercise.slug}: solution {solved['verdict']} {solved['message'][:300]} {failing[:1]}")
        starter = sandbox.run(code=exercise.starter, tests=exercise.tests)
        if starter["verdict"] != "failed" or any(t["passed"] for t in starter["tests"]):
            problems.append(f"{exercise.slug}: starter {starter['verdict']}, {starter['message'][:200]}")
    assert not problems, "\n".join(problems)
