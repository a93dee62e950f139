"""Card search ranked by relevance, tolerant of typos, over either database.

- PostgreSQL: full-text search (``SearchVector``/``SearchRank``, question weighted over tags, answer and details)
  plus ``pg_trgm``'s word similarity to the question, which also finds misspelt words ("rotery" -> "Rotary").
- SQLite (the embedded default): an FTS5 index kept in step with ``quiz_card`` by triggers, ranked with bm25 and the
  same column weights; a query word that is not in the index's vocabulary is replaced by its closest words there.

Either way the card whose question is exactly the query comes first, then a card that defines the query ("kv cache"
-> "What is the KV cache, ...?": a learner who types a bare term wants its definition before the cards that use it),
then the rest by relevance. ``card_search`` returns a QuerySet, so filters and pagination work as before.
"""

import difflib
import re

from django.db import connection as default_connection
from django.db.models import Case, F, FloatField, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Lower

from quiz.bank.models import Card

WEIGHTS = (10.0, 5.0, 3.0, 1.0, 0.5)  # bm25 column weights (question, tags, key points, answer, details)
TYPO_CUTOFF = 0.75  # difflib ratio for a misspelt word (rotery/rotary is 0.83, cache/catch 0.6)
TRIGRAM_MIN = 0.35  # pg_trgm word similarity that counts as a match when full-text search finds nothing
MAX_WORDS = 8
_WORD = re.compile(r"\w+", re.UNICODE)


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)][:MAX_WORDS]


def _normalized(text: str) -> str:
    return " ".join(_words(text))


def card_search(*, text: str, cards: QuerySet[Card] | None = None) -> QuerySet[Card]:
    """Cards matching ``text``, best first; ``cards`` narrows the set (topic, difficulty, in use)."""
    cards = Card.objects.in_use() if cards is None else cards
    if not _words(text):
        return cards
    if default_connection.vendor == "postgresql":
        return _search_postgres(text=text, cards=cards)
    if default_connection.vendor == "sqlite":
        return _search_sqlite(text=text, cards=cards)
    return _search_plain(text=text, cards=cards)


def _defines(text: str, words: list[str] | None = None) -> Case:
    """1 for a card asking what the query is ("What is (the|a|an) <query>" at the start of the question)."""
    words = words or _words(text)
    pattern = r"^(what|who) (is|are) (the |a |an )?" + r"[\s-]+".join(re.escape(w) for w in words) + r"([^a-z0-9]|$)"
    return Case(When(question__iregex=pattern, then=Value(1)), default=Value(0), output_field=IntegerField())


def _exact_first(text: str) -> Case:
    """1 for the card whose question is the query (case, punctuation and spacing aside)."""
    wanted = text.strip().rstrip("?").strip().lower()
    return Case(When(Q(question__iexact=wanted) | Q(question__iexact=wanted + "?"), then=Value(1)), default=Value(0),
                output_field=IntegerField())  # fmt: skip


# --- PostgreSQL ------------------------------------------------------------------------------------------------


def _search_postgres(*, text: str, cards: QuerySet[Card]) -> QuerySet[Card]:
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, TrigramWordSimilarity
    from django.db.models import TextField

    vector = (SearchVector("question", weight="A", config="english")
              + SearchVector(Cast("tags", TextField()), weight="B", config="english")
              + SearchVector(Cast("key_points", TextField()), weight="B", config="english")
              + SearchVector("answer", weight="C", config="english")
              + SearchVector("details", weight="D", config="english"))  # fmt: skip
    query = SearchQuery(" ".join(_words(text)), search_type="plain", config="english")
    ranked = cards.annotate(
        rank=SearchRank(vector, query), similarity=TrigramWordSimilarity(_normalized(text), Lower("question")),
        exact=_exact_first(text), defines=_defines(text),
    )  # fmt: skip
    ranked = ranked.filter(Q(rank__gt=0) | Q(similarity__gte=TRIGRAM_MIN) | Q(exact=1))
    score = Cast(F("rank"), FloatField()) + Cast(F("similarity"), FloatField()) * 0.5
    return ranked.annotate(score=score).order_by("-exact", "-defines", "-score", "topic__position", "pk")


# --- SQLite FTS5 -----------------------------------------------------------------------------------------------


_INDEX_NAMES = ["bank_card_fts", "bank_card_fts_vocab", "bank_card_fts_ai", "bank_card_fts_ad", "bank_card_fts_au"]
_INDEX_CREATE = [
    "CREATE VIRTUAL TABLE bank_card_fts USING fts5(question, tags, key_points, answer, details, "
    "content='quiz_card', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE bank_card_fts_vocab USING fts5vocab(bank_card_fts, 'row')",
    """CREATE TRIGGER bank_card_fts_ai AFTER INSERT ON quiz_card BEGIN
        INSERT INTO bank_card_fts(rowid, question, tags, key_points, answer, details)
        VALUES (new.id, new.question, new.tags, new.key_points, new.answer, new.details);
    END""",
    """CREATE TRIGGER bank_card_fts_ad AFTER DELETE ON quiz_card BEGIN
        INSERT INTO bank_card_fts(bank_card_fts, rowid, question, tags, key_points, answer, details)
        VALUES ('delete', old.id, old.question, old.tags, old.key_points, old.answer, old.details);
    END""",
    """CREATE TRIGGER bank_card_fts_au AFTER UPDATE ON quiz_card BEGIN
        INSERT INTO bank_card_fts(bank_card_fts, rowid, question, tags, key_points, answer, details)
        VALUES ('delete', old.id, old.question, old.tags, old.key_points, old.answer, old.details);
        INSERT INTO bank_card_fts(rowid, question, tags, key_points, answer, details)
        VALUES (new.id, new.question, new.tags, new.key_points, new.answer, new.details);
    END""",
    "INSERT INTO bank_card_fts(bank_card_fts) VALUES ('rebuild')",
]
_INDEX_DROP = [
    "DROP TRIGGER IF EXISTS bank_card_fts_ai",
    "DROP TRIGGER IF EXISTS bank_card_fts_ad",
    "DROP TRIGGER IF EXISTS bank_card_fts_au",
    "DROP TABLE IF EXISTS bank_card_fts_vocab",
    "DROP TABLE IF EXISTS bank_card_fts",
]


def sqlite_index_ensure(*, connection=default_connection) -> bool:
    """Create the FTS5 index, its vocabulary view and the triggers that keep it in step, if any is missing (a table
    rebuild by a later migration drops triggers), and fill it. Returns True when it had to (re)build."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name IN (%s, %s, %s, %s, %s)", _INDEX_NAMES)
        if cursor.fetchone()[0] == len(_INDEX_NAMES):
            return False
        for statement in _INDEX_DROP + _INDEX_CREATE:
            cursor.execute(statement)
    return True


def sqlite_index_drop(*, connection=default_connection) -> None:
    with connection.cursor() as cursor:
        for statement in _INDEX_DROP:
            cursor.execute(statement)


def _sqlite_terms(words: list[str], cursor) -> list[list[str]]:
    """Per query word, the index terms it stands for: itself (and longer words it starts), or, when the index has
    no such word, its closest spellings there."""
    groups = []
    for word in words:
        cursor.execute(
            "SELECT 1 FROM bank_card_fts_vocab WHERE term >= %s AND term < %s LIMIT 1", [word, word + "\uffff"]
        )
        if cursor.fetchone():
            groups.append([word])
            continue
        cursor.execute("SELECT term FROM bank_card_fts_vocab WHERE length(term) BETWEEN %s AND %s",
                       [max(len(word) - 2, 1), len(word) + 2])  # fmt: skip
        close = difflib.get_close_matches(word, [row[0] for row in cursor.fetchall()], n=5, cutoff=TYPO_CUTOFF)
        if close:  # the fewest edits away: "rotery" is one from "rotary", two from "router"
            fewest = min(_edits(word, term) for term in close)
            groups.append([term for term in close if _edits(word, term) == fewest])
    return groups


def _edits(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions), for ranking difflib's close matches."""
    row = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, char_b in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (char_a != char_b))
    return row[-1]


def _search_sqlite(*, text: str, cards: QuerySet[Card]) -> QuerySet[Card]:
    sqlite_index_ensure()
    with default_connection.cursor() as cursor:
        groups = _sqlite_terms(_words(text), cursor)
        if not groups:
            return cards.filter(_exact_q(text))
        # Every word (or one of its spellings) must appear; a word as a prefix also matches its longer forms.
        match = " AND ".join("(" + " OR ".join(f'"{term}"*' for term in group) + ")" for group in groups)
        cursor.execute("SELECT rowid FROM bank_card_fts WHERE bank_card_fts MATCH %s "
                       "ORDER BY bm25(bank_card_fts, %s, %s, %s, %s, %s)", [match, *WEIGHTS])  # fmt: skip
        ids = [row[0] for row in cursor.fetchall()]
    order = Case(*[When(pk=pk, then=Value(position)) for position, pk in enumerate(ids)], default=Value(len(ids)),
                 output_field=IntegerField())  # fmt: skip
    found = cards.filter(Q(pk__in=ids) | _exact_q(text))
    spelled = [group[0] for group in groups]  # the query with each word as the index spells it
    found = found.annotate(exact=_exact_first(text), defines=_defines(text, spelled), position=order)
    return found.order_by("-exact", "-defines", "position", "pk")


def _exact_q(text: str) -> Q:
    wanted = text.strip().rstrip("?").strip()
    return Q(question__iexact=wanted) | Q(question__iexact=wanted + "?")


# --- Any other database: every word somewhere, bank order ------------------------------------------------------


def _search_plain(*, text: str, cards: QuerySet[Card]) -> QuerySet[Card]:
    for word in _words(text):
        cards = cards.filter(Q(question__icontains=word) | Q(answer__icontains=word) | Q(tags__icontains=word))
    return cards
