"""The Flask app factory: ``service.app:create_app()``."""
from __future__ import annotations

from typing import Any

from flask import Flask

from service import api, auth, errors, model, observability, ops, web
from service.config import DEFAULTS

__all__ = ["create_app"]


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then ``JOBCLASS_*`` environment variables, then ``test_config``."""
    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("JOBCLASS")
    if test_config:
        app.config.from_mapping(test_config)
    app.config["MAX_CONTENT_LENGTH"] = int(app.config["MAX_BODY_BYTES"])
    app.json.sort_keys = False
    app.json.ensure_ascii = False

    errors.init_app(app)
    observability.init_app(app)  # first: request ids and timing wrap everything below
    auth.init_app(app)
    model.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(ops.bp)
    app.register_blueprint(web.bp)
    return app
