"""Shared fixtures: the trained model (loaded once per session) and Flask apps built from the factory."""
from __future__ import annotations

import pytest

from service.app import create_app
from training.config import MODELS_DIR
from training.predictor import Predictor


@pytest.fixture(scope="session")
def predictor() -> Predictor:
    """The trained model of models/current (``make test`` trains one first)."""
    if not (MODELS_DIR / "current" / "model.json").exists():
        pytest.skip("no trained model in models/current: run `make train` (make test does it)")
    return Predictor.load(MODELS_DIR)


def _app(predictor: Predictor | None, **config):
    app = create_app({"TESTING": True, "LOAD_MODEL": False, "LOG_LEVEL": "WARNING", **config})
    app.extensions["jobclass_model"].predictor = predictor
    return app


@pytest.fixture
def app(predictor):
    return _app(predictor)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_app(predictor):
    """Build an app with config overrides, sharing the session's loaded model (``model=None``: not ready)."""

    def factory(model: Predictor | None | str = "loaded", **config):
        return _app(predictor if model == "loaded" else model, **config)

    return factory
