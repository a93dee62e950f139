"""Contesting the grader: the learner's verdicts rescore an answer by the grader's own rule, the machine's verdicts
are kept, undo restores them, another user cannot contest, and the verdicts export as labelled data."""

import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.http import Http404
from django.utils import timezone

from quiz.exams.models import Interview, InterviewAnswer, KeyPointContest
from quiz.exams.services import interview as interview_svc
from quiz.exams.services.grading import CONSTANTS
from quiz.exams.services.interview_contest import (
    ContestError,
    answer_claim,
    answer_verdicts,
    key_point_contest,
    key_point_contest_undo,
    verdicts_score,
)
from tests.quiz.exams.contest_helpers import graded_interview

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    monkeypatch.setattr(interview_svc, "interview_grade_enqueue", lambda *, interview_id: None)


@pytest.fixture
def interview(user):
    return graded_interview(user=user)


def _answer(interview, position) -> InterviewAnswer:
    return interview.answers.get(position=position)


def _index(answer, statuses) -> int:
    return next(i for i, v in enumerate(answer.verdicts) if v["status"] in statuses)


def test_uncontested_verdicts_give_back_the_graders_own_score(user):
    """The rescoring rule mirrors the grader's: on every kind of answer, the machine's verdicts score the same."""
    texts = [
        None,  # the helper's own: a complete answer, a thin one with a point touched on, an empty one
        lambda cards: [cards[0].answer, cards[1].key_points[0], "values weights parallel"],
        lambda cards: [" ".join(cards[0].key_points), "I am not sure at all.", f"Maybe {cards[2].key_points[2]}."],
        lambda cards: ["It is not parallel, and attention never mixes values.", "values number weights", "Hm."],
    ]
    seen = set()
    for seed, make in enumerate(texts):
        interview = graded_interview(user=user, texts=make, seed=seed)
        for answer in interview.answers.all():
            claim = answer_claim(text=answer.text) * answer.agreement
            assert verdicts_score(verdicts=answer.verdicts, claim=claim) == answer.score, answer.text
            seen |= {v["status"] for v in answer.verdicts}
    assert seen == {"covered", "partly", "missed", "contradicted"}


def test_the_rule_by_hand_k_of_n_partial_credit_and_contradictions():
    def v(*statuses, match=0.4):
        return [{"status": s, "match": match} for s in statuses]

    full = CONSTANTS.full_at

    def curved(share: float) -> int:  # the grader's calibration curve over the k-of-n share
        return round(100 * min(1.0, share) ** CONSTANTS.curve)

    assert verdicts_score(verdicts=v("covered", "covered", "missed"), claim=1.0) == curved(2 / (full * 3))
    assert verdicts_score(verdicts=v("covered", "missed", "missed", "missed", "missed"), claim=1.0) == curved(
        1 / (full * 5)
    )
    assert verdicts_score(verdicts=v("covered", "contradicted", "missed"), claim=1.0) == 0
    partly = verdicts_score(verdicts=v("partly", "missed"), claim=1.0)
    assert 0 < partly < verdicts_score(verdicts=v("covered", "missed"), claim=1.0)
    assert verdicts_score(verdicts=v("covered", "covered"), claim=0.0) == 0  # a keyword bag stays cut
    assert verdicts_score(verdicts=[], claim=1.0) == 0
    # answers graded before the match was stored: a partly point earns half its partial credit
    old = [{"status": "partly"}, {"status": "missed"}]
    assert verdicts_score(verdicts=old, claim=1.0) == curved(CONSTANTS.partial_credit * 0.5 / (full * 2))


def test_i_did_cover_this_raises_the_score_and_keeps_the_machine_verdict(interview, user):
    answer = _answer(interview, 1)
    machine = [dict(v) for v in answer.verdicts]
    index = _index(answer, {"missed", "partly"})
    updated = key_point_contest(user=user, answer_id=answer.pk, index=index, verdict="covered")
    assert updated.contested_score > answer.score and updated.final_score == updated.contested_score
    updated.refresh_from_db()
    assert updated.verdicts == machine and updated.score == answer.score  # the grader's verdict and score stay
    row = KeyPointContest.objects.get(answer=answer, index=index)
    assert (row.machine_status, row.verdict, row.score_before) == (machine[index]["status"], "covered", answer.score)
    assert row.score_after == updated.contested_score and not row.agrees
    merged = answer_verdicts(answer=updated)[index]
    assert (merged["machine"], merged["learner"], merged["status"]) == (machine[index]["status"], "covered", "covered")
    interview.refresh_from_db()
    answers = list(interview.answers.all())
    assert interview.score == round(sum(a.final_score for a in answers) / len(answers))


def test_i_did_not_lowers_the_score_and_undo_restores_the_graders(interview, user):
    answer = _answer(interview, 0)
    before = Interview.objects.get(pk=interview.pk).score
    index = _index(answer, {"covered"})
    lowered = key_point_contest(user=user, answer_id=answer.pk, index=index, verdict="missed")
    assert lowered.contested_score < answer.score
    assert Interview.objects.get(pk=interview.pk).score < before
    again = key_point_contest(user=user, answer_id=answer.pk, index=index, verdict="covered")  # agrees: changes back
    assert again.contested_score == answer.score and KeyPointContest.objects.get(answer=answer).agrees
    undone = key_point_contest_undo(user=user, answer_id=answer.pk, index=index)
    assert undone.contested_score is None and undone.final_score == answer.score
    assert not KeyPointContest.objects.exists() and Interview.objects.get(pk=interview.pk).score == before
    key_point_contest_undo(user=user, answer_id=answer.pk, index=index)  # a doubled undo is a no-op
    assert Interview.objects.get(pk=interview.pk).score == before


def test_another_user_cannot_contest_and_bad_requests_are_clear_errors(interview, user, other_user):
    answer = _answer(interview, 0)
    with pytest.raises(Http404):
        key_point_contest(user=other_user, answer_id=answer.pk, index=0, verdict="covered")
    with pytest.raises(Http404):
        key_point_contest_undo(user=other_user, answer_id=answer.pk, index=0)
    with pytest.raises(ContestError, match="verdict"):
        key_point_contest(user=user, answer_id=answer.pk, index=0, verdict="maybe")
    with pytest.raises(ContestError, match="No such key point"):
        key_point_contest(user=user, answer_id=answer.pk, index=len(answer.verdicts), verdict="covered")
    assert not KeyPointContest.objects.exists()


def test_an_answer_not_graded_yet_cannot_be_contested(user):
    interview = graded_interview(user=user)
    Interview.objects.filter(pk=interview.pk).update(status=Interview.Status.GRADING)
    with pytest.raises(ContestError, match="not graded"):
        key_point_contest(user=user, answer_id=_answer(interview, 0).pk, index=0, verdict="covered")


def test_export_writes_one_labelled_line_per_verdict(interview, user, tmp_path, capsys):
    answer = _answer(interview, 1)
    index = _index(answer, {"missed", "partly"})
    key_point_contest(user=user, answer_id=answer.pk, index=index, verdict="covered")
    call_command("grading_labels_export")
    (line,) = capsys.readouterr().out.splitlines()
    row = json.loads(line)
    answer.refresh_from_db()
    assert row["card"] == answer.card.slug and row["answer"] == answer.text and row["interview"] == interview.pk
    assert row["key_point"] == answer.verdicts[index]["point"] and row["learner_verdict"] == "covered"
    assert row["machine_verdict"] == answer.verdicts[index]["status"] and row["agrees"] is False
    assert (row["score_before"], row["score_after"]) == (answer.score, answer.contested_score)
    assert row["date"].startswith(str(timezone.now().year))

    out = tmp_path / "labels.jsonl"
    call_command("grading_labels_export", "--output", str(out), "--since", timezone.now().date().isoformat())
    assert [json.loads(x) for x in out.read_text().splitlines()] == [row]
    tomorrow = (timezone.now() + timedelta(days=1)).date().isoformat()
    call_command("grading_labels_export", "--since", tomorrow)
    assert capsys.readouterr().out == ""
    with pytest.raises(CommandError, match="--since takes a date"):
        call_command("grading_labels_export", "--since", "last week")
