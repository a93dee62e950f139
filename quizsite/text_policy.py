"""The text rule of the input policy, free of Django so that pure parsers (the Q&A importer) apply it too.

NUL, the other C0 control characters except tab, newline and carriage return, DEL, and lone surrogates are refused:
PostgreSQL stores no NUL in text and cannot encode a surrogate, and none of them belongs in a question or answer.
"""

import re
from dataclasses import dataclass

CONTROL_CLASS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
TEXT_PATTERN = f"^[^{CONTROL_CLASS}]*$"  # the same rule, as stated in the OpenAPI document
CONTROL = re.compile(f"[{CONTROL_CLASS}\ud800-\udfff]")
MESSAGE_CONTROL = (
    "{field}: contains a control character ({code}) at position {position}; "
    "NUL and control characters are not accepted (tab and newline are)."
)


@dataclass(frozen=True)
class InputProblem:
    field: str
    message: str
    code: str = ""
    position: int = 0


def text_problem(value: str, *, field: str = "text") -> InputProblem | None:
    """The first refused character in `value`, as a message naming the field and the position (from 1)."""
    match = CONTROL.search(value)
    if match is None:
        return None
    code, position = f"U+{ord(match.group()):04X}", match.start() + 1
    return InputProblem(field, MESSAGE_CONTROL.format(field=field, code=code, position=position), code, position)
