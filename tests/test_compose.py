"""There is no Docker engine here: check the compose file's shape instead."""

from pathlib import Path

import yaml

COMPOSE = yaml.safe_load((Path(__file__).resolve().parent.parent / "docker-compose.yml").read_text())


def test_compose_has_the_four_services_each_with_a_healthcheck():
    services = COMPOSE["services"]
    assert set(services) == {"db", "redis", "web", "worker"}
    assert all("healthcheck" in service for service in services.values())


def test_web_and_worker_wait_for_healthy_db_and_redis():
    for name in ("web", "worker"):
        depends = COMPOSE["services"][name]["depends_on"]
        assert {dep: cond["condition"] for dep, cond in depends.items()} == {
            "db": "service_healthy",
            "redis": "service_healthy",
        }


def test_web_and_worker_get_the_same_settings_variables():
    web, worker = COMPOSE["services"]["web"], COMPOSE["services"]["worker"]
    assert web["environment"] == worker["environment"]
    assert {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY"} <= set(web["environment"])


def test_worker_reserves_a_gpu_and_consumes_the_demos_queue():
    worker = COMPOSE["services"]["worker"]
    devices = worker["deploy"]["resources"]["reservations"]["devices"]
    assert devices[0]["driver"] == "nvidia" and "gpu" in devices[0]["capabilities"]
    assert "-Q demos" in worker["command"]


def test_volumes_are_named():
    assert {"pgdata", "redisdata", "models"} <= set(COMPOSE["volumes"])
