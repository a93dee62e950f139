"""After an interview: grading on the worker (idempotent, with progress), the report, weak cards, the history."""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString

from quiz.bank.services.embeddings import Embedder
from quiz.exams.models import Interview, InterviewAnswer
from quiz.exams.services.grading import answer_grade
from quiz.study.models import StudyFlag
from quiz.study.services.study import cards_add_to_study
from quizsite import svg

log = logging.getLogger(__name__)

WEAK_SCORE = 50  # an answer, or a topic's mean, below this is weak (a correct but thin answer scores 35-65)
ERROR_GRADING = "Grading failed ({error}). Try again; answers already graded are kept."


# --- Grading (runs in the worker) --------------------------------------------------------------------------------


def counted_score(answer: InterviewAnswer) -> int:
    """What an answer adds to the overall score: late answers are graded but count 0; a contested answer counts
    with the learner's verdicts (interview_contest)."""
    return 0 if answer.late or answer.final_score is None else answer.final_score


def interview_grade_run(*, interview_id: int, embed: Embedder | None = None) -> Interview | None:
    """Grade every answer not graded yet, one by one (progress is visible), then the whole interview.

    Safe to run twice or after a crash: graded answers are skipped, and a graded interview is left alone."""
    interview = Interview.objects.filter(pk=interview_id).first()
    if interview is None or interview.status != Interview.Status.GRADING:
        return interview
    try:
        pending = interview.answers.select_related("card").filter(graded_at__isnull=True).order_by("position")
        for answer in pending:
            grade = answer_grade(answer.text, answer.card, embed=embed)
            InterviewAnswer.objects.filter(pk=answer.pk).update(
                score=grade.score, similarity=grade.similarity, covered=grade.covered, missed=grade.missed,
                explanation=grade.explanation, graded_at=timezone.now(), agreement=grade.agreement,
                # the match is kept so a contested answer is rescored by the same rule (interview_contest)
                verdicts=[{**v.as_dict(), "match": float(v.match)} for v in grade.points],
            )  # fmt: skip
            graded = interview.answers.filter(graded_at__isnull=False).count()
            Interview.objects.filter(pk=interview.pk).update(graded_count=graded)
    except Exception as exc:  # noqa: BLE001 - any failure must reach the page, not just the worker log
        log.exception("grading interview %s failed", interview_id)
        error = ERROR_GRADING.format(error=f"{type(exc).__name__}: {exc}"[:300])
        Interview.objects.filter(pk=interview.pk).update(status=Interview.Status.FAILED, grading_error=error)
        return Interview.objects.get(pk=interview.pk)
    return _interview_score(interview_id=interview.pk)


@transaction.atomic
def _interview_score(*, interview_id: int) -> Interview:
    interview = Interview.objects.select_for_update().get(pk=interview_id)
    answers = list(interview.answers.all())
    interview.score = round(sum(counted_score(a) for a in answers) / len(answers)) if answers else 0
    interview.graded_count, interview.status = len(answers), Interview.Status.GRADED
    interview.save(update_fields=["score", "graded_count", "status"])
    return interview


# --- Report ------------------------------------------------------------------------------------------------------


@dataclass
class TopicScore:
    name: str
    score: int
    count: int
    weak: bool


@dataclass
class Report:
    interview: Interview
    answers: list[InterviewAnswer]
    topics: list[TopicScore] = field(default_factory=list)
    weak_card_ids: list[int] = field(default_factory=list)

    @property
    def weak_topics(self) -> list[TopicScore]:
        return [topic for topic in self.topics if topic.weak]


def interview_report(*, interview: Interview) -> Report:
    answers = list(interview.answers.select_related("card__topic").order_by("position"))
    by_topic: dict[str, list[int]] = {}
    for answer in answers:
        by_topic.setdefault(answer.card.topic.name, []).append(counted_score(answer))
    topics = [
        TopicScore(name=name, score=round(sum(scores) / len(scores)), count=len(scores),
                   weak=sum(scores) / len(scores) < WEAK_SCORE)
        for name, scores in by_topic.items()
    ]  # fmt: skip
    topics.sort(key=lambda topic: (topic.score, topic.name))
    graded = interview.status == Interview.Status.GRADED
    weak = [a.card_id for a in answers if graded and counted_score(a) < WEAK_SCORE]
    return Report(interview=interview, answers=answers, topics=topics, weak_card_ids=weak)


def interview_weak_to_study(*, user, interview: Interview) -> int:
    """Put the interview's weak cards into the user's study deck, due now. Returns how many."""
    card_ids = interview_report(interview=interview).weak_card_ids
    return cards_add_to_study(user=user, card_ids=card_ids, due_now=True, source=StudyFlag.Source.INTERVIEW)


# --- History -----------------------------------------------------------------------------------------------------

CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 640, 220, 40


def score_trend_chart(points: list[tuple[datetime, int]]) -> SafeString:
    """A line chart of scores (0-100) in the order given (oldest first), drawn with quizsite/svg.py; styled by the
    .trend-chart rules of site.css."""
    inner_w, inner_h = CHART_WIDTH - 2 * CHART_PAD, CHART_HEIGHT - 2 * CHART_PAD
    step = inner_w / (len(points) - 1) if len(points) > 1 else 0
    dots = []
    for index, (when, score) in enumerate(points):
        x = CHART_PAD + (index * step if len(points) > 1 else inner_w / 2)
        y = CHART_PAD + inner_h * (1 - score / 100)
        dots.append((x, y, score, when))
    parts = []
    for value in (0, 50, 100):
        y = CHART_PAD + inner_h * (1 - value / 100)
        parts += [
            svg.element("line", {"x1": CHART_PAD, "x2": CHART_WIDTH - CHART_PAD, "y1": y, "y2": y, "class_": "grid"}),
            svg.element("text", {"x": CHART_PAD - 6, "y": y, "class_": "axis", "text_anchor": "end",
                                 "dominant_baseline": "middle"}, text=str(value)),
        ]  # fmt: skip
    if len(dots) > 1:
        polyline = " ".join(f"{svg.number(x)},{svg.number(y)}" for x, y, _, _ in dots)
        parts.append(svg.element("polyline", {"points": polyline, "class_": "line"}))
    parts += [svg.element("circle", {"cx": x, "cy": y, "r": 6, "class_": "dot"},
                          title=f"{date_format(timezone.localtime(when), 'M j, H:i')}: {score}")
              for x, y, score, when in dots]  # fmt: skip
    label = "Score trend: " + ", ".join(str(score) for _, _, score, _ in dots)
    return svg.document(CHART_WIDTH, CHART_HEIGHT, label=label, parts=parts, title=True, class_="trend-chart")


def interview_history(*, user) -> dict:
    interviews = list(Interview.objects.filter(user=user).prefetch_related("answers").order_by("-started_at"))
    graded = [i for i in reversed(interviews) if i.status == Interview.Status.GRADED and i.score is not None]
    chart = score_trend_chart([(i.started_at, i.score) for i in graded]) if graded else None
    return {"interviews": interviews, "chart": chart}
