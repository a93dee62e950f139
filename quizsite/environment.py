"""What an entry point (manage.py, wsgi, asgi, the Celery app, bin/serve) prepares before Django loads its settings:
the settings module, the secret key, and the folders under var/. Settings themselves only read the environment.

The secret key: SECRET_KEY from the environment when set (production, compose, tests); otherwise var/secret_key,
created once with a random key, so `make run` and every later `manage.py` command share one key and sessions
survive restarts.
"""

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def var_dir() -> Path:
    """Where the local state lives: VAR_DIR, or var/ in the checkout."""
    return Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def secret_key_file() -> Path:
    return var_dir() / "secret_key"


def secret_key_read_or_create() -> str:
    """The key in var/secret_key, written first if there is none. Two processes starting together (web and worker)
    agree: the file appears whole (written aside, then linked into place) and the second one reads the first's."""
    path = secret_key_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        aside = path.with_name(f".secret_key.{os.getpid()}")
        aside.write_text(secrets.token_urlsafe(50))
        aside.chmod(0o600)
        try:
            os.link(aside, path)
        except FileExistsError:
            pass
        finally:
            aside.unlink()
    return path.read_text().strip()


def folders_prepare() -> None:
    """The folders under var/ the configured services write to: the SQLite database's, the filesystem broker's."""
    from django.conf import settings

    folders = [Path(settings.VAR_DIR)]
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        folders.append(Path(db["NAME"]).parent)
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    folders += [
        Path(options[key]) for key in ("data_folder_in", "processed_folder", "control_folder") if key in options
    ]
    if settings.CELERY_RESULT_BACKEND.startswith("file://"):
        folders.append(Path(settings.CELERY_RESULT_BACKEND.removeprefix("file://")))
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)


def environment_prepare() -> None:
    """Called first by every entry point."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings")
    if not os.environ.get("SECRET_KEY"):
        os.environ["SECRET_KEY"] = secret_key_read_or_create()
    folders_prepare()


if __name__ == "__main__":  # bin/serve: once, before the web server and the worker start side by side
    environment_prepare()
