"""There is no Docker engine here: check that the image runs as a non-root user and that the build context leaves
out local state (database, secret key, model cache), environments, history and screenshots."""

from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NEVER_IN_IMAGE = [
    "var/db.sqlite3", "var/dev_secret_key", "var/models/smollm2/model.safetensors", "var/celery/broker/queue/x",
    ".venv/bin/python", ".git/HEAD", "node_modules/playwright/index.js", "screenshots/home.png",
    "var/screenshots/study.png", "quiz/__pycache__/models.cpython-311.pyc", ".env",
]  # fmt: skip
IN_IMAGE = [
    "manage.py",
    "quizsite/settings.py",
    "quiz/bank/data/topics.yaml",
    "static/css/site.css",
    "requirements.txt",
]


def ignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule, enough for these patterns: a pattern matches the path or one of its parent folders."""
    parts = path.split("/")
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    return any(fnmatch(candidate, pattern.rstrip("/")) or fnmatch(candidate, pattern.rstrip("/").removeprefix("**/"))
               or fnmatch(parts[n], pattern.rstrip("/").removeprefix("**/"))
               for n, candidate in enumerate(candidates) for pattern in patterns)  # fmt: skip


def test_the_build_context_leaves_out_local_state():
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]  # fmt: skip
    assert [path for path in NEVER_IN_IMAGE if not ignored(path, patterns)] == []
    assert [path for path in IN_IMAGE if ignored(path, patterns)] == []


def test_the_image_runs_as_a_non_root_user():
    lines = [line.split() for line in (ROOT / "Dockerfile").read_text().splitlines() if line.strip()]
    users = [line[1] for line in lines if line[0] == "USER"]
    assert users and users[-1] not in ("root", "0")
    last_user = max(index for index, line in enumerate(lines) if line[0] == "USER")
    assert last_user > max(index for index, line in enumerate(lines) if line[0] == "RUN")  # nothing runs as root after
