import re
import zoneinfo
from functools import cache

from django import forms

from quiz.bank.models import Topic
from quiz.study.models import StudySettings
from quiz.study.services.study import DURATION_MAX_MS
from quizsite.input_policy import ID_MAX, BoundedIntegerField

_STEP = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}
ERROR_STEPS = "Steps are durations separated by spaces, such as 1m 10m or 30s 5m 1h (s, m, h or d)."


def steps_format(seconds: list[int]) -> str:
    out = []
    for value in seconds:
        unit = next(u for u in "dhms" if value % _UNIT[u] == 0)
        out.append(f"{value // _UNIT[unit]}{unit}")
    return " ".join(out)


def steps_parse(text: str) -> list[int]:
    steps = []
    for token in text.lower().split():
        match = _STEP.match(token)
        if not match:
            raise forms.ValidationError(ERROR_STEPS)
        steps.append(round(float(match[1]) * _UNIT[match[2]]))
    if len(steps) > 10 or any(s <= 0 or s > 7 * 86400 for s in steps):
        raise forms.ValidationError(ERROR_STEPS)
    return steps


@cache
def _zones() -> list[tuple[str, str]]:
    return [(zone, zone) for zone in sorted(zoneinfo.available_timezones())]


class StepsField(forms.CharField):
    def prepare_value(self, value):
        return steps_format(value) if isinstance(value, list) else value

    def to_python(self, value):
        return steps_parse(super().to_python(value) or "")


def _topics() -> list[tuple[str, str]]:
    return list(Topic.objects.order_by("position", "name").values_list("slug", "name"))


class StudySettingsForm(forms.ModelForm):
    interview_topics = forms.MultipleChoiceField(
        choices=_topics, required=False, widget=forms.CheckboxSelectMultiple, label="Interview topics",
        help_text="Cards of these topics are planned for the date; none ticked means all topics.",
    )  # fmt: skip
    learning_steps = StepsField(required=False, help_text="For new cards, e.g. 1m 10m. Empty: straight to review.")
    relearning_steps = StepsField(required=False, help_text="After a lapse, e.g. 10m.")
    time_zone = forms.ChoiceField(choices=_zones)

    class Meta:
        model = StudySettings
        fields = ["desired_retention", "new_per_day", "reviews_per_day", "learning_steps", "relearning_steps",
                  "day_start_hour", "time_zone", "leech_threshold", "maximum_interval", "interview_date",
                  "interview_topics"]  # fmt: skip
        help_texts = {
            "desired_retention": "The chance of remembering a card when it comes due (0.70 to 0.99).",
            "day_start_hour": "Local hour (0 to 23) a new study day starts; Anki's default is 4.",
            "leech_threshold": "Lapses after which a card is flagged as a leech and suspended.",
            "maximum_interval": "Longest interval in days.",
            "interview_date": "Until this day every chosen card comes up again close enough to it to be remembered "
            "on the day; afterwards scheduling returns to normal. Leave empty for none.",
        }
        labels = {"interview_date": "Interview date"}
        widgets = {
            "desired_retention": forms.NumberInput(attrs={"step": "0.01", "min": "0.7", "max": "0.99"}),
            "interview_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def clean_desired_retention(self):
        value = self.cleaned_data["desired_retention"]
        if not 0.7 <= value <= 0.99:
            raise forms.ValidationError("Desired retention must be between 0.70 and 0.99.")
        return value

    def clean_day_start_hour(self):
        value = self.cleaned_data["day_start_hour"]
        if value > 23:
            raise forms.ValidationError("The hour is 0 to 23.")
        return value

    def clean_leech_threshold(self):
        return max(self.cleaned_data["leech_threshold"], 1)

    def clean_maximum_interval(self):
        return min(max(self.cleaned_data["maximum_interval"], 1), 36500)


class ReviewForm(forms.Form):
    """One answer from the study page. A negative duration is refused here, not left to the database's check
    (whose IntegrityError would look like a resent answer)."""

    card_id = BoundedIntegerField(min_value=1, max_value=ID_MAX)
    rating = BoundedIntegerField(min_value=0, max_value=9)  # 1-4 is the service's rule, with its own message
    review_id = forms.UUIDField()
    duration_ms = BoundedIntegerField(required=False, min_value=0, max_value=10**12)

    def clean_duration_ms(self):
        value = self.cleaned_data["duration_ms"]
        return min(value, DURATION_MAX_MS) if value else None  # an hour or more: the tab was left open
