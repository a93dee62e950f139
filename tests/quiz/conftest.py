import os
from pathlib import Path

import pytest

MATERIAL_COUNTS = {"000": 48, "001": 10, "002": 20, "003": 48, "004": 79}


@pytest.fixture
def material_dir() -> Path:
    """The shared Q&A material (never copied into the repo); the test is skipped when it is absent."""
    folder = Path(os.environ.get("QA_MATERIAL_DIR") or Path(__file__).resolve().parents[3] / "shared" / "qa-material")
    if not folder.is_dir() or not list(folder.glob("*.txt")):
        pytest.skip(f"Q&A material not found at {folder}")
    return folder


@pytest.fixture
def material_file(material_dir):
    def find(prefix: str) -> Path:
        matches = sorted(material_dir.glob(f"{prefix}*.txt"))
        if not matches:
            pytest.skip(f"material file {prefix}* not found in {material_dir}")
        return matches[0]

    return find


@pytest.fixture
def deck_cards(db):
    """Six cards in two topics (study tests)."""
    from tests.quiz.study_helpers import cards_make

    return cards_make()
