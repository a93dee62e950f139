"""Lookups of a user's own quizzes and interviews."""

from django.shortcuts import get_object_or_404

from quiz.exams.models import Quiz


def quiz_of_user(*, user, quiz_id: int) -> Quiz:
    """The user's own quiz; anyone else's is a 404, as if it did not exist."""
    return get_object_or_404(Quiz, pk=quiz_id, user=user)
