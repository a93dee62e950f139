"""The interview grader (quiz/services/grading.py) on real all-MiniLM-L6-v2 embeddings.

Labelled answers are split once by a hash of the card slug (quiz/services/grading_labels.py): the ordering test reads
the tuning half (where the constants were chosen), the calibration bands are enforced on the held-out half. Every
distinct text is encoded once per session (the `encoder` fixture caches by text); no database is needed (cards are
built from the bank files). Grading the labelled sets (encoder and LM) takes about ten minutes on two busy CPU cores.
"""

import statistics

import numpy as np
import pytest

from quiz.exams.services.grading import (
    CONTRADICTED,
    COVERED,
    MAX_ANSWER_CHARS,
    MESSAGE_EMPTY,
    answer_grade,
    answers_grade,
)
from tests.quiz.exams.grading_labels import HELD_OUT, KINDS, TUNING, bank_cards, label_half, labels_half, labels_read

# The first test to use the labelled halves grades them (about 500 answers: encoder and LM) in its setup: minutes on
# two busy cores, past the suite's default per-test timeout.
pytestmark = pytest.mark.timeout(1800)

MIN_ORDERED_TUNING = 0.78  # share of tuning cards scored good > partial > wrong (82.8% with the shipped constants)
INVARIANCE = 5  # points: the same content, punctuated or ordered differently, scores within this


@pytest.fixture(scope="session")
def encoder():
    from worker.embeddings import texts_embed

    cache: dict[str, np.ndarray] = {}

    def cached(texts):
        todo = [t for t in dict.fromkeys(texts) if t not in cache]
        if todo:
            cache.update(zip(todo, texts_embed(todo), strict=True))
        return np.stack([cache[t] for t in texts])

    return cached


@pytest.fixture(scope="session")
def cards():
    return bank_cards()


def _graded(half, cards, encoder, kinds=KINDS) -> dict[str, dict]:
    labels = labels_half(half)
    keys = [(e["card"], k) for e in labels for k in kinds if e.get(k)]
    grades = answers_grade([(dict(e)[k], cards[e["card"]]) for e in labels for k in kinds if e.get(k)], embed=encoder)
    out: dict[str, dict] = {}
    for (slug, kind), grade in zip(keys, grades, strict=True):
        out.setdefault(slug, {})[kind] = grade
    return out


@pytest.fixture(scope="session")
def tuning(cards, encoder):
    return _graded(TUNING, cards, encoder, kinds=("good", "partial", "wrong"))


@pytest.fixture(scope="session")
def held_out(cards, encoder):
    return _graded(HELD_OUT, cards, encoder)


def _grade(encoder, cards, slug, text):
    return answer_grade(text, cards[slug], embed=encoder)


# --- The labelled set and its split ------------------------------------------------------------------------------


def test_the_split_is_fixed_by_the_slug_and_halves_the_labelled_cards(cards):
    labels = labels_read()
    slugs = [entry["card"] for entry in labels]
    assert len(set(slugs)) == len(slugs) and not set(slugs) - set(cards)
    tuning = {s for s in slugs if label_half(s) == TUNING}
    assert label_half("feed-forward-network") == label_half("feed-forward-network")
    assert 0.4 <= len(tuning) / len(slugs) <= 0.6
    assert {e["card"] for e in labels_half(TUNING)} == tuning
    assert not tuning & {e["card"] for e in labels_half(HELD_OUT)}


def test_the_grader_orders_good_above_partial_above_wrong_on_the_tuning_half(tuning, capsys):
    ordered = [s["good"].score > s["partial"].score > s["wrong"].score for s in tuning.values()]
    misses = [f"{slug} ({s['good'].score}/{s['partial'].score}/{s['wrong'].score})"
              for (slug, s), ok in zip(tuning.items(), ordered, strict=True) if not ok]  # fmt: skip
    line = f"tuning half: {sum(ordered)}/{len(ordered)} ordered; out of order: {', '.join(misses) or 'none'}"
    with capsys.disabled():
        print("\n" + line)
    assert sum(ordered) / len(ordered) >= MIN_ORDERED_TUNING, line


def _held_out_means(held_out) -> dict[str, float]:
    return {k: statistics.mean(s[k].score for s in held_out.values() if k in s) for k in KINDS}


def test_the_held_out_half_keeps_the_calibration_contract(held_out, capsys):
    """Mean per class on answers never used to choose a constant: complete 75-100, thin 35-65, keyword list 0-25,
    the same content unpunctuated like the punctuated one."""
    mean = _held_out_means(held_out)
    with capsys.disabled():
        print("\nheld-out means: " + ", ".join(f"{k} {v:.0f}" for k, v in mean.items()))
    assert mean["good"] >= 75 and mean["unpunctuated"] >= 75
    assert 35 <= mean["partial"] <= 65
    assert mean["keywords"] <= 25


def test_confident_misconceptions_score_0_to_25_on_the_held_out_half(held_out):
    assert _held_out_means(held_out)["wrong"] <= 25


@pytest.mark.xfail(strict=True, reason="open: held-out mean of negated answers 26.1 (tuning half: 31)")
def test_contradictions_score_0_to_25_on_the_held_out_half(held_out):
    assert _held_out_means(held_out)["negated"] <= 25


def test_the_references_support_cuts_misconceptions_not_correct_answers(held_out):
    """The LM's agreement factor: most wrong answers are cut, almost no good or partial one is."""
    cut = {kind: [s[kind].agreement < 1 for s in held_out.values()] for kind in ("good", "partial", "wrong")}
    share = {kind: sum(flags) / len(flags) for kind, flags in cut.items()}
    assert share["wrong"] >= 0.5 and share["good"] <= 0.1 and share["partial"] <= 0.2, share
    for card_grades in held_out.values():
        for grade in card_grades.values():
            assert ("least supported" in grade.explanation) == (grade.agreement < 1)


def test_every_verdict_quotes_the_answer_and_the_explanation_states_the_figures(held_out):
    for card_grades in held_out.values():
        for grade in card_grades.values():
            n, k = len(grade.points), len(grade.covered)
            assert grade.explanation.startswith(f"{k} of {n} key points covered")
            assert f"Score {grade.score}/100" in grade.explanation and "close to" not in grade.explanation
            for verdict in grade.points:
                assert bool(verdict.quote) == (verdict.status != "missed")


# --- The concrete failures -------------------------------------------------------------------------------


@pytest.mark.xfail(
    strict=True,
    reason="open: since the FFN card's key points were rewritten (stated in full in its "
    "answer), the terse note matches 1 of the 3 points it states (score 33); see the grader issue",
)
def test_a_terse_correct_paraphrase_of_the_ffn_answer_scores_as_correct(encoder, cards):
    grade = _grade(encoder, cards, "feed-forward-network",
                   "two-layer MLP per position, d_model to 4*d_model, ReLU/GELU, key-value memory")  # fmt: skip
    assert grade.score >= 60 and len(grade.covered) >= 3, grade.explanation


def test_the_key_points_score_alike_joined_by_spaces_or_semicolons(encoder, cards):
    for slug in ("feed-forward-network", "kv-cache-generation", "layernorm-vs-batchnorm"):
        points = cards[slug].key_points
        spaces = _grade(encoder, cards, slug, " ".join(points))
        semicolons = _grade(encoder, cards, slug, "; ".join(points))
        assert abs(spaces.score - semicolons.score) <= INVARIANCE and spaces.score >= 75, slug


@pytest.mark.parametrize(
    ("slug", "statement", "point_word"),
    [
        (
            "attention-scaling-sqrt-dk",
            "You multiply the scores by the square root of d_k before the softmax.",
            "Dividing",
        ),
        (
            "self-attention-complexity",
            "The cost stays flat when the context doubles, so long inputs are cheap.",
            "Quadratic",
        ),
        ("layernorm-vs-batchnorm", "BatchNorm normalizes each token on its own.", "BatchNorm normalizes"),
    ],
)
def test_a_statement_of_the_opposite_is_reported_as_a_contradiction(encoder, cards, slug, statement, point_word):
    grade = _grade(encoder, cards, slug, statement)
    contradicted = [v for v in grade.points if v.status == CONTRADICTED]
    assert any(point_word in v.point for v in contradicted), grade.explanation
    assert not set(grade.contradicted) & set(grade.covered)
    for verdict in contradicted:
        assert verdict.quote in statement and verdict.quote in verdict.note and verdict.point in verdict.note
    assert grade.score <= 25


def test_a_confident_wrong_answer_in_the_cards_vocabulary_scores_below_a_brief_correct_one(encoder, cards):
    wrong = ("Attention scores are multiplied by the square root of d_k, which makes the softmax sharper and the "
             "gradients larger; the variance of the dot product shrinks as the head dimension grows.")  # fmt: skip
    brief = "We divide by sqrt(d_k) because the dot products grow with the head dimension and saturate the softmax."
    assert _grade(encoder, cards, "attention-scaling-sqrt-dk", wrong).score <= 25
    assert _grade(encoder, cards, "attention-scaling-sqrt-dk", brief).score >= 35


# --- Invariance: punctuation, order of points, synonyms ----------------------------------------------------------

KV_POINTS = [
    "the keys and values of earlier tokens never change under causal attention so they are kept and reused",
    "each step computes query key and value only for the newest token and appends its key and value to the cache",
    "the new query attends over every cached key and value",
    "without it every step recomputes the whole prefix which is quadratic work",
    "it spends memory that grows with layers sequence length and batch size to buy speed",
]


def test_the_same_content_scores_alike_however_it_is_punctuated(encoder, cards):
    forms = {
        "sentences": ". ".join(p.capitalize() for p in KV_POINTS) + ".",
        "enumeration": " ".join(f"({i + 1}) {p}" for i, p in enumerate(KV_POINTS)),
        "commas": ", ".join(KV_POINTS),
        "none": " ".join(KV_POINTS),
    }
    scores = {name: _grade(encoder, cards, "kv-cache-generation", text).score for name, text in forms.items()}
    assert max(scores.values()) - min(scores.values()) <= INVARIANCE, scores
    assert min(scores.values()) >= 75, scores


def test_the_order_of_the_points_does_not_change_the_score(encoder, cards):
    forward = _grade(encoder, cards, "kv-cache-generation", ". ".join(KV_POINTS))
    backward = _grade(encoder, cards, "kv-cache-generation", ". ".join(reversed(KV_POINTS)))
    assert abs(forward.score - backward.score) <= INVARIANCE
    assert abs(len(forward.covered) - len(backward.covered)) <= 1  # windows fall differently across the points


@pytest.mark.parametrize(
    ("slug", "one", "other"),
    [
        ("feed-forward-network",
         "The feed-forward network is applied to every position separately with the same weights.",
         "The MLP is applied to every position separately with the same weights."),
        ("kv-cache-generation",
         "The key-value cache stores the keys and values of past tokens so they are reused at every step.",
         "The KV cache stores the keys and values of past tokens so they are reused at every step."),
        ("attention-scaling-sqrt-dk",
         "Dividing by sqrt(d_k) restores unit variance whatever the head size.",
         "Dividing by the square root of the key dimension restores unit variance whatever the head size."),
    ],
)  # fmt: skip
def test_domain_synonyms_score_alike(encoder, cards, slug, one, other):
    a, b = _grade(encoder, cards, slug, one), _grade(encoder, cards, slug, other)
    assert abs(a.score - b.score) <= INVARIANCE and a.covered == b.covered, (a.explanation, b.explanation)


# --- Edges -------------------------------------------------------------------------------------------------------


def test_an_empty_answer_scores_zero_without_touching_the_models(cards):
    def no_model(*args, **kwargs):
        raise AssertionError("neither the encoder nor the LM may run for an empty answer")

    card = cards["kv-cache-generation"]
    for empty in ("", "   \n\t ", "?!"):
        grade = answer_grade(empty, card, embed=no_model, gains=no_model)
        assert grade.score == 0 and grade.covered == [] and grade.missed == card.key_points
        assert grade.explanation == MESSAGE_EMPTY


def test_an_off_topic_answer_and_a_keyword_list_score_low(encoder, cards):
    off_topic = _grade(encoder, cards, "layernorm-vs-batchnorm", "I had soup for lunch and then walked the dog.")
    assert off_topic.score == 0 and not off_topic.covered
    keywords = _grade(encoder, cards, "layernorm-vs-batchnorm",
                      "LayerNorm BatchNorm batch features token padding running statistics inference")  # fmt: skip
    assert keywords.score <= 25 and keywords.keyword_list


def test_the_reference_answer_scores_high_and_covers_most_points(encoder, cards):
    card = cards["kv-cache-generation"]
    grade = answer_grade(card.answer, card, embed=encoder)
    assert grade.score >= 80 and grade.similarity > 0.9
    assert len(grade.covered) >= len(card.key_points) - 1
    assert sorted(grade.covered + grade.missed + grade.contradicted) == sorted(card.key_points)
    assert all(v.quote in card.answer for v in grade.points if v.status == COVERED)


def test_a_very_long_answer_is_graded_on_its_capped_text(encoder, cards):
    card = cards["speculative-decoding"]
    long = "A small draft model proposes tokens and the target model verifies them. " * 2000
    assert len(long) > 10 * MAX_ANSWER_CHARS
    grade = answer_grade(long, card, embed=encoder)
    assert 0 <= grade.score <= 100 and grade.covered
