"""Turning request bodies into validated classify requests, or an :class:`APIError` saying what is wrong."""
from __future__ import annotations

import codecs
import json
import math
from dataclasses import dataclass
from typing import Any

from flask import Request

from service.errors import APIError

__all__ = ["ClassifyParams", "Item", "read_body", "parse_classify", "parse_batch", "N_ROLES"]

N_ROLES = 13
_TEXT_TYPES = {"text/plain", "text/html"}
_CLASSIFY_FIELDS = {"text", "title", "top_k", "min_confidence"}
_BATCH_FIELDS = {"items", "top_k", "min_confidence"}
_ITEM_FIELDS = {"id", "text", "title"}


@dataclass(frozen=True)
class ClassifyParams:
    top_k: int = 3
    min_confidence: float = 0.0


@dataclass(frozen=True)
class Item:
    """One ad to classify, or the error that keeps it from being classified."""

    id: str | None
    text: str | None = None
    title: str | None = None
    error: APIError | None = None


def _decode(raw: bytes, charset: str) -> str:
    try:
        codecs.lookup(charset)
    except LookupError:
        raise APIError(415, "unsupported_charset", f"charset {charset!r} is not supported; send UTF-8") from None
    try:
        return raw.decode(charset)
    except UnicodeDecodeError as exc:
        raise APIError(422, "invalid_encoding",
                       f"body is not valid {charset}: byte {exc.start} cannot be decoded; send UTF-8 text") from None


def read_body(request: Request) -> tuple[str, Any]:
    """``("json", obj)`` or ``("text", str)`` from a request, by its Content-Type."""
    mimetype = request.mimetype
    if mimetype not in {"application/json"} | _TEXT_TYPES:
        shown = mimetype or "none"
        raise APIError(415, "unsupported_media_type",
                       f"Content-Type {shown!r} is not supported; use application/json, text/plain or text/html")
    raw = request.get_data(cache=True)  # raises 413 above MAX_CONTENT_LENGTH
    text = _decode(raw, request.mimetype_params.get("charset", "utf-8"))
    if mimetype != "application/json":
        return "text", text
    try:
        return "json", json.loads(text)
    except json.JSONDecodeError as exc:
        raise APIError(400, "malformed_json", f"body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise APIError(400, "malformed_json", "body is nested too deeply") from None


def _check_text(value: Any, field: str, max_chars: int) -> str:
    if not isinstance(value, str):
        raise APIError(400, "invalid_type", f"'{field}' must be a string, got {_type_name(value)}")
    if not value.strip():
        raise APIError(422, "empty_text", f"'{field}' is empty: send the ad's text")
    if len(value) > max_chars:
        raise APIError(422, "text_too_long", f"'{field}' has {len(value)} characters; the limit is {max_chars}")
    return value


def _check_title(value: Any, max_chars: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise APIError(400, "invalid_type", f"'title' must be a string or null, got {_type_name(value)}")
    if len(value) > 1000:
        raise APIError(422, "title_too_long", f"'title' has {len(value)} characters; the limit is 1000")
    return value or None


def _type_name(value: Any) -> str:
    return {dict: "an object", list: "an array", bool: "a boolean", type(None): "null", str: "a string",
            int: "an integer", float: "a number"}.get(type(value), type(value).__name__)


def _params(source: dict[str, Any]) -> ClassifyParams:
    top_k = source.get("top_k", 3)
    if isinstance(top_k, str) and top_k.strip().lstrip("-").isdigit():  # query strings carry text
        top_k = int(top_k)
    if isinstance(top_k, bool) or not isinstance(top_k, int):
        raise APIError(400, "invalid_type", f"'top_k' must be an integer in [1, {N_ROLES}], got {_type_name(top_k)}")
    if not 1 <= top_k <= N_ROLES:
        raise APIError(422, "out_of_range", f"'top_k' must be an integer in [1, {N_ROLES}], got {top_k}")
    min_conf = source.get("min_confidence", 0.0)
    if isinstance(min_conf, str):
        try:
            min_conf = float(min_conf)
        except ValueError:
            raise APIError(400, "invalid_type", "'min_confidence' must be a number in [0, 1]") from None
    if isinstance(min_conf, bool) or not isinstance(min_conf, (int, float)):
        raise APIError(400, "invalid_type", f"'min_confidence' must be a number in [0, 1], got {_type_name(min_conf)}")
    if not (math.isfinite(min_conf) and 0.0 <= min_conf <= 1.0):
        raise APIError(422, "out_of_range", f"'min_confidence' must be a number in [0, 1], got {min_conf}")
    return ClassifyParams(top_k=top_k, min_confidence=float(min_conf))


def _object(obj: Any, allowed: set[str], what: str) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise APIError(400, "invalid_type", f"{what} must be a JSON object, got {_type_name(obj)}")
    unknown = sorted(set(obj) - allowed)
    if unknown:
        raise APIError(400, "unknown_field", f"unknown field(s) {unknown} in {what}; allowed: {sorted(allowed)}")
    return obj


def parse_classify(request: Request, max_chars: int) -> tuple[Item, ClassifyParams]:
    """The ad and parameters of a ``POST /classify``."""
    kind, body = read_body(request)
    if kind == "text":
        _object(dict(request.args), {"title", "top_k", "min_confidence"}, "the query string")
        text = _check_text(body, "body", max_chars)
        return Item(None, text, _check_title(request.args.get("title"), max_chars)), _params(request.args)
    obj = _object(body, _CLASSIFY_FIELDS, "the request body")
    if "text" not in obj:
        raise APIError(400, "missing_field", "'text' is required: the ad's text (plain text, Markdown or HTML)")
    text = _check_text(obj["text"], "text", max_chars)
    return Item(None, text, _check_title(obj.get("title"), max_chars)), _params(obj)


def _item(obj: Any, index: int, max_chars: int) -> Item:
    raw_id = obj.get("id") if isinstance(obj, dict) else None
    item_id = raw_id if isinstance(raw_id, str) else None
    try:
        obj = _object(obj, _ITEM_FIELDS, f"items[{index}]")
        if raw_id is not None and not isinstance(raw_id, str):
            raise APIError(400, "invalid_type", f"items[{index}].id must be a string, got {_type_name(raw_id)}")
        if "text" not in obj:
            raise APIError(400, "missing_field", f"items[{index}].text is required")
        return Item(item_id, _check_text(obj["text"], f"items[{index}].text", max_chars),
                    _check_title(obj.get("title"), max_chars))
    except APIError as exc:
        return Item(item_id, error=exc)


def parse_batch(request: Request, max_chars: int, max_items: int) -> tuple[list[Item], ClassifyParams]:
    """The items and parameters of a ``POST /classify/batch``; bad items carry their error."""
    kind, body = read_body(request)
    if kind != "json":
        raise APIError(415, "unsupported_media_type", "/classify/batch takes application/json: {\"items\": [...]}")
    obj = _object(body, _BATCH_FIELDS, "the request body")
    items = obj.get("items")
    if not isinstance(items, list):
        raise APIError(400, "invalid_type" if "items" in obj else "missing_field",
                       f"'items' must be an array of {{id, text, title}} objects, got {_type_name(items)}")
    if not items:
        raise APIError(422, "empty_batch", "'items' is empty")
    if len(items) > max_items:
        raise APIError(413, "too_many_items", f"'items' has {len(items)} entries; the limit is {max_items}")
    return [_item(it, i, max_chars) for i, it in enumerate(items)], _params(obj)
