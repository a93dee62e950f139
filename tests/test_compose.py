"""There is no Docker engine here: check the compose file's shape instead."""

from pathlib import Path

import yaml

from quizsite.routing import QUEUES

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
APP_SERVICES = ("web", "worker-demos", "worker-cpu")


def test_compose_has_its_services_each_with_a_healthcheck():
    services = COMPOSE["services"]
    assert set(services) == {"db", "redis", "web", "nginx", "worker-demos", "worker-cpu"}
    assert all("healthcheck" in service for service in services.values())


def test_app_services_wait_for_healthy_db_and_redis_and_restart():
    for name in APP_SERVICES:
        depends = COMPOSE["services"][name]["depends_on"]
        assert {dep: cond["condition"] for dep, cond in depends.items()} == {
            "db": "service_healthy",
            "redis": "service_healthy",
        }
        assert COMPOSE["services"][name]["restart"] == "unless-stopped"


def test_web_and_workers_get_the_same_settings_variables():
    web = COMPOSE["services"]["web"]
    for name in ("worker-demos", "worker-cpu"):
        assert COMPOSE["services"][name]["environment"] == web["environment"]
    assert {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY"} <= set(web["environment"])


def test_one_worker_service_per_queue_the_demos_one_on_a_gpu():
    demos, cpu = COMPOSE["services"]["worker-demos"], COMPOSE["services"]["worker-cpu"]
    devices = demos["deploy"]["resources"]["reservations"]["devices"]
    assert devices[0]["driver"] == "nvidia" and "gpu" in devices[0]["capabilities"]
    assert "-Q demos" in demos["command"] and "--pool=solo" in demos["command"]
    assert "-Q cpu" in cpu["command"] and "--pool=prefork --concurrency=1" in cpu["command"]
    assert set(QUEUES) == {"demos", "cpu"}
    # scalable with --scale: no fixed container name or published port on a worker
    assert not {"container_name", "ports"} & (set(demos) | set(cpu))


def test_only_nginx_is_published_and_it_proxies_to_web():
    services = COMPOSE["services"]
    assert [name for name, service in services.items() if "ports" in service] == ["nginx"]
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in services["nginx"]["volumes"]
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "server web:8000" in conf and "proxy_request_buffering on" in conf


def test_volumes_are_named():
    assert {"pgdata", "redisdata", "models"} <= set(COMPOSE["volumes"])
