"""Self-testing: multiple-choice quizzes, timed mock interviews graded on the worker, and the stored card embeddings
both rely on (distractors for quizzes, reference vectors for grading)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

__all__ = ["CardEmbedding", "Quiz", "QuizQuestion", "Interview", "InterviewAnswer"]


class CardEmbedding(models.Model):
    """One card's answer embedded once; ``text_hash`` (model + text) says when it must be recomputed."""

    card = models.ForeignKey("quiz.Card", on_delete=models.CASCADE, related_name="embeddings")
    model_name = models.CharField(max_length=120)
    text_hash = models.CharField(max_length=64)
    dim = models.PositiveSmallIntegerField()
    vector = models.BinaryField(help_text="float32, little-endian, L2-normalized.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["card", "model_name"], name="card_embedding_unique")]

    def __str__(self):
        return f"{self.model_name} · card {self.card_id}"


class Quiz(models.Model):
    class Feedback(models.TextChoices):
        IMMEDIATE = "immediate", "After each question"
        END = "end", "At the end"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quizzes")
    topics = models.JSONField(default=list, blank=True, help_text="Topic slugs; empty means all.")
    difficulty = models.PositiveSmallIntegerField(null=True, blank=True, help_text="None means any.")
    feedback = models.CharField(max_length=10, choices=Feedback.choices, default=Feedback.IMMEDIATE)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "quizzes"

    def __str__(self):
        return f"Quiz {self.pk} of {self.user}"

    def get_absolute_url(self):
        return reverse("quiz:quiz_detail", kwargs={"quiz_id": self.pk})


class QuizQuestion(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    card = models.ForeignKey("quiz.Card", on_delete=models.CASCADE, related_name="+")
    options = models.JSONField(help_text='[{"text": markdown, "card_id": int}], shuffled; one is the card itself.')
    correct_index = models.PositiveSmallIntegerField()
    chosen_index = models.PositiveSmallIntegerField(null=True, blank=True)
    correct = models.BooleanField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["quiz", "position"]
        constraints = [models.UniqueConstraint(fields=["quiz", "position"], name="quiz_question_unique")]

    def __str__(self):
        return f"Quiz {self.quiz_id} · question {self.position + 1}"


class Interview(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        GRADING = "grading", "Grading"
        GRADED = "graded", "Graded"
        FAILED = "failed", "Grading failed"

    class Mix(models.TextChoices):
        BALANCED = "balanced", "Balanced"
        EASIER = "easier", "Mostly easy"
        HARDER = "harder", "Mostly hard"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interviews")
    topics = models.JSONField(default=list, blank=True)
    mix = models.CharField(max_length=10, choices=Mix.choices, default=Mix.BALANCED)
    minutes = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    deadline = models.DateTimeField(help_text="Authoritative: answers arriving later are marked late.")
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    current_position = models.PositiveSmallIntegerField(default=0)
    current_since = models.DateTimeField(help_text="When the current question was opened: for time spent.")
    graded_count = models.PositiveSmallIntegerField(default=0)
    grading_queued_at = models.DateTimeField(
        null=True, blank=True, help_text="Last time grading was sent to the worker."
    )
    score = models.PositiveSmallIntegerField(null=True, blank=True, help_text="0 to 100, once graded.")
    grading_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["user", "-started_at"], name="interview_user_recent")]

    def __str__(self):
        return f"Interview {self.pk} of {self.user} ({self.status})"

    def get_absolute_url(self):
        return reverse("quiz:interview_detail", kwargs={"interview_id": self.pk})

    @property
    def remaining_seconds(self) -> int:
        return max(0, int((self.deadline - timezone.now()).total_seconds()))

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.IN_PROGRESS

    @property
    def elapsed_seconds(self) -> int:
        end = min(self.finished_at or timezone.now(), self.deadline)
        return max(0, round((end - self.started_at).total_seconds()))


class InterviewAnswer(models.Model):
    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="answers")
    position = models.PositiveSmallIntegerField()
    card = models.ForeignKey("quiz.Card", on_delete=models.CASCADE, related_name="+")
    text = models.TextField(blank=True, help_text="Plain text, stored as typed (autosaved draft or submitted).")
    text_rev = models.BigIntegerField(default=0, help_text="Client revision of the stored text: stale saves lose.")
    text_saved_at = models.DateTimeField(null=True, blank=True, help_text="When the stored text last changed.")
    submitted_at = models.DateTimeField(null=True, blank=True)
    late = models.BooleanField(default=False, help_text="The graded text reached the server after the deadline.")
    flagged = models.BooleanField(default=False)
    skipped = models.BooleanField(default=False)
    time_spent = models.PositiveIntegerField(default=0, help_text="Seconds this was the current question.")
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    similarity = models.FloatField(null=True, blank=True)
    covered = models.JSONField(default=list, blank=True, help_text="Key points the answer states.")
    missed = models.JSONField(default=list, blank=True)
    explanation = models.TextField(blank=True)
    verdicts = models.JSONField(
        default=list, blank=True,
        help_text="Per key point: {point, status (covered/partly/missed/contradicted), quote, note}, in card order.",
    )  # fmt: skip
    graded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["interview", "position"]
        constraints = [models.UniqueConstraint(fields=["interview", "position"], name="interview_answer_unique")]

    def __str__(self):
        return f"Interview {self.interview_id} · answer {self.position + 1}"

    @property
    def answered(self) -> bool:
        return bool(self.text.strip())
