"""Deployment behind TLS: `check --deploy` silent with the README's production variables, no redirect loop behind
a proxy that says https, /healthz never redirected, HSTS and CSP headers sent."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def readme_production_env() -> dict[str, str]:
    """The variables of the README's "Deploying behind TLS" block, with a real random key for the placeholder."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Deploying behind TLS", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    env = dict(line.split("=", 1) for line in block.strip().splitlines())
    assert env["SECRET_KEY"].startswith("<")
    env["SECRET_KEY"] = "k8#Vq2!" + os.urandom(32).hex()
    return env


def test_check_deploy_reports_nothing_with_the_readme_variables(tmp_path):
    base = {name: os.environ[name] for name in ("PATH", "HOME", "MODEL_CACHE_DIR") if name in os.environ}
    env = {**base, **readme_production_env(), "VAR_DIR": str(tmp_path)}  # nothing of the test run's environment
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


PROXY = {"SECURE_SSL_REDIRECT": True, "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
         "SECURE_HSTS_SECONDS": 3600}  # fmt: skip


@override_settings(**PROXY)
def test_behind_a_proxy_that_says_https_there_is_no_redirect_loop(bank_loaded):
    client = Client()  # a new handler: SecurityMiddleware reads its settings when built
    response = client.get("/bank/", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=3600"


@override_settings(**PROXY)
def test_plain_http_is_redirected_once_to_https_but_healthz_is_not():
    client = Client()
    response = client.get("/bank/")
    assert response.status_code == 301 and response["Location"] == "https://testserver/bank/"
    followed = client.get("/bank/", headers={"X-Forwarded-Proto": "https"})
    assert followed.status_code == 200  # what the browser gets after the one redirect
    assert client.get("/healthz").status_code == 200


def test_without_the_proxy_setting_a_forged_header_does_not_make_http_secure():
    with override_settings(SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=None):
        response = Client().get("/bank/", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 301


def test_every_page_carries_a_content_security_policy_without_unsafe_script(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    nonce = re.search(r'<meta name="csp-nonce" content="([^"]+)">', response.content.decode()).group(1)
    assert f"style-src 'self' 'nonce-{nonce}'" in policy  # for a script that inserts a style element
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src", 1)[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
