"""training.artifact: round trip of a toy model and every refusal path, before anything is unpickled."""
from __future__ import annotations

import json
import os
import shutil

import joblib
import numpy as np
import pytest
import sklearn
from sklearn.linear_model import LogisticRegression

from training import artifact
from training.artifact import (
    CARD_FILE,
    FORMAT_VERSION,
    MODEL_FILE,
    ArtifactError,
    load_artifact,
    read_card,
    resolve_model_dir,
    save_artifact,
    sha256_file,
)
from training.predictor import Predictor

X_TOY = np.array([[0.0, 1.0], [1.0, 0.0], [0.9, 0.2], [0.1, 0.8], [0.5, 0.6], [0.7, 0.1]])
Y_TOY = np.array(["comm", "other", "other", "comm", "comm", "other"])
TOY_CARD = {"name": "toy", "taxonomy_version": "0.0.0-test", "training_data": {"n_ads": len(X_TOY)}}
FAKE_COMMIT = "0" * 40


@pytest.fixture(scope="module")
def toy_model() -> LogisticRegression:
    return LogisticRegression().fit(X_TOY, Y_TOY)


@pytest.fixture
def models_dir(tmp_path, toy_model, monkeypatch):
    """A models folder with one saved toy artifact, version ``v1`` (git is not asked for the commit)."""
    monkeypatch.setattr(artifact, "_git_commit", lambda: FAKE_COMMIT)
    save_artifact(toy_model, tmp_path, TOY_CARD, version="v1")
    return tmp_path


def _rewrite_card(model_dir, **changes):
    card_path = model_dir / CARD_FILE
    card = json.loads(card_path.read_text(encoding="utf-8"))
    card.update(changes)
    card_path.write_text(json.dumps(card), encoding="utf-8")


# --------------------------------------------------------------------------------------------
# Round trip


def test_round_trip_gives_same_predictions(models_dir, toy_model):
    model, card = load_artifact(models_dir / "v1")
    np.testing.assert_array_equal(model.predict(X_TOY), toy_model.predict(X_TOY))
    np.testing.assert_allclose(model.predict_proba(X_TOY), toy_model.predict_proba(X_TOY))
    assert card["version"] == "v1"


def test_card_carries_versions_hash_and_callers_fields(models_dir):
    card = read_card(models_dir / "v1")
    assert card["sha256"] == sha256_file(models_dir / "v1" / MODEL_FILE)
    assert len(card["sha256"]) == 64
    assert card["sklearn_version"] == sklearn.__version__
    assert card["joblib_version"] == joblib.__version__
    assert card["format_version"] == FORMAT_VERSION
    assert card["version"] == "v1"
    assert card["git_commit"] == FAKE_COMMIT
    assert card["created_at"]
    for key, value in TOY_CARD.items():
        assert card[key] == value


def test_current_symlink_points_to_the_new_version(models_dir, toy_model):
    current = models_dir / "current"
    assert current.is_symlink()
    assert os.readlink(current) == "v1"  # relative: the models folder can move
    save_artifact(toy_model, models_dir, TOY_CARD, version="v2")
    assert os.readlink(current) == "v2"
    assert resolve_model_dir(models_dir) == (models_dir / "v2").resolve()
    assert load_artifact(models_dir)[1]["version"] == "v2"
    assert (models_dir / "v1" / MODEL_FILE).exists()  # older versions stay
    assert not (models_dir / ".current.tmp").exists()


def test_default_version_is_a_timestamp(tmp_path, toy_model, monkeypatch):
    monkeypatch.setattr(artifact, "_git_commit", lambda: None)
    target = save_artifact(toy_model, tmp_path, TOY_CARD)
    assert target.parent == tmp_path
    assert len(target.name) == len("20260101-120000")
    assert read_card(target)["version"] == target.name


def test_pinned_sha256_that_matches_is_accepted(models_dir):
    digest = read_card(models_dir / "v1")["sha256"]
    model, _ = load_artifact(models_dir / "v1", expected_sha256=f"  {digest.upper()}\n")
    assert isinstance(model, LogisticRegression)


# --------------------------------------------------------------------------------------------
# Refusals


def test_tampered_model_file_is_refused(models_dir, monkeypatch):
    with (models_dir / "v1" / MODEL_FILE).open("ab") as fh:
        fh.write(b"\0")
    unpickled = []
    monkeypatch.setattr(artifact.joblib, "load", lambda *a, **k: unpickled.append(a))
    with pytest.raises(ArtifactError, match="sha256 .* the model card says .*refusing to unpickle"):
        load_artifact(models_dir / "v1")
    assert unpickled == []


def test_other_sklearn_version_is_refused(models_dir):
    _rewrite_card(models_dir / "v1", sklearn_version="0.24.2")
    with pytest.raises(ArtifactError, match=r"trained with scikit-learn 0\.24\.2, this is .*retrain"):
        load_artifact(models_dir / "v1")


def test_other_format_version_is_refused(models_dir):
    _rewrite_card(models_dir / "v1", format_version=FORMAT_VERSION + 1)
    with pytest.raises(ArtifactError, match="artifact format"):
        load_artifact(models_dir / "v1")


def test_pinned_sha256_mismatch_is_refused(models_dir):
    with pytest.raises(ArtifactError, match="JOBCLASS_MODEL_SHA256 pins f{64}"):
        load_artifact(models_dir / "v1", expected_sha256="f" * 64)


def test_missing_card_is_refused(models_dir):
    (models_dir / "v1" / CARD_FILE).unlink()
    with pytest.raises(ArtifactError, match="no model card at .*model.json"):
        load_artifact(models_dir / "v1")


def test_card_that_is_not_json_is_refused(models_dir):
    (models_dir / "v1" / CARD_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(ArtifactError, match="is not valid JSON"):
        load_artifact(models_dir / "v1")


def test_missing_model_file_is_refused(models_dir):
    (models_dir / "v1" / MODEL_FILE).unlink()
    with pytest.raises(ArtifactError, match="no model.joblib in"):
        load_artifact(models_dir / "v1")


def test_empty_models_dir_is_refused(tmp_path):
    with pytest.raises(ArtifactError, match="train a model first"):
        load_artifact(tmp_path)


def test_copied_artifact_still_loads(models_dir, tmp_path_factory):
    copy = tmp_path_factory.mktemp("copy") / "v1"
    shutil.copytree(models_dir / "v1", copy)
    assert load_artifact(copy)[1]["version"] == "v1"


def test_predictor_refuses_an_artifact_that_is_not_a_jobclassifier(models_dir):
    with pytest.raises(TypeError, match="artifact holds a LogisticRegression, not a JobClassifier"):
        Predictor.load(models_dir)


def test_predictor_load_checks_the_hash_first(models_dir):
    with pytest.raises(ArtifactError, match="JOBCLASS_MODEL_SHA256"):
        Predictor.load(models_dir, expected_sha256="0" * 64)
