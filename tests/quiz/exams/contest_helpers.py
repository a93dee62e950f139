"""A graded interview built without the worker: answers submitted, then graded in-process with the stand-in encoder."""

import random

from quiz.exams.models import Interview
from quiz.exams.services import interview as svc
from quiz.exams.services.interview_report import interview_grade_run
from tests.quiz.exam_helpers import bow_embed, make_cards


def graded_interview(*, user, texts=None, seed: int = 2) -> Interview:
    """Three questions: the card's own key points (a good answer), one key point in prose (thin), and nothing.

    ``texts`` (a function of the three cards) replaces those answers."""
    if not Interview.objects.exists():
        make_cards(6)
    interview = svc.interview_start(user=user, topics=[], questions=3, minutes=10, rng=random.Random(seed))
    cards = [a.card for a in interview.answers.order_by("position")]
    if texts is None:
        texts = [
            "It works because " + ", and ".join(cards[0].key_points) + ".",
            f"I think that {cards[1].key_points[0]}, which is about all I remember.",
            "",
        ]
    else:
        texts = texts(cards)
    for position, text in enumerate(texts):
        svc.interview_answer_submit(interview=interview, position=position, text=text)
    svc.interview_finish(interview=interview)
    return interview_grade_run(interview_id=interview.pk, embed=bow_embed)
