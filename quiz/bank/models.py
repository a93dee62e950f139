"""The question bank: topics, cards, where each card's questions came from, import runs, and card embeddings
(distractors for quizzes, reference vectors for grading)."""

from django.db import models
from django.urls import reverse


class Topic(models.Model):
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "quiz_topic"
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("quiz:bank") + f"?topic={self.slug}"


class CardQuerySet(models.QuerySet):
    def in_use(self) -> "CardQuerySet":
        """Cards that are part of the bank now: not retired by a merge."""
        return self.filter(retired_into__isnull=True)


class Card(models.Model):
    class Origin(models.TextChoices):
        BANK = "bank", "Bundled bank"
        IMPORT = "import", "Imported file"

    class Difficulty(models.IntegerChoices):
        EASY = 1, "Easy"
        MEDIUM = 2, "Medium"
        HARD = 3, "Hard"

    slug = models.SlugField(max_length=120, unique=True)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="cards")
    question = models.TextField()
    answer = models.TextField(blank=True, help_text="Markdown; $...$ for math.")
    key_points = models.JSONField(default=list, blank=True)
    details = models.TextField(blank=True, help_text="Markdown; the deeper explanation.")
    difficulty = models.PositiveSmallIntegerField(choices=Difficulty.choices, default=Difficulty.MEDIUM)
    tags = models.JSONField(default=list, blank=True)
    demo_slug = models.CharField(max_length=40, blank=True, help_text="Live demo this card illustrates.")
    demo_params = models.JSONField(default=dict, blank=True, help_text="Demo form pre-fill.")
    origin = models.CharField(max_length=8, choices=Origin.choices, default=Origin.BANK)
    quiz_items = models.JSONField(default=dict, blank=True, help_text="Authored quiz items: mcq and statements.")
    retired_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="absorbed",
        help_text="Merged into this card: its slug redirects there, its study history is kept.",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CardQuerySet.as_manager()

    class Meta:
        db_table = "quiz_card"
        ordering = ["topic__position", "id"]

    def __str__(self):
        return self.question[:80]

    def get_absolute_url(self):
        return reverse("quiz:card_detail", kwargs={"slug": self.slug})

    @property
    def awaiting_answer(self) -> bool:
        """Imported without an answer (a list of questions): shown in the bank, kept out of study and quizzes."""
        return not self.answer.strip()


class ImportRun(models.Model):
    class Status(models.TextChoices):
        OK = "ok", "Imported"
        DRY_RUN = "dry_run", "Dry run"
        FAILED = "failed", "Failed"

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices)
    paths = models.JSONField(default=list)
    report = models.JSONField(default=dict, blank=True, help_text="Per-file format and counts.")
    error = models.TextField(blank=True)

    class Meta:
        db_table = "quiz_importrun"
        ordering = ["-started_at"]

    def __str__(self):
        return f"Import {self.started_at:%Y-%m-%d %H:%M} ({self.status})"


class CardSource(models.Model):
    """One question (by fingerprint) that a card answers, and the file it was seen in.

    Bank cards declare the material questions they cover with source="" ; imports add one row per
    file the question appeared in, so the same question from several files is one card, many sources.
    """

    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="sources")
    fingerprint = models.CharField(max_length=16, db_index=True)
    source = models.CharField(max_length=255, blank=True, help_text="File name; empty for bank coverage.")
    line = models.PositiveIntegerField(null=True, blank=True)
    question_text = models.TextField(blank=True, help_text="The question as that file wrote it (imports only).")
    import_run = models.ForeignKey(ImportRun, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        db_table = "quiz_cardsource"
        constraints = [
            models.UniqueConstraint(fields=["card", "fingerprint", "source"], name="card_source_unique"),
        ]

    def __str__(self):
        return f"{self.fingerprint} in {self.source or 'bank'}"


class CardEmbedding(models.Model):
    """One card's answer embedded once; ``text_hash`` (model + text) says when it must be recomputed."""

    card = models.ForeignKey("bank.Card", on_delete=models.CASCADE, related_name="embeddings")
    model_name = models.CharField(max_length=120)
    text_hash = models.CharField(max_length=64)
    dim = models.PositiveSmallIntegerField()
    vector = models.BinaryField(help_text="float32, little-endian, L2-normalized.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "quiz_cardembedding"
        constraints = [models.UniqueConstraint(fields=["card", "model_name"], name="card_embedding_unique")]

    def __str__(self):
        return f"{self.model_name} · card {self.card_id}"
