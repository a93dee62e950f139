"""Self-testing: quizzes (multiple choice, true/false, typed answer, match) and timed mock interviews; typed quiz
answers and interview answers are graded on the worker."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

__all__ = ["Quiz", "QuizQuestion", "Interview", "InterviewAnswer", "KeyPointContest"]


class Quiz(models.Model):
    class Feedback(models.TextChoices):
        IMMEDIATE = "immediate", "After each question"
        END = "end", "At the end"

    class Format(models.TextChoices):
        MIXED = "mixed", "Mixed"
        MCQ = "mcq", "Multiple choice"
        TRUEFALSE = "truefalse", "True or false"
        TYPED = "typed", "Typed answer"
        MATCH = "match", "Match"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quizzes")
    topics = models.JSONField(default=list, blank=True, help_text="Topic slugs; empty means all.")
    difficulty = models.PositiveSmallIntegerField(null=True, blank=True, help_text="None means any.")
    feedback = models.CharField(max_length=10, choices=Feedback.choices, default=Feedback.IMMEDIATE)
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.MCQ)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    grading_queued_at = models.DateTimeField(null=True, blank=True, help_text="Typed answers last sent for grading.")
    match_started_at = models.DateTimeField(null=True, blank=True, help_text="Match: when the board was first shown.")
    match_mistakes = models.PositiveSmallIntegerField(default=0, help_text="Match: wrong pairings (a penalty each).")
    match_seconds = models.FloatField(null=True, blank=True, help_text="Match: final time with penalties.")

    class Meta:
        db_table = "quiz_quiz"
        ordering = ["-created_at"]
        verbose_name_plural = "quizzes"

    def __str__(self):
        return f"Quiz {self.pk} of {self.user}"

    def get_absolute_url(self):
        return reverse("quiz:quiz_detail", kwargs={"quiz_id": self.pk})


class QuizQuestion(models.Model):
    """One item of a quiz. What each kind uses:

    * mcq: ``options`` [{"text", "why"}] (the card's authored answer and distractors, shuffled; the right one's
      ``why`` is empty); quizzes made before authored items have [{"text", "card_id"}] rows and still work.
    * truefalse: ``prompt`` is the statement, ``options`` True/False, ``why`` says why it is true or false.
    * typed: ``response`` is the learner's text; ``score``/``grade`` come from the grader on the worker.
    * match: ``options`` is the whole board's short answers (the same list on every row of the quiz),
      ``correct_index`` this card's one; ``mistakes`` counts wrong pairings tried on this question.
    """

    class Kind(models.TextChoices):
        MCQ = "mcq", "Multiple choice"
        TRUEFALSE = "truefalse", "True or false"
        TYPED = "typed", "Typed answer"
        MATCH = "match", "Match"

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    card = models.ForeignKey("bank.Card", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MCQ)
    prompt = models.TextField(blank=True, help_text="True/false: the statement judged.")
    why = models.TextField(blank=True, help_text="True/false: why the statement is true or false.")
    options = models.JSONField(default=list, blank=True, help_text='[{"text": markdown, "why"|"card_id": ...}].')
    correct_index = models.PositiveSmallIntegerField(null=True, blank=True, help_text="None for typed answers.")
    chosen_index = models.PositiveSmallIntegerField(null=True, blank=True)
    correct = models.BooleanField(null=True, blank=True, help_text="Typed answers: None until graded.")
    answered_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(blank=True, help_text="Typed answer: the text as submitted.")
    score = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Typed answer: 0 to 100.")
    grade = models.JSONField(default=dict, blank=True, help_text="Typed answer: covered, missed, explanation.")
    graded_at = models.DateTimeField(null=True, blank=True)
    mistakes = models.PositiveSmallIntegerField(default=0, help_text="Match: wrong pairings tried.")

    class Meta:
        db_table = "quiz_quizquestion"
        ordering = ["quiz", "position"]
        constraints = [models.UniqueConstraint(fields=["quiz", "position"], name="quiz_question_unique")]

    def __str__(self):
        return f"Quiz {self.quiz_id} · question {self.position + 1}"

    @property
    def answered(self) -> bool:
        return self.answered_at is not None

    @property
    def chosen_why(self) -> str:
        """Why the option picked is wrong (authored items only); empty when it is right or unknown."""
        if self.kind == self.Kind.TRUEFALSE:
            return self.why if self.correct is False else ""
        if self.chosen_index is None or self.correct or self.chosen_index >= len(self.options):
            return ""
        return self.options[self.chosen_index].get("why", "")


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
        db_table = "quiz_interview"
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
    card = models.ForeignKey("bank.Card", on_delete=models.CASCADE, related_name="+")
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
    agreement = models.FloatField(
        default=1.0, help_text="0 to 1: the card's reference supports what the answer states (a factor on the score)."
    )
    graded_at = models.DateTimeField(null=True, blank=True)
    contested_score = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="0 to 100 with the learner's verdicts; None when nothing is contested.",
    )  # fmt: skip
    study_rating = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="FSRS rating (1-4) recorded in the study schedule; None until saved.",
    )  # fmt: skip
    study_saved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "quiz_interviewanswer"
        ordering = ["interview", "position"]
        constraints = [models.UniqueConstraint(fields=["interview", "position"], name="interview_answer_unique")]

    def __str__(self):
        return f"Interview {self.interview_id} · answer {self.position + 1}"

    @property
    def answered(self) -> bool:
        return bool(self.text.strip())

    @property
    def final_score(self) -> int | None:
        """The score that counts: the learner's contested one when there is one, else the machine's."""
        return self.score if self.contested_score is None else self.contested_score


class KeyPointContest(models.Model):
    """The learner's own verdict on one key point of a graded answer. The machine's verdict stays on the answer
    (``InterviewAnswer.verdicts``); this row is what the learner said, kept as labelled data for the grader."""

    class Verdict(models.TextChoices):
        COVERED = "covered", "I did cover this"
        MISSED = "missed", "I did not"

    answer = models.ForeignKey(InterviewAnswer, on_delete=models.CASCADE, related_name="contests")
    index = models.PositiveSmallIntegerField(help_text="Position of the key point in the answer's verdicts.")
    point = models.TextField(help_text="The key point as graded (the card may change later).")
    machine_status = models.CharField(max_length=16, help_text="covered / partly / missed / contradicted.")
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    score_before = models.PositiveSmallIntegerField(help_text="The machine's score of the answer.")
    score_after = models.PositiveSmallIntegerField(help_text="The answer's score with all the learner's verdicts.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "exams_keypointcontest"
        ordering = ["answer", "index"]
        constraints = [models.UniqueConstraint(fields=["answer", "index"], name="key_point_contest_unique")]
        indexes = [models.Index(fields=["updated_at"], name="key_point_contest_updated")]

    def __str__(self):
        return f"{self.answer} · key point {self.index + 1}: {self.verdict}"

    @property
    def agrees(self) -> bool:
        return self.verdict == self.machine_status
