import shutil

import pytest


@pytest.fixture
def exercises_loaded(db):
    """The real bank and the real bundled exercises."""
    from quiz.bank.services.bank import bank_load
    from quiz.exercises.services import exercises_load

    bank_load()
    return exercises_load()


needs_bwrap = pytest.mark.skipif(not shutil.which("bwrap"), reason="bubblewrap is not installed")
