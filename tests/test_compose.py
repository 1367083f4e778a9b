"""docker-compose.yml (Docker cannot run here): it parses, and every IOFFICE_* name it sets is one we read."""

import re

import yaml

from ioffice.config import BASE_DIR

# Read by the S3 blob backend that the archive work adds; named in the stack already.
LATER = {"IOFFICE_S3_ENDPOINT", "IOFFICE_S3_BUCKET", "IOFFICE_S3_ACCESS_KEY", "IOFFICE_S3_SECRET_KEY"}


def test_compose_describes_the_scaled_out_stack():
    compose = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
    assert {"postgres", "minio", "elasticsearch", "migrate", "web", "worker"} <= set(compose["services"])
    web, worker = compose["services"]["web"], compose["services"]["worker"]
    env = web["environment"]
    assert env == worker["environment"], "web and worker share one configuration"
    assert env["IOFFICE_DEBUG"] == "0"
    assert env["IOFFICE_DATABASE_URL"].startswith("postgresql://")
    assert "db_worker" in " ".join(worker["command"])


def test_every_variable_the_stack_sets_is_read_by_config():
    config_source = (BASE_DIR / "ioffice" / "config.py").read_text()
    read = set(re.findall(r'"(IOFFICE_[A-Z0-9_]+)"', config_source))
    compose = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
    set_names = set(compose["services"]["web"]["environment"])
    assert set_names - LATER <= read, set_names - LATER - read
