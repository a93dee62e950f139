"""quizsite/environment.py: settings import with no side effects; one secret-key file, var/secret_key, shared by
manage.py, the web server, the worker and bin/serve, so README commands work on a fresh clone with no environment."""

import os
import stat
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
KEY_FROM_ENV = "key-from-the-environment"
PRINT_KEY = ["manage.py", "shell", "-v", "0", "-c", "from django.conf import settings; print(settings.SECRET_KEY)"]


def _run(args: list[str], var: Path, env: dict | None = None) -> str:
    base = {key: value for key, value in os.environ.items()
            if key not in {"SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "REDIS_URL"}}  # fmt: skip
    result = subprocess.run([sys.executable, *args], cwd=REPO, env={**base, "VAR_DIR": str(var), **(env or {})},
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_loading_the_settings_creates_nothing(tmp_path):
    var = tmp_path / "var"
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'quizsite.settings'; django.setup()"
    _run(["-c", code], var, {"SECRET_KEY": KEY_FROM_ENV})
    assert not var.exists()


def test_manage_py_without_a_key_creates_var_secret_key_once_and_keeps_using_it(tmp_path):
    var = tmp_path / "var"
    first = _run(PRINT_KEY, var).strip()
    key_file = var / "secret_key"
    assert first == key_file.read_text().strip() and len(first) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert _run(PRINT_KEY, var).strip() == first
    _run(["-m", "quizsite.environment"], var)  # what bin/serve runs before the web server and the worker
    assert key_file.read_text().strip() == first
    assert (var / "celery" / "broker" / "queue").is_dir()  # the filesystem broker's folders, made by the entry point


def test_a_key_in_the_environment_wins_and_no_file_is_written(tmp_path):
    var = tmp_path / "var"
    assert _run(PRINT_KEY, var, {"SECRET_KEY": KEY_FROM_ENV}).strip() == KEY_FROM_ENV
    assert not (var / "secret_key").exists()
