"""One JSON error envelope for every error: ``{"error": {"code", "message"}}``."""
from __future__ import annotations

import logging

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException, MethodNotAllowed

__all__ = ["APIError", "init_app"]

logger = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    413: "payload_too_large", 415: "unsupported_media_type", 422: "unprocessable", 429: "too_many_requests",
    500: "internal_error", 503: "not_ready",
}


class APIError(Exception):
    """A request error with its HTTP status, a stable machine-readable code and a readable message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def to_dict(self) -> dict[str, dict[str, str]]:
        return {"error": {"code": self.code, "message": self.message}}


def _envelope(status: int, code: str, message: str):
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(APIError)
    def _api_error(exc: APIError):
        return _envelope(exc.status, exc.code, exc.message)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        message = exc.description or exc.name
        if status == 413:
            message = f"request body is larger than the limit of {app.config['MAX_BODY_BYTES']} bytes"
        response = _envelope(status, _HTTP_CODES.get(status, "http_error"), message)
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        # A bug, not user input: log it with the request id, answer JSON (never an HTML page).
        logger.exception("unhandled error")
        return _envelope(500, "internal_error", "internal error; the request id identifies it in the logs")
