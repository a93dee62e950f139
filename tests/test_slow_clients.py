"""Slow clients against the compose setup's nginx (deploy/nginx.conf) in front of gunicorn's sync workers.

Five sockets that send half a request and stall hold every sync worker of a gunicorn reached directly; through
nginx, which reads whole requests before it passes them on, /healthz still answers at once. Both halves run here:
the direct one proves the test can see the stall at all. Needs the nginx binary (`apt-get install -y nginx`;
.ci/run installs it)."""

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.live_worker import REPO_DIR, database_url_for_tests

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SLOW_CLIENTS = 5
GOAL_SECONDS = 1.0

pytestmark = [
    pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx is not installed (apt-get install -y nginx)"),
    pytest.mark.django_db(transaction=True),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).read()  # noqa: S310 - our own http:// URL
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{url} did not answer in {timeout} s")


def stalled_sockets(port: int, count: int) -> list[socket.socket]:
    """Sockets that sent the start of a request's headers and nothing more."""
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        sockets.append(sock)
    time.sleep(0.3)  # let the server accept them
    return sockets


def healthz_seconds(port: int, timeout: float) -> float:
    started = time.monotonic()
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=timeout).read()  # noqa: S310
    except OSError:
        return float("inf")
    return time.monotonic() - started


@pytest.fixture
def stack(tmp_path):
    from django.db import connection

    web_port, proxy_port = free_port(), free_port()
    env = {**os.environ, "DATABASE_URL": database_url_for_tests(connection.settings_dict), "WEB_WORKERS": "2",
           "ALLOWED_HOSTS": "127.0.0.1,localhost"}  # fmt: skip
    web = subprocess.Popen([str(REPO_DIR / ".venv" / "bin" / "gunicorn"), "quizsite.wsgi", "--bind",
                            f"127.0.0.1:{web_port}", "--config", "quizsite/gunicorn_conf.py"],
                           cwd=REPO_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           start_new_session=True)  # fmt: skip
    site = (REPO_DIR / "deploy" / "nginx.conf").read_text()
    site = site.replace("server web:8000;", f"server 127.0.0.1:{web_port};")
    site = site.replace("listen 80 default_server;", f"listen 127.0.0.1:{proxy_port} default_server;")
    (tmp_path / "site.conf").write_text(site)
    temp = " ".join(
        f"{kind}_temp_path {tmp_path / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp_path / "nginx.conf").write_text(
        f"worker_processes 1; daemon off; pid {tmp_path / 'nginx.pid'}; error_log {tmp_path / 'error.log'};\n"
        f"events {{ worker_connections 256; }}\n"
        f"http {{ access_log off; {temp} include {tmp_path / 'site.conf'}; }}\n"
    )
    proxy = subprocess.Popen([NGINX, "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    try:
        wait_for(f"http://127.0.0.1:{web_port}/healthz")
        wait_for(f"http://127.0.0.1:{proxy_port}/healthz")
        yield web_port, proxy_port
    finally:
        for process in (proxy, web):
            process.send_signal(signal.SIGQUIT)  # both: quick shutdown (gunicorn's SIGTERM waits for requests)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


def test_slow_clients_stall_gunicorn_directly_but_not_through_nginx(stack):
    web_port, proxy_port = stack
    through_proxy = stalled_sockets(proxy_port, SLOW_CLIENTS)
    try:
        seconds = healthz_seconds(proxy_port, timeout=5)
        assert seconds < GOAL_SECONDS, f"/healthz through nginx took {seconds:.2f} s with {SLOW_CLIENTS} slow clients"
    finally:
        for sock in through_proxy:
            sock.close()
    direct = stalled_sockets(web_port, SLOW_CLIENTS)
    try:
        assert healthz_seconds(web_port, timeout=2) > 2, "gunicorn answered anyway: the test cannot see a stall"
    finally:
        for sock in direct:
            sock.close()
