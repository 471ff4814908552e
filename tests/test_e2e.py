"""End to end: real gunicorn with the production config on a free loopback port."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from training.config import MODELS_DIR, REPO_ROOT

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, data: bytes | None = None, headers: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _wait_ready(base: str, proc: subprocess.Popen, log: Path, seconds: float = 30) -> float:
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if proc.poll() is not None:
            raise AssertionError(f"gunicorn exited early: {log.read_text()[-2000:]}")
        try:
            if _get(base + "/health/ready")[0] == 200:
                return time.monotonic() - start
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.1)
    raise AssertionError("gunicorn did not become ready")


@pytest.fixture
def models_copy(tmp_path: Path) -> Path:
    source = (MODELS_DIR / "current").resolve()
    if not (source / "model.json").exists():
        pytest.skip("no trained model")
    shutil.copytree(source, tmp_path / "v1")
    (tmp_path / "current").symlink_to("v1")
    return tmp_path


def test_gunicorn_serves_reloads_and_stops_cleanly(models_copy, predictor, tmp_path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "JOBCLASS_BIND": f"127.0.0.1:{port}", "JOBCLASS_WORKERS": "2",
           "JOBCLASS_MODEL_DIR": str(models_copy), "JOBCLASS_LOG_LEVEL": "WARNING"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:  # a file, not a pipe: a full pipe would block the server
        proc = subprocess.Popen([str(gunicorn), "-c", "gunicorn.conf.py", "service.wsgi:app"], cwd=REPO_ROOT,
                                env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_ready(base, proc, log)
        from training.data import load_dataset

        df = load_dataset()
        ad = df[(df["source"] == "real_labelled") & (df["role"] == "social_media_manager")].iloc[0]
        status, body = _get(base + "/classify", json.dumps({"text": ad["text"], "title": ad["title"]}).encode(),
                            {"Content-Type": "application/json", "X-Request-ID": "e2e-1"})
        assert status == 200
        assert body == predictor.classify(ad["text"], ad["title"])
        assert body["is_digital_communication"] is True

        # SIGHUP: the master loads the current artifact and forks fresh workers with it.
        shutil.copytree(models_copy / "v1", models_copy / "v2")
        card = json.loads((models_copy / "v2" / "model.json").read_text())
        (models_copy / "v2" / "model.json").write_text(json.dumps({**card, "version": "v2"}))
        (models_copy / "next").symlink_to("v2")
        (models_copy / "next").replace(models_copy / "current")
        proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 20
        versions = set()
        while time.monotonic() < deadline:
            versions = {_get(base + "/model")[1]["version"] for _ in range(6)}
            if versions == {"v2"}:
                break
            time.sleep(0.2)
        assert versions == {"v2"}
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert proc.returncode == 0, log.read_text()[-2000:]
    assert "SIGHUP model reload: loaded model v2" in log.read_text()
