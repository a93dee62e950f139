"""The learner contests the grader: "I did cover this" / "I did not" on a key point of a graded interview answer.

The machine's verdicts stay on the answer as graded; the learner's are KeyPointContest rows. The answer's score is
recomputed from the verdicts with the learner's ones in place, by the grader's own k-of-n rule
(``verdicts_score``), and the interview's overall score follows. The rows are exported as labelled data
(``manage.py grading_labels_export``) so the grader can be recalibrated from real use.
"""

from datetime import datetime

from django.db import transaction
from django.shortcuts import get_object_or_404

from quiz.exams.models import Interview, InterviewAnswer, KeyPointContest
from quiz.exams.services.grading import (
    CONSTANTS,
    CONTRADICTED,
    COVERED,
    MAX_ANSWER_CHARS,
    PARTLY,
    Constants,
    ramp,
    score_from_verdicts,
)
from quiz.exams.services.grading_text import BOUNDARY, answer_words, function_word_share
from quiz.exams.services.interview_report import counted_score
from quiz.exams.services.interview_study import interview_ratings

ERROR_NOT_GRADED = "This answer is not graded yet."
ERROR_NO_POINT = "No such key point."
ERROR_VERDICT = "A verdict is 'covered' (I did cover this) or 'missed' (I did not)."
PARTLY_RAMP_UNKNOWN = 0.5  # answers graded before the match was stored: a partly point earns half its credit


class ContestError(ValueError):
    """A request the user can correct; the message is shown as is."""


def answer_claim(*, text: str, constants: Constants = CONSTANTS) -> float:
    """The grader's claim factor: 1 for prose, falling to 0 for a bare list of terms (see grading's docstring)."""
    words = answer_words((text or "")[:MAX_ANSWER_CHARS].strip())
    if not any(w.lemma and w.lemma != BOUNDARY for w in words):
        return 0.0  # empty: the grader scores it 0 whatever the verdicts say
    return ramp(function_word_share(words), constants.claim_floor, constants.claim_ceil)


def verdicts_score(*, verdicts: list[dict], claim: float, constants: Constants = CONSTANTS) -> int:
    """0-100 from per-key-point statuses, by the grader's own rule (grading.score_from_verdicts). A test checks
    that uncontested verdicts give back the grader's score."""
    c, n = constants, len(verdicts)
    if not n:
        return 0
    statuses = [v["status"] for v in verdicts]
    partly_ramps = [
        ramp(v["match"], c.partly_at, c.covered_at) if "match" in v else PARTLY_RAMP_UNKNOWN
        for v in verdicts
        if v["status"] == PARTLY
    ]
    return score_from_verdicts(covered=statuses.count(COVERED), partly_ramps=partly_ramps,
                               contradicted=statuses.count(CONTRADICTED), n=n, claim=claim, constants=c)  # fmt: skip


def answer_verdicts(*, answer: InterviewAnswer, contests: list[KeyPointContest] | None = None) -> list[dict]:
    """The machine's verdicts with the learner's in place: each gets ``machine`` (the grader's status) and
    ``learner`` (the learner's, or None)."""
    if contests is None:
        contests = list(answer.contests.all())
    said = {c.index: c.verdict for c in contests}
    out = []
    for index, verdict in enumerate(answer.verdicts or []):
        learner = said.get(index)
        out.append({**verdict, "index": index, "machine": verdict["status"], "learner": learner,
                    "status": learner or verdict["status"]})  # fmt: skip
    return out


def _answer_for_update(*, user, answer_id: int) -> InterviewAnswer:
    answer = get_object_or_404(
        InterviewAnswer.objects.select_for_update().select_related("interview"),
        pk=answer_id, interview__user=user,
    )  # fmt: skip
    if answer.graded_at is None or answer.interview.status != Interview.Status.GRADED or not answer.verdicts:
        raise ContestError(ERROR_NOT_GRADED)
    return answer


def _rescore(*, answer: InterviewAnswer) -> InterviewAnswer:
    """Recompute the answer's score from its verdicts with the learner's in place, then the interview's."""
    contests = list(answer.contests.all())
    if contests:
        verdicts = answer_verdicts(answer=answer, contests=contests)
        # the reference's support is a machine judgement of the whole answer, not of a key point: it stays
        answer.contested_score = verdicts_score(
            verdicts=verdicts, claim=answer_claim(text=answer.text) * answer.agreement
        )
    else:
        answer.contested_score = None
    answer.save(update_fields=["contested_score"])
    KeyPointContest.objects.filter(answer=answer).update(score_after=answer.final_score)
    interview = Interview.objects.select_for_update().get(pk=answer.interview_id)
    answers = list(interview.answers.all())
    interview.score = round(sum(counted_score(a) for a in answers) / len(answers)) if answers else 0
    interview.save(update_fields=["score"])
    answer.interview = interview
    return answer


@transaction.atomic
def key_point_contest(*, user, answer_id: int, index: int, verdict: str) -> InterviewAnswer:
    """Record the learner's verdict on key point ``index`` (replacing an earlier one) and rescore. Someone
    else's answer is a 404."""
    if verdict not in KeyPointContest.Verdict.values:
        raise ContestError(ERROR_VERDICT)
    answer = _answer_for_update(user=user, answer_id=answer_id)
    if not 0 <= index < len(answer.verdicts):
        raise ContestError(ERROR_NO_POINT)
    machine = answer.verdicts[index]
    KeyPointContest.objects.update_or_create(
        answer=answer, index=index,
        defaults={"verdict": verdict, "point": machine["point"], "machine_status": machine["status"],
                  "score_before": answer.score or 0, "score_after": answer.score or 0},
    )  # fmt: skip
    return _rescore(answer=answer)


@transaction.atomic
def key_point_contest_undo(*, user, answer_id: int, index: int) -> InterviewAnswer:
    """Drop the learner's verdict on key point ``index``: the machine's stands again. Undoing twice is a no-op."""
    answer = _answer_for_update(user=user, answer_id=answer_id)
    KeyPointContest.objects.filter(answer=answer, index=index).delete()
    return _rescore(answer=answer)


# --- Report ------------------------------------------------------------------------------------------------------


def report_items(*, answers: list[InterviewAnswer]) -> list[dict]:
    """Per answer: its verdicts with the learner's beside the machine's, and the study rating offered."""
    contests = {}
    for contest in KeyPointContest.objects.filter(answer__in=answers):
        contests.setdefault(contest.answer_id, []).append(contest)
    ratings = interview_ratings(answers=answers)
    items = []
    for answer, rating in zip(answers, ratings, strict=True):
        verdicts = answer_verdicts(answer=answer, contests=contests.get(answer.pk, []))
        items.append({
            "answer": answer, "verdicts": verdicts, "study": rating,
            "covered": sum(v["status"] == "covered" for v in verdicts),
            "machine_covered": sum(v["machine"] == "covered" for v in verdicts),
            "contested": any(v["learner"] for v in verdicts),
            "contestable": answer.graded_at is not None and answer.answered,
        })  # fmt: skip
    return items


def machine_score(*, answers: list[InterviewAnswer]) -> int | None:
    """The overall score as the grader gave it, shown beside the contested one when they differ."""
    if not answers or all(a.contested_score is None for a in answers):
        return None
    return round(sum(0 if a.late or a.score is None else a.score for a in answers) / len(answers))


def contest_labels(*, since: datetime | None = None) -> list[dict]:
    """Every learner verdict as a labelled row for the grader (agreements too: they confirm a verdict)."""
    rows = KeyPointContest.objects.select_related("answer__card", "answer__interview").order_by("updated_at", "pk")
    if since is not None:
        rows = rows.filter(updated_at__gte=since)
    return [
        {
            "card": row.answer.card.slug, "answer": row.answer.text, "key_point": row.point,
            "machine_verdict": row.machine_status, "learner_verdict": row.verdict, "agrees": row.agrees,
            "score_before": row.score_before, "score_after": row.score_after,
            "interview": row.answer.interview_id, "answer_id": row.answer_id, "index": row.index,
            "date": row.updated_at.isoformat(),
        }
        for row in rows
    ]  # fmt: skip
