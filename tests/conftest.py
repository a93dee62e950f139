"""Fixtures shared by the whole suite: users, a logged-in client, a real headless Chromium, a real worker."""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from quizsite.environment import folders_prepare

pytest_plugins = ["tests.live_worker"]  # live_worker / demo_worker: a real Celery worker process

folders_prepare()  # var/ for the SQLite test database and the filesystem broker, as manage.py makes them


@pytest.fixture(autouse=True, scope="session")
def flush_retries_a_deadlock():
    """A transactional test ends with a flush (TRUNCATE of every table) while the session's live worker may still
    be writing for an earlier test (bank embeddings, a grading); PostgreSQL then breaks the deadlock by failing one
    side, sometimes the flush. The flush is retried: the worker's statement has been rolled back by then."""
    import time

    from django.core.management.commands import flush
    from django.db import OperationalError

    handle = flush.Command.handle

    def handle_with_retry(self, **options):
        for attempt in range(3):
            try:
                return handle(self, **options)
            except Exception as exc:  # flush wraps the database error in a CommandError
                cause = exc.__cause__ or exc.__context__ or exc
                if attempt == 2 or not isinstance(cause, OperationalError) or "deadlock" not in str(cause):
                    raise
                time.sleep(0.5)

    flush.Command.handle = handle_with_retry
    yield
    flush.Command.handle = handle


SCREENSHOT_DIR = Path(settings.VAR_DIR) / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


def pytest_report_header(config):
    db = settings.DATABASES["default"]
    broker = settings.CELERY_BROKER_URL
    fallback = " (embedded default)" if db["ENGINE"].endswith("sqlite3") else ""
    return [
        f"database: {db['ENGINE'].rsplit('.', 1)[-1]} {db.get('HOST') or db['NAME']}{fallback}",
        f"broker: {broker}",
    ]


@pytest.fixture
def broker_away(monkeypatch):
    """The app pointed at a port where nothing listens (9, discard), then restored. Celery reads the environment's
    CELERY_BROKER_URL before its configuration, so both point there."""
    from quizsite.celery import app

    saved = app.conf.broker_url, app.conf.broker_transport_options  # before the environment changes: it wins
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:9/0")

    def reset():
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.broker_url = "redis://127.0.0.1:9/0"
    app.conf.broker_transport_options = settings.REDIS_BROKER_TRANSPORT_OPTIONS
    reset()
    yield
    app.conf.broker_url, app.conf.broker_transport_options = saved
    reset()


@pytest.fixture
def password():
    return "correct-horse-battery-9"


@pytest.fixture
def user(django_user_model, password):
    return django_user_model.objects.create_user(username="ada", password=password)


@pytest.fixture
def other_user(django_user_model, password):
    return django_user_model.objects.create_user(username="grace", password=password)


@pytest.fixture
def user_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture(scope="session")
def browser():
    """A real headless Chromium (Debian's package; Playwright's own download is not reachable)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot():
    """Save a full-page screenshot under var/screenshots/NAME.png and return its path."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOT_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def bank_loaded(db):
    from quiz.bank.services.bank import bank_load

    return bank_load()
