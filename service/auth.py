"""API keys: when configured, every endpoint but the health checks needs one."""
from __future__ import annotations

import hmac

from flask import Flask, current_app, request

from service.config import PUBLIC_ENDPOINTS
from service.errors import APIError

__all__ = ["init_app", "api_keys"]


def api_keys(app: Flask) -> list[bytes]:
    raw = app.config["API_KEYS"]
    keys = raw if isinstance(raw, (list, tuple)) else str(raw).split(",")
    return [k.strip().encode() for k in keys if str(k).strip()]


def _presented_key() -> bytes | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip().encode()
    key = request.headers.get("X-API-Key")
    return key.strip().encode() if key else None


def init_app(app: Flask) -> None:
    app.extensions["jobclass_api_keys"] = api_keys(app)

    @app.before_request
    def _require_key() -> None:
        keys = current_app.extensions["jobclass_api_keys"]
        if not keys or request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
            return
        presented = _presented_key()
        if presented is None:
            raise APIError(401, "missing_api_key", "send an API key as 'Authorization: Bearer <key>' or 'X-API-Key'")
        # Compare against every key in constant time, so timing reveals neither key nor position.
        matched = False
        for key in keys:
            matched |= hmac.compare_digest(presented, key)
        if not matched:
            raise APIError(401, "invalid_api_key", "the API key is not valid")
