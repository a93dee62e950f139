"""How well blind strategies guess the right option of every card's authored multiple-choice item.

Run: MODEL_CACHE_DIR=... .venv/bin/python bench/quiz_guess.py   (goal: no strategy right more than 35% of the time)
Strategies never read the card's answer: pick the longest option; the option sharing the most content words with the
question; the option nearest to the question by the shipped sentence encoder (all-MiniLM-L6-v2, cosine). Their
mirror images (shortest, fewest shared words, farthest) are printed as well: a strategy far *below* chance is a tell
too, since eliminating that option raises the odds on the rest. Chance is 1 / number of options (25% with four).
"""

import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-key")

import django  # noqa: E402

django.setup()

from tests.quiz.bank.test_quiz_items_schema import (  # noqa: E402
    GUESS_RATE_MAX,
    authored_items,
    bank_cards,
    guess_rate,
    longest,
    most_shared_words,
)
from worker.embeddings import texts_embed  # noqa: E402


def main() -> None:
    cards, items = bank_cards(), authored_items()
    pairs = [(cards[slug]["question"], item) for slug, item in items.items() if slug in cards]
    texts = sorted(
        {text for question, item in pairs for text in (question, item["mcq"]["answer"], *item["mcq"]["distractors"])}
    )
    vectors = dict(zip(texts, texts_embed(texts), strict=True))

    def nearest(question: str, option: str) -> float:
        return float(np.dot(vectors[question], vectors[option]))

    chance = float(np.mean([1 / (1 + len(item["mcq"]["distractors"])) for _q, item in pairs]))
    strategies = {"longest option": longest, "most shared words": most_shared_words, "nearest by embedding": nearest}
    print(f"{len(pairs)} items, chance {chance:.1%}, goal <= {GUESS_RATE_MAX:.0%}")
    missed = []
    for name, score in strategies.items():
        rate = guess_rate(pairs, score)
        mirror = guess_rate(pairs, lambda q, o, score=score: -score(q, o))
        print(f"  {name:<22} right {rate:6.1%}   (mirror image: {mirror:6.1%})")
        if rate > GUESS_RATE_MAX:
            missed.append(f"{name} {rate:.1%} > {GUESS_RATE_MAX:.0%}")
    print("all goals met" if not missed else "goals missed: " + "; ".join(missed))


if __name__ == "__main__":
    main()
