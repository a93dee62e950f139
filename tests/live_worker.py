"""A real Celery worker process on the real broker, against the test database (loaded by tests/conftest.py).

Tests that use `live_worker` are `@pytest.mark.django_db(transaction=True)` (or use `demo_worker`), so that what
they write is committed and visible to the worker process. `run_wait` polls a demo run until it ends.
"""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.utils import timezone

REPO_DIR = Path(__file__).resolve().parents[1]
CELERY = REPO_DIR / ".venv" / "bin" / "celery"
WORKER_START_TIMEOUT = 90
WORKER_STOP_TIMEOUT = 20


def database_url_for_tests(settings_dict: dict) -> str:
    """A DATABASE_URL naming the database pytest-django created (call it after `django_db_setup`)."""
    name = settings_dict["NAME"]
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(name).resolve()}"
    if not settings_dict["ENGINE"].endswith("postgresql"):
        raise NotImplementedError(f"live_worker does not know {settings_dict['ENGINE']}")
    auth = quote(settings_dict.get("USER") or "", safe="")
    if settings_dict.get("PASSWORD"):
        auth += ":" + quote(settings_dict["PASSWORD"], safe="")
    host = settings_dict.get("HOST") or "localhost"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth + '@' if auth else ''}{host}:{port}/{quote(name, safe='')}"


def broker_purge(queue: str) -> None:
    """Forget messages left in this queue by an earlier session (runs that no longer exist), before a worker starts.

    Only this session's queue (and, on the filesystem broker, test queues idle for an hour): other test sessions
    on the same machine share the broker.
    """
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        stale = time.time() - 3600
        for message in Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]).glob("*.msg"):
            mine = message.name.endswith(f".{queue}.msg")
            if mine or ("-test-" in message.name and message.stat().st_mtime < stale):
                message.unlink(missing_ok=True)
        return
    from quizsite.celery import app

    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(queue)


class LiveWorker:
    """`celery worker --pool=solo -c1` as a subprocess; `ready()` waits for its heartbeat row."""

    def __init__(self, *, env: dict, log_path: Path, queue: str, name: str = "testworker", pool: str = "solo"):
        self.env, self.log_path, self.queue, self.pool = env, log_path, queue, pool
        self.hostname = f"{name}-{os.getpid()}@{socket.gethostname()}"
        self.process: subprocess.Popen | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def start(self) -> None:
        command = [
            str(CELERY),
            "-A",
            "quizsite",
            "worker",
            "-Q",
            self.queue,
            f"--pool={self.pool}",
            "-c",
            "1",
            "--loglevel=info",
            f"--hostname={self.hostname}",
            "--without-mingle",
            "--without-gossip",
        ]
        log = self.log_path.open("a")
        log.write(f"\n===== start {timezone.now().isoformat()}: {' '.join(command)}\n")
        log.flush()
        self.process = subprocess.Popen(command, cwd=REPO_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True)  # fmt: skip

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def ready(self, timeout: float = WORKER_START_TIMEOUT) -> "LiveWorker":
        """Wait until this very process has written its heartbeat (needs database access in the caller)."""
        from demos.models import WorkerHeartbeat

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                pytest.fail(f"the Celery worker exited ({self.process.returncode}):\n{self.log_tail()}")
            if WorkerHeartbeat.objects.filter(hostname=self.hostname, pid=self.pid).exists():
                return self
            time.sleep(0.25)
        pytest.fail(f"no heartbeat from the Celery worker after {timeout} s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers run, the task in hand is lost mid-flight."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if not self.alive():
            return
        self.process.send_signal(signal.SIGTERM)  # warm shutdown
        try:
            self.process.wait(WORKER_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.kill()

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@pytest.fixture(scope="session")
def live_worker(django_db_setup, django_db_blocker):
    """A real worker on the real broker, against the test database; session-wide. Tasks sent during the session
    go to a queue of its own (`<default queue>-test-<pid>`), which this worker consumes."""
    from django.db import connection

    # This session's own queues: engineers' test sessions on one machine share the broker, and a shared queue lets
    # one session's worker take (and drop: its database has no such run) another session's tasks. The worker
    # process reads the same suffix from CELERY_QUEUE_SUFFIX (quizsite/routing.py), for what it sends itself.
    suffix = f"-test-{os.getpid()}"
    queues = queues_for_tests(suffix)
    log_dir = Path(settings.VAR_DIR) / "log"
    log_dir.mkdir(parents=True, exist_ok=True)
    for old in log_dir.glob("test-worker-*.log"):  # earlier sessions' logs, after a day
        if old.stat().st_mtime < time.time() - 86400:
            old.unlink(missing_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_tests(connection.settings_dict),
        "CELERY_QUEUE_SUFFIX": suffix,
    }
    # One worker on both queues: the demo and grading tests need one process only (tests/test_capacity_worker.py
    # starts the two of bin/serve).
    worker = LiveWorker(env=env, log_path=log_dir / f"test-worker-{os.getpid()}.log", queue=",".join(queues))
    for queue in queues:
        broker_purge(queue)
    worker.start()
    with django_db_blocker.unblock():
        worker.ready()
    yield worker
    worker.stop()
    for queue in queues:
        broker_purge(queue)
    queues_for_tests("")


def queues_for_tests(suffix: str) -> list[str]:
    """Route this process's sends to the queues named with `suffix` ("" restores the real ones)."""
    from quizsite import routing
    from quizsite.celery import app

    routing.queue_suffix = suffix
    app.conf.task_default_queue = routing.queue_name(routing.QUEUE_DEMOS)
    return [routing.queue_name(queue) for queue in routing.QUEUES]


@pytest.fixture
def demo_worker(live_worker, transactional_db):
    """The live worker, running (restarted if an earlier test killed it) and visible in this test's database.

    A transactional test's teardown empties every table, heartbeats included: wait for the next beat.
    """
    if not live_worker.alive():
        live_worker.start()
    return live_worker.ready()


def run_wait(run_id, *, timeout: float = 180, until=("done", "failed")):
    """Poll the row until its status is one of `until`; returns the run."""
    from demos.models import DemoRun

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = DemoRun.objects.get(pk=run_id)
        if run.status in until:
            return run
        time.sleep(0.3)
    pytest.fail(f"run {run_id} still {run.status} ({run.progress}% {run.progress_label}) after {timeout} s")
