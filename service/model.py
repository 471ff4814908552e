"""The model as a long-lived app resource: loaded once, swapped atomically on reload.

Reads go through :func:`get_predictor`; a reload verifies the new artifact fully *before* the
swap, so a bad artifact never replaces a good one.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from flask import Flask, current_app

from service.errors import APIError
from training.artifact import ArtifactError
from training.predictor import Predictor

__all__ = ["ModelHolder", "init_app", "get_holder", "get_predictor", "require_predictor"]

logger = logging.getLogger(__name__)
EXTENSION = "jobclass_model"


@dataclass
class ModelHolder:
    """Holds the current predictor; ``reload`` swaps it under a lock."""

    model_dir: str
    expected_sha256: str = ""
    predictor: Predictor | None = None
    last_error: str | None = None
    reloads: dict[str, int] = field(default_factory=lambda: {"ok": 0, "failed": 0})
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def reload(self) -> tuple[bool, str]:
        """Load and verify the current artifact; on success swap it in. Returns ``(ok, message)``."""
        with self._lock:
            try:
                new = Predictor.load(self.model_dir, expected_sha256=self.expected_sha256 or None)
            except (ArtifactError, TypeError, OSError, ValueError) as exc:
                self.last_error = str(exc)
                self.reloads["failed"] += 1
                kept = f"; still serving {self.predictor.version}" if self.predictor else ""
                logger.error("model load failed: %s%s", exc, kept)
                return False, f"{exc}{kept}"
            old = self.predictor.version if self.predictor else None
            self.predictor = new  # one reference assignment: requests see the old or the new model
            self.last_error = None
            self.reloads["ok"] += 1
            logger.info("model loaded: %s (was %s)", new.version, old)
            return True, f"loaded model {new.version} (was {old})"


def init_app(app: Flask) -> None:
    holder = ModelHolder(model_dir=str(app.config["MODEL_DIR"]), expected_sha256=str(app.config["MODEL_SHA256"] or ""))
    app.extensions[EXTENSION] = holder
    if app.config["LOAD_MODEL"]:
        holder.reload()


def get_holder() -> ModelHolder:
    return current_app.extensions[EXTENSION]


def get_predictor() -> Predictor | None:
    return get_holder().predictor


def require_predictor() -> Predictor:
    """The loaded predictor, or a 503 ``not_ready`` error for the client."""
    predictor = get_predictor()
    if predictor is None:
        raise APIError(503, "not_ready", "no model is loaded yet; see GET /health/ready")
    return predictor
