"""Spaced-repetition study: per-user settings, per-user card state (an fsrs Card), and the review log.

The fsrs Card is stored whole (``Card.to_dict()``) so scheduling round-trips exactly; ``state``, ``due``,
``stability``, ``reps`` and ``lapses`` are denormalized copies for queries and statistics.
"""

from django.conf import settings
from django.db import models

__all__ = ["StudySettings", "StudyCard", "StudyReview", "StudyFlag"]


def _default_learning_steps():
    return [60, 600]  # seconds: 1m, 10m (Anki's and fsrs's defaults)


def _default_relearning_steps():
    return [600]


class StudyState(models.IntegerChoices):
    """fsrs has no "new" state (a new card is Learning with no review): NEW is ours, the rest are fsrs.State."""

    NEW = 0, "New"
    LEARNING = 1, "Learning"
    REVIEW = 2, "Review"
    RELEARNING = 3, "Relearning"


class StudySettings(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_settings")
    desired_retention = models.FloatField(default=0.9)
    new_per_day = models.PositiveIntegerField(default=20)
    reviews_per_day = models.PositiveIntegerField(default=200)
    learning_steps = models.JSONField(default=_default_learning_steps, help_text="Seconds.")
    relearning_steps = models.JSONField(default=_default_relearning_steps, help_text="Seconds.")
    maximum_interval = models.PositiveIntegerField(default=36500, help_text="Days.")
    day_start_hour = models.PositiveSmallIntegerField(default=4, help_text="Hour (0-23) a new study day starts.")
    time_zone = models.CharField(max_length=64, default="UTC")
    leech_threshold = models.PositiveSmallIntegerField(default=8)
    enable_fuzzing = models.BooleanField(default=True)
    parameters = models.JSONField(default=list, blank=True, help_text="FSRS weights; empty means the defaults.")
    optimize_report = models.JSONField(default=dict, blank=True)
    extra_new = models.PositiveIntegerField(default=0, help_text="New cards added to today's limit.")
    extra_new_day = models.DateField(null=True, blank=True)
    interview_date = models.DateField(
        null=True, blank=True, help_text="Until this date, cards are planned for the best recall on the day."
    )
    interview_topics = models.JSONField(default=list, blank=True, help_text="Topic slugs; empty means all.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "quiz_studysettings"
        verbose_name_plural = "study settings"

    def __str__(self):
        return f"Study settings of {self.user}"


class StudyCard(models.Model):
    State = StudyState

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_cards")
    card = models.ForeignKey("bank.Card", on_delete=models.CASCADE, related_name="study_states")
    fsrs = models.JSONField(help_text="fsrs.Card.to_dict()")
    state = models.PositiveSmallIntegerField(choices=StudyState.choices, default=StudyState.NEW)
    due = models.DateTimeField()
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    reps = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0)
    is_leech = models.BooleanField(default=False)
    suspended = models.BooleanField(default=False)
    buried_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "quiz_studycard"
        constraints = [models.UniqueConstraint(fields=["user", "card"], name="study_card_unique")]
        indexes = [models.Index(fields=["user", "state", "due"], name="study_card_queue")]

    def __str__(self):
        return f"{self.user} · card {self.card_id} · {self.get_state_display()}"


class StudyReview(models.Model):
    """One answer. ``review_id`` comes from the client, so a retried submit is recognised and counted once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_reviews")
    card = models.ForeignKey("bank.Card", on_delete=models.CASCADE, related_name="study_reviews")
    study_card = models.ForeignKey(StudyCard, on_delete=models.CASCADE, related_name="reviews")
    review_id = models.UUIDField()
    rating = models.PositiveSmallIntegerField()
    reviewed_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    state_before = models.PositiveSmallIntegerField(choices=StudyState.choices)
    interval_before = models.FloatField(null=True, blank=True, help_text="Days the card was scheduled for.")
    before = models.JSONField(help_text="The whole StudyCard before this answer, for an exact undo.")
    state_after = models.PositiveSmallIntegerField(choices=StudyState.choices)
    due_after = models.DateTimeField()
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "quiz_studyreview"
        constraints = [models.UniqueConstraint(fields=["user", "review_id"], name="study_review_id_unique")]
        indexes = [models.Index(fields=["user", "reviewed_at"], name="study_review_user_time")]
        ordering = ["reviewed_at", "id"]

    def __str__(self):
        return f"{self.user} rated card {self.card_id} {self.rating} at {self.reviewed_at:%Y-%m-%d %H:%M}"


class StudyFlag(models.Model):
    """Why a card was put into a user's deck from elsewhere (e.g. failed in a mock interview): a deck filter."""

    class Source(models.TextChoices):
        INTERVIEW = "interview", "Failed in a mock interview"
        QUIZ = "quiz", "Missed in a quiz"
        MANUAL = "manual", "Added by hand"
        EXERCISE = "exercise", "Solved as a coding exercise"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_flags")
    card = models.ForeignKey("bank.Card", on_delete=models.CASCADE, related_name="study_flags")
    source = models.CharField(max_length=16, choices=Source.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "quiz_studyflag"
        constraints = [models.UniqueConstraint(fields=["user", "card", "source"], name="study_flag_unique")]

    def __str__(self):
        return f"{self.user} · card {self.card_id} · {self.source}"
