"""Coding exercises (bank content loaded from data/*.yaml), a learner's saved code, and each run of it."""

from django.conf import settings
from django.db import models
from django.urls import reverse


class Exercise(models.Model):
    class Difficulty(models.IntegerChoices):
        WARMUP = 1, "Warm-up"
        CORE = 2, "Core"
        STRETCH = 3, "Stretch"

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=120)
    position = models.PositiveIntegerField(default=0)
    topic = models.CharField(max_length=60, help_text="Group heading on the exercise list.")
    difficulty = models.PositiveSmallIntegerField(choices=Difficulty.choices, default=Difficulty.CORE)
    statement = models.TextField(help_text="Markdown.")
    starter = models.TextField()
    tests = models.TextField(help_text="Hidden tests: test_* functions taking `check`.")
    solution = models.TextField()
    hints = models.JSONField(default=list, blank=True)
    tolerance = models.TextField(blank=True, help_text="How results are compared, for the learner.")
    card = models.ForeignKey("bank.Card", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="exercises")  # fmt: skip
    demo_slug = models.CharField(max_length=40, blank=True)
    demo_params = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "slug"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("quiz:exercise_detail", kwargs={"slug": self.slug})


class ExerciseDraft(models.Model):
    """The learner's last code for an exercise (saved on every run and while typing)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exercise_drafts")
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="drafts")
    code = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "exercise"], name="exercise_draft_unique")]

    def __str__(self):
        return f"{self.user} · {self.exercise.slug}"


class ExerciseAttempt(models.Model):
    """One press of Run: the code as sent, and what the sandbox said about it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"

    class Verdict(models.TextChoices):
        PASSED = "passed", "All tests passed"
        FAILED = "failed", "Some tests failed"
        ERROR = "error", "Error"
        TIMEOUT = "timeout", "Time limit"
        MEMORY = "memory", "Memory limit"
        OUTPUT_LIMIT = "output_limit", "Output limit"
        CRASHED = "crashed", "Crashed"
        UNAVAILABLE = "unavailable", "Sandbox unavailable"
        SANDBOX_ERROR = "sandbox_error", "Sandbox error"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exercise_attempts")
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="attempts")
    code = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    verdict = models.CharField(max_length=16, choices=Verdict.choices, blank=True)
    message = models.TextField(blank=True)
    results = models.JSONField(default=list, blank=True, help_text="Per test: name, passed, message, inputs, "
                               "expected, got, seconds.")  # fmt: skip
    output = models.TextField(blank=True, help_text="What the program printed (capped).")
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True, help_text="When it was sent to the worker; empty while "
                                     "held for the learner's share of the workers.")  # fmt: skip
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    run_seconds = models.FloatField(null=True, blank=True, help_text="Inside the sandbox, from fork to verdict.")
    sandbox_start_seconds = models.FloatField(null=True, blank=True, help_text="0 when the warm sandbox was ready.")
    worker = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "exercise", "-created_at"])]

    def __str__(self):
        return f"{self.user} · {self.exercise.slug} · {self.verdict or self.status}"

    @property
    def finished(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def held(self) -> bool:
        """Waiting for a free worker (quizsite/capacity.py): not sent yet."""
        return self.status == self.Status.QUEUED and self.queued_at is None

    @property
    def passed_count(self) -> int:
        return sum(1 for test in self.results if test.get("passed"))
