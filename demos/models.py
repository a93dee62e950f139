"""Demo runs (one model call a learner asked for, with its result) and the heartbeats of the workers that run them."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse


class DemoRun(models.Model):
    """One run of a demo kind. The UUID primary key is the permanent link: unguessable, so shareable."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELED = "canceled", "Canceled"

    FINISHED = (Status.DONE, Status.FAILED, Status.CANCELED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=40)
    params = models.JSONField(default=dict, help_text="Validated, complete (defaults filled in).")
    params_hash = models.CharField(max_length=64, help_text="sha256 of kind, params, model and device.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="0 to 100.")
    progress_label = models.CharField(max_length=120, blank=True)
    result = models.JSONField(null=True, blank=True)
    partial = models.JSONField(null=True, blank=True, help_text="What the run has produced so far, while it runs.")
    error = models.TextField(blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="demo_runs")
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    device = models.CharField(max_length=40, blank=True)
    worker_hostname = models.CharField(max_length=255, blank=True)
    task_id = models.CharField(max_length=255, blank=True)
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Deliveries to a worker (re-delivery after a crash)."
    )

    class Meta:
        ordering = ["-queued_at"]
        indexes = [
            models.Index(fields=["params_hash", "status"], name="demorun_hash_status"),
            models.Index(fields=["user", "-queued_at"], name="demorun_user_recent"),
            models.Index(fields=["status", "queued_at"], name="demorun_status_queued"),
        ]

    def __str__(self):
        return f"{self.kind} {self.pk} ({self.status})"

    def get_absolute_url(self):
        return reverse("demos:run_detail", kwargs={"run_id": self.pk})

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def duration_s(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class WorkerHeartbeat(models.Model):
    """Written every few seconds by each running worker; pages read it to say at once when none is running."""

    hostname = models.CharField(max_length=255, unique=True)
    last_seen = models.DateTimeField()
    device = models.CharField(max_length=40, blank=True)
    queues = models.CharField(max_length=255, blank=True, help_text="The queues it consumes, comma-separated.")
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()

    class Meta:
        ordering = ["-last_seen"]

    def __str__(self):
        return f"{self.hostname} (pid {self.pid}, {self.device or 'device unknown'})"
