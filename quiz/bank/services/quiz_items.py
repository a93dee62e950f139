"""Authored quiz items of a bank card: one multiple-choice item and a few true/false statements.

In the bank YAML a card carries

    mcq: {answer: <one sentence>, distractors: [<3+ misconceptions>], why: [<one line per distractor>]}
    statements: [{text: ..., true: <bool>, why: ...}, ...]   # at least one true and one false

(PyYAML reads the key `true` as the boolean True; both spellings are accepted). Stored on Card.quiz_items as
{"mcq": {...}, "statements": [{"text", "true", "why"}, ...]}.
"""

MIN_DISTRACTORS = 3


def quiz_items_errors(card: dict, where: str) -> list[str]:
    """Problems with a card's items; a card without items is fine here (the bank test requires them)."""
    errors = []
    mcq = card.get("mcq")
    if mcq is not None:
        distractors, why = mcq.get("distractors") if isinstance(mcq, dict) else None, None
        if not isinstance(mcq, dict) or not isinstance(mcq.get("answer"), str) or not mcq["answer"].strip():
            errors.append(f"{where}: mcq needs an 'answer' sentence")
        elif not isinstance(distractors, list) or len(distractors) < MIN_DISTRACTORS:
            errors.append(f"{where}: mcq needs at least {MIN_DISTRACTORS} distractors")
        else:
            why = mcq.get("why")
            if not isinstance(why, list) or len(why) != len(distractors):
                errors.append(f"{where}: mcq 'why' needs one line per distractor")
    statements = card.get("statements")
    if statements is not None:
        if not isinstance(statements, list) or not all(isinstance(item, dict) for item in statements):
            errors.append(f"{where}: statements must be a list of {{text, true, why}}")
        else:
            truths = [_truth(item) for item in statements]
            if any(truth is None for truth in truths) or any(not str(item.get("text", "")).strip()
                                                             for item in statements):  # fmt: skip
                errors.append(f"{where}: every statement needs 'text' and 'true: true|false'")
            elif True not in truths or False not in truths:
                errors.append(f"{where}: statements need at least one true and one false")
    return errors


def _truth(item: dict) -> bool | None:
    value = item.get("true", item.get(True))
    return value if isinstance(value, bool) else None


def quiz_items_from_spec(card: dict) -> dict:
    """The items as stored on the card (plain JSON, `true` as a string key)."""
    items = {}
    if card.get("mcq"):
        mcq = card["mcq"]
        items["mcq"] = {
            "answer": mcq["answer"].strip(),
            "distractors": [str(text).strip() for text in mcq["distractors"]],
            "why": [str(text).strip() for text in mcq.get("why") or []],
        }
    if card.get("statements"):
        items["statements"] = [
            {"text": str(item["text"]).strip(), "true": _truth(item), "why": str(item.get("why", "")).strip()}
            for item in card["statements"]
        ]
    return items
