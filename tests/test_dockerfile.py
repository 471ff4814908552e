"""The Dockerfile cannot be built here (no Docker engine): check the lines that carry its promises."""
from __future__ import annotations

import re

import pytest

from training.config import REPO_ROOT

DOCKERFILE = (REPO_ROOT / "Dockerfile").read_text()


@pytest.mark.parametrize(
    ("promise", "pattern"),
    [
        ("multi-stage build", r"(?m)^FROM python:3\.11\.\d+-slim-\w+ AS build$"),
        ("pinned slim runtime base", r"(?m)^FROM python:3\.11\.\d+-slim-\w+ AS runtime$"),
        ("copies the venv from the build stage", r"(?m)^COPY --from=build /opt/venv /opt/venv$"),
        ("packages the trained artifact", r"(?m)^COPY .*models/ \./models/$"),
        ("verifies the artifact", r"Predictor\.load\('/app/models/current'\)"),
        ("non-root user", r"(?m)^USER 10001:10001$"),
        ("health check on readiness", r"(?ms)^HEALTHCHECK .*?/health/ready"),
        ("gunicorn as the command", r'(?m)^CMD \["gunicorn", "-c", "/app/gunicorn\.conf\.py", "service\.wsgi:app"\]$'),
    ],
)
def test_dockerfile_keeps_its_promises(promise, pattern):
    assert re.search(pattern, DOCKERFILE), promise


def test_dockerignore_keeps_sources_and_data_out():
    ignored = (REPO_ROOT / ".dockerignore").read_text().split()
    for entry in (".git", ".venv", "tests", "benchmarks"):
        assert entry in ignored


def test_user_is_set_after_root_steps():
    lines = DOCKERFILE.splitlines()
    user = max(i for i, line in enumerate(lines) if line.startswith("USER "))
    assert not any(line.startswith(("RUN ", "COPY ")) for line in lines[user + 1:])
