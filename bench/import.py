"""Time importing the five Q&A material files into a fresh database (goal: under 1 s).

Usage: .venv/bin/python bench/import.py [FILE ...]
Without arguments it reads $QA_MATERIAL_DIR or ../shared/qa-material next to the repository.
The database is a throwaway SQLite file in a temporary folder, migrated before the clock starts.
"""

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_S = 1.0
REPEATS = 3


def material_paths() -> list[Path]:
    if len(sys.argv) > 1:
        return [Path(p) for p in sys.argv[1:]]
    folder = Path(os.environ.get("QA_MATERIAL_DIR") or ROOT.parent / "shared" / "qa-material")
    return sorted(folder.glob("*.txt"))


def main() -> int:
    paths = material_paths()
    if not paths:
        print("bench/import.py: no material files found (set QA_MATERIAL_DIR or pass files)", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="qa-bench-"))
    try:
        return bench_run(paths, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def bench_run(paths: list[Path], tmp: Path) -> int:
    os.environ["VAR_DIR"] = str(tmp)
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ.setdefault("SECRET_KEY", "bench-only-key")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from quiz.bank.models import Card, CardSource, ImportRun, Topic
    from quiz.bank.services.importer.service import qa_import

    call_command("migrate", verbosity=0)
    timings = []
    for _ in range(REPEATS):  # each repeat starts from an empty database (migrated, no rows)
        for model in (CardSource, Card, Topic, ImportRun):
            model.objects.all().delete()
        start = time.perf_counter()
        report = qa_import(paths=paths)
        timings.append(time.perf_counter() - start)
    best = min(timings)
    found = sum(f.found for f in report.files)
    print(
        f"import of {len(paths)} files ({found} questions, {Card.objects.count()} cards): "
        f"best {best:.3f} s of {REPEATS}, first {timings[0]:.3f} s"
    )
    spread = max(timings) - best
    print(f"goal {GOAL_S:.1f} s: ratio {best / GOAL_S:.2f} of the goal, spread of {REPEATS} runs {spread:.3f} s")
    print("all goals met" if best < GOAL_S else f"goals missed: import took {best:.2f} s (goal {GOAL_S:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
