"""API keys, hot reload with good and tampered artifacts, and the operator's sha256 pin."""
from __future__ import annotations

import json
import shutil

import pytest

from training.config import MODELS_DIR

AD = {"text": "Social Media Manager (m/w/d): Instagram, TikTok, Redaktionsplan, Community Management."}


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, "missing_api_key"),
        ({"Authorization": "Bearer wrong"}, 401, "invalid_api_key"),
        ({"X-API-Key": "wrong"}, 401, "invalid_api_key"),
        ({"Authorization": "Basic s3cret"}, 401, "missing_api_key"),
        ({"Authorization": "Bearer s3cret"}, 200, None),
        ({"X-API-Key": "other-key"}, 200, None),
    ],
)
def test_api_keys_guard_classify(make_app, headers, status, code):
    client = make_app(API_KEYS="s3cret, other-key").test_client()
    r = client.post("/classify", json=AD, headers=headers)
    assert r.status_code == status
    if code:
        assert r.get_json()["error"]["code"] == code


@pytest.mark.parametrize("path", ["/model", "/taxonomy", "/metrics", "/openapi.json"])
def test_api_keys_guard_every_endpoint_but_health(make_app, path):
    client = make_app(API_KEYS="s3cret").test_client()
    assert client.get(path).status_code == 401
    assert client.get(path, headers={"X-API-Key": "s3cret"}).status_code == 200
    assert client.post("/admin/reload").status_code == 401
    assert client.get("/health/live").status_code == 200
    assert client.get("/health/ready").status_code == 200


def test_no_keys_means_open(make_app):
    assert make_app(API_KEYS="").test_client().post("/classify", json=AD).status_code == 200


@pytest.fixture
def models_copy(tmp_path):
    """A private models folder holding a copy of the trained artifact as version 'v1'."""
    source = (MODELS_DIR / "current").resolve()
    if not (source / "model.json").exists():
        pytest.skip("no trained model")
    shutil.copytree(source, tmp_path / "v1")
    card_path = tmp_path / "v1" / "model.json"
    card_path.write_text(json.dumps({**json.loads(card_path.read_text()), "version": "v1"}))
    (tmp_path / "current").symlink_to("v1")
    return tmp_path


def _add_version(models_dir, name, tamper=False):
    shutil.copytree(models_dir / "v1", models_dir / name)
    card_path = models_dir / name / "model.json"
    card_path.write_text(json.dumps({**json.loads(card_path.read_text()), "version": name}))
    if tamper:
        with (models_dir / name / "model.joblib").open("ab") as fh:
            fh.write(b"\0")
    (models_dir / "next").symlink_to(name)
    (models_dir / "next").replace(models_dir / "current")


def test_reload_swaps_in_a_good_artifact(models_copy):
    from service.app import create_app

    app = create_app({"TESTING": True, "MODEL_DIR": str(models_copy), "API_KEYS": "k", "LOG_LEVEL": "WARNING"})
    client = app.test_client()
    key = {"X-API-Key": "k"}
    assert client.get("/model", headers=key).get_json()["version"] == "v1"
    _add_version(models_copy, "v2")
    r = client.post("/admin/reload", headers=key)
    assert r.status_code == 200 and r.get_json()["reloaded"] is True
    assert client.get("/model", headers=key).get_json()["version"] == "v2"
    assert client.post("/classify", json=AD, headers=key).get_json()["model"]["version"] == "v2"


def test_reload_refuses_a_tampered_artifact_and_keeps_serving(models_copy):
    from service.app import create_app

    app = create_app({"TESTING": True, "MODEL_DIR": str(models_copy), "LOG_LEVEL": "WARNING"})
    client = app.test_client()
    _add_version(models_copy, "v2", tamper=True)
    r = client.post("/admin/reload")
    assert r.status_code == 409
    body = r.get_json()
    assert body["reloaded"] is False and "sha256" in body["error"]["message"]
    assert client.get("/model").get_json()["version"] == "v1"
    assert client.post("/classify", json=AD).status_code == 200
    assert 'jobclass_model_reloads_total{result="failed"' in client.get("/metrics").get_data(as_text=True)


def test_tampered_artifact_at_start_means_not_ready(models_copy):
    from service.app import create_app

    _add_version(models_copy, "v2", tamper=True)
    client = create_app({"TESTING": True, "MODEL_DIR": str(models_copy), "LOG_LEVEL": "WARNING"}).test_client()
    r = client.get("/health/ready")
    assert r.status_code == 503 and "sha256" in r.get_json()["error"]["message"]
    assert client.get("/health/live").status_code == 200


def test_pinned_sha256_refuses_other_artifact(models_copy):
    from service.app import create_app

    client = create_app({"TESTING": True, "MODEL_DIR": str(models_copy), "MODEL_SHA256": "0" * 64,
                         "LOG_LEVEL": "WARNING"}).test_client()
    r = client.get("/health/ready")
    assert r.status_code == 503 and "JOBCLASS_MODEL_SHA256" in r.get_json()["error"]["message"]


def test_config_from_environment(monkeypatch, models_copy):
    from service.app import create_app

    monkeypatch.setenv("JOBCLASS_MODEL_DIR", str(models_copy))
    monkeypatch.setenv("JOBCLASS_API_KEYS", "env-key")
    monkeypatch.setenv("JOBCLASS_MAX_TEXT_CHARS", "50")
    app = create_app({"TESTING": True, "LOG_LEVEL": "WARNING"})
    client = app.test_client()
    assert client.post("/classify", json=AD).status_code == 401
    r = client.post("/classify", json=AD, headers={"X-API-Key": "env-key"})
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "text_too_long"
