"""Service configuration: every setting with its default, in one place.

``create_app`` applies these defaults, then environment variables with the ``JOBCLASS_`` prefix
(``JOBCLASS_API_KEYS=a,b`` sets ``API_KEYS``), then a test config. Nothing else reads os.environ.
"""
from __future__ import annotations

from training.config import MAX_TEXT_CHARS, MODELS_DIR

DEFAULTS: dict[str, object] = {
    # Artifact directory, or the models folder (then its `current` link is used).
    "MODEL_DIR": str(MODELS_DIR),
    # Optional sha256 the artifact must have (operator pin); empty: only the card's own hash is checked.
    "MODEL_SHA256": "",
    # Comma-separated API keys; empty: no authentication.
    "API_KEYS": "",
    # Largest request body in bytes (413 above it).
    "MAX_BODY_BYTES": 1 << 20,
    # Longest ad text in characters (422 above it).
    "MAX_TEXT_CHARS": MAX_TEXT_CHARS,
    # Most items in one /classify/batch request.
    "MAX_BATCH_ITEMS": 100,
    # Log level of the JSON request log.
    "LOG_LEVEL": "INFO",
    # Load the model when the app is created (off in tests that check the not-ready state).
    "LOAD_MODEL": True,
}

#: Endpoints that never need an API key: liveness/readiness probes and the static web page shell.
PUBLIC_ENDPOINTS = frozenset({"ops.live", "ops.ready", "web.index", "static"})
