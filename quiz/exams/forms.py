"""Input parsing for quizzes and mock interviews; the rules themselves live in the services."""

from django import forms

from quiz.bank.models import Card, Topic
from quiz.exams.models import Interview, Quiz
from quiz.exams.services.interview import MINUTES_CHOICES, QUESTION_CHOICES
from quiz.exams.services.quiz import LENGTH_CHOICES, MAX_TYPED_CHARS
from quizsite.input_policy import INT_MAX, BoundedIntegerField, text_validate


class TopicsField(forms.ModelMultipleChoiceField):
    def __init__(self, **kwargs):
        super().__init__(queryset=Topic.objects.all(), to_field_name="slug", required=False,
                         widget=forms.CheckboxSelectMultiple, help_text="None ticked means every topic.", **kwargs)  # fmt: skip

    def clean(self, value):
        return [topic.slug for topic in super().clean(value)]


class QuizStartForm(forms.Form):
    topics = TopicsField()
    difficulty = forms.TypedChoiceField(choices=[("", "Any")] + Card.Difficulty.choices, coerce=int,
                                        empty_value=None, required=False)  # fmt: skip
    length = forms.TypedChoiceField(choices=[(n, f"{n} questions") for n in LENGTH_CHOICES], coerce=int, initial=10)
    feedback = forms.ChoiceField(choices=Quiz.Feedback.choices, initial=Quiz.Feedback.IMMEDIATE,
                                 widget=forms.RadioSelect, label="Show the right answer")  # fmt: skip
    quiz_format = forms.ChoiceField(choices=Quiz.Format.choices, initial=Quiz.Format.MIXED, widget=forms.RadioSelect,
                                    label="Format")  # fmt: skip


class QuizAnswerForm(forms.Form):
    choice = forms.TypedChoiceField(coerce=int, choices=[], error_messages={"required": "Choose one of the options."})

    def __init__(self, *args, options: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choice"].choices = [(i, i) for i in range(options)]


class QuizTypedForm(forms.Form):
    text = forms.CharField(max_length=MAX_TYPED_CHARS, label="Your answer",
                           error_messages={"required": "Write an answer first."})  # fmt: skip


class MatchPairForm(forms.Form):
    """One pairing on a match board: question ``number`` (from 1) with answer ``choice`` (an index)."""

    number = forms.IntegerField(min_value=1)
    choice = forms.IntegerField(min_value=0, error_messages={"required": "Pick an answer for the question."})


class InterviewStartForm(forms.Form):
    questions = forms.TypedChoiceField(choices=[(n, f"{n} questions") for n in QUESTION_CHOICES], coerce=int,
                                       initial=5)  # fmt: skip
    minutes = forms.TypedChoiceField(choices=[(n, f"{n} min") for n in MINUTES_CHOICES], coerce=int, initial=15)
    topics = TopicsField()
    mix = forms.ChoiceField(choices=Interview.Mix.choices, initial=Interview.Mix.BALANCED, widget=forms.RadioSelect,
                            label="Difficulty mix")  # fmt: skip


class InterviewAnswerForm(forms.Form):
    """Text exactly as typed (no stripping); length is capped by the service, which says so."""

    ACTIONS = ("submit", "skip", "flag", "unflag")

    text = forms.CharField(required=False, strip=False, validators=[text_validate])
    rev = BoundedIntegerField(required=False, max_value=INT_MAX)  # the page sends Date.now(): ~1.7e12
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS], required=False)
    number = BoundedIntegerField(required=False, min_value=1, max_value=max(QUESTION_CHOICES))  # finish only


class InterviewOpenForm(forms.Form):
    q = BoundedIntegerField(min_value=1, max_value=max(QUESTION_CHOICES))


class KeyPointContestForm(forms.Form):
    """The learner's verdict on one key point: covered, missed, or undo (the machine's verdict stands again)."""

    verdict = forms.ChoiceField(choices=[("covered", "I did cover this"), ("missed", "I did not"), ("undo", "Undo")])


class InterviewScheduleForm(forms.Form):
    """One FSRS rating per graded answer, as ``rating-<answer id>`` fields (1 Again .. 4 Easy)."""

    def __init__(self, *args, answer_ids: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        for answer_id in answer_ids:
            self.fields[f"rating-{answer_id}"] = forms.TypedChoiceField(
                choices=[(r, r) for r in (1, 2, 3, 4)], coerce=int, required=False, empty_value=None
            )

    def ratings(self) -> dict[int, int]:
        return {int(name.split("-", 1)[1]): value for name, value in self.cleaned_data.items() if value}
