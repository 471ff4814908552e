"""Operations endpoints: health, model card, taxonomy, metrics, OpenAPI, admin reload."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify

from service.errors import APIError
from service.model import get_holder, get_predictor, require_predictor
from service.observability import render_metrics
from service.openapi import openapi_document

bp = Blueprint("ops", __name__)

# Card fields that describe the host or the repository rather than the model are not published.
_PRIVATE_CARD_KEYS = {"git_commit"}


@bp.get("/health/live")
def live():
    return jsonify({"status": "ok"})


@bp.get("/health/ready")
def ready():
    holder = get_holder()
    if holder.predictor is None:
        raise APIError(503, "not_ready", f"no model loaded: {holder.last_error or 'loading'}")
    return jsonify({"status": "ready", "model": {"version": holder.predictor.version,
                                                 "taxonomy_version": holder.predictor.taxonomy_version}})


@bp.get("/model")
def model_card():
    card: dict[str, Any] = {k: v for k, v in require_predictor().card.items() if k not in _PRIVATE_CARD_KEYS}
    return jsonify(card)


@bp.get("/taxonomy")
def taxonomy():
    tax = require_predictor().model.taxonomy
    return jsonify({
        "taxonomy_version": tax["taxonomy_version"],
        "roles": [{"id": r["id"], "name": r["name"], "description": r.get("description", ""),
                   "aliases": r.get("aliases", {}), "codes": r.get("codes")} for r in tax["roles"]],
        "seniority": [{"id": s["id"], "name": s["name"], "description": s.get("description", "")}
                      for s in tax["seniority"]],
        "skills": [{"id": s["id"], "name": s["name"], "description": s.get("description", ""),
                    "aliases": s.get("phrases", {})} for s in tax["skills"]],
    })


@bp.get("/metrics")
def metrics():
    predictor = get_predictor()
    text = render_metrics(current_app.extensions["jobclass_metrics"],
                          predictor.version if predictor else None,
                          predictor.taxonomy_version if predictor else None, get_holder().reloads)
    return Response(text, mimetype="text/plain; version=0.0.4")


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(current_app))


@bp.post("/admin/reload")
def reload():
    ok, message = get_holder().reload()
    predictor = get_predictor()
    body = {"reloaded": ok, "message": message, "model": {"version": predictor.version if predictor else None}}
    if not ok:
        return jsonify({**body, "error": {"code": "reload_failed", "message": message}}), 409
    return jsonify(body)
