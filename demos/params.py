"""Typed demo parameters with bounds. One declaration per field drives validation, the form and the pre-fill.

Every message a learner sees when a value is refused is a constant here; the full text names the parameter
first (`DemoParamError.detail`), e.g. "max_new_tokens must be a whole number from 1 to 64".
"""

import math
from dataclasses import dataclass
from typing import Any

ERR_NOT_OBJECT = "must be a JSON object of parameters"
ERR_UNKNOWN_KIND = "is not a demo; choose one of: {choices}"
ERR_UNKNOWN_PARAM = "is not a parameter of this demo"
ERR_TEXT_LENGTH = "must be 1 to {max} characters long"
ERR_INT_RANGE = "must be a whole number from {low} to {high}"
ERR_FLOAT_RANGE = "must be a number from {low} to {high}"
ERR_FLOAT_RANGE_OPEN = "must be a number greater than {low} and at most {high}"
ERR_CHOICE = "must be one of: {choices}"
ERR_CHOICES_COUNT = "needs 1 to {max} of: {choices}"
ERR_FLOAT_LIST = "needs 1 to {max} numbers, each from {low} to {high}"


class DemoParamError(ValueError):
    """A parameter out of bounds: `param` names it, `message` states the bound (one of the ERR_ constants)."""

    def __init__(self, param: str, message: str, *, label: str = ""):
        self.param, self.message, self.label = param, message, label
        super().__init__(self.detail)

    @property
    def detail(self) -> str:
        return f"{self.param} {self.message}"

    @property
    def human(self) -> str:
        """For the page: the field's label instead of its name ("Max new tokens must be ...")."""
        return f"{self.label or self.param.replace('_', ' ').capitalize()} {self.message}"


@dataclass(frozen=True, kw_only=True)
class Field:
    """A parameter: `clean` coerces a JSON or form value and enforces the bound; `widget` picks the form input."""

    name: str
    label: str
    default: Any
    help: str = ""
    widget = "text"

    def clean(self, value):
        raise NotImplementedError

    def refuse(self, message: str, **bounds):
        raise DemoParamError(self.name, message.format(**bounds), label=self.label)

    def from_query(self, query, *, submitted: bool = False):
        """The raw value from a QueryDict (a pre-filling link, or a `submitted` form), or None when absent."""
        return query.get(self.name)

    def display(self, value) -> str:
        return "" if value is None else str(value)


@dataclass(frozen=True, kw_only=True)
class Text(Field):
    max_length: int = 500
    multiline: bool = True

    @property
    def widget(self):
        return "textarea" if self.multiline else "text"

    def clean(self, value):
        text = value.replace("\x00", "").strip() if isinstance(value, str) else ""
        if not 1 <= len(text) <= self.max_length:
            self.refuse(ERR_TEXT_LENGTH, max=self.max_length)
        return text


@dataclass(frozen=True, kw_only=True)
class Int(Field):
    low: int
    high: int
    widget = "number"
    step = 1

    def clean(self, value):
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not self.low <= value <= self.high:
            self.refuse(ERR_INT_RANGE, low=self.low, high=self.high)
        return value


def _number(value) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


@dataclass(frozen=True, kw_only=True)
class Float(Field):
    low: float
    high: float
    low_open: bool = False  # True: the low bound itself is refused (0 < p <= 1)
    step: float = 0.01
    widget = "number"

    def clean(self, value):
        number = _number(value)
        inside = (
            number is not None and (self.low < number if self.low_open else self.low <= number) and number <= self.high
        )
        if not inside:
            self.refuse(ERR_FLOAT_RANGE_OPEN if self.low_open else ERR_FLOAT_RANGE, low=self.low, high=self.high)
        return round(number, 4)


@dataclass(frozen=True, kw_only=True)
class Choice(Field):
    choices: tuple[tuple[str, str], ...]  # (value, label)
    widget = "select"

    @property
    def values(self) -> list[str]:
        return [value for value, _ in self.choices]

    def clean(self, value):
        if value not in self.values:
            self.refuse(ERR_CHOICE, choices=", ".join(self.values))
        return value


@dataclass(frozen=True, kw_only=True)
class MultiChoice(Choice):
    """A list of distinct choices, kept in the declared order (so the same set always hashes the same)."""

    widget = "checkboxes"

    def from_query(self, query, *, submitted: bool = False):
        values = query.getlist(self.name)
        if len(values) == 1 and "," in values[0]:  # ?strategies=greedy,beam from a card link
            values = values[0].split(",")
        values = [value.strip() for value in values]
        return values if values or submitted else None  # a form with every box unticked chose none

    def display(self, value) -> str:
        return ",".join(value) if isinstance(value, list | tuple) else str(value or "")

    def clean(self, value):
        values = [value] if isinstance(value, str) else value
        if (
            not isinstance(values, list | tuple)
            or not 1 <= len(values) <= len(self.choices)
            or any(item not in self.values for item in values)
        ):
            self.refuse(ERR_CHOICES_COUNT, max=len(self.choices), choices=", ".join(self.values))
        return [item for item in self.values if item in values]


@dataclass(frozen=True, kw_only=True)
class FloatList(Field):
    """A few numbers; typed in a form as "0.5, 1, 1.5"."""

    low: float
    high: float
    max_count: int

    def clean(self, value):
        items = value.replace(",", " ").split() if isinstance(value, str) else value
        numbers = [_number(item) for item in items] if isinstance(items, list | tuple) else []
        if not 1 <= len(numbers) <= self.max_count or any(n is None or not self.low <= n <= self.high for n in numbers):
            self.refuse(ERR_FLOAT_LIST, max=self.max_count, low=self.low, high=self.high)
        return [round(n, 4) for n in numbers]

    def display(self, value) -> str:
        return ", ".join(f"{n:g}" for n in value) if isinstance(value, list | tuple) else str(value or "")
