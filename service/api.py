"""``POST /classify`` and ``POST /classify/batch``."""
from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request

from service.model import require_predictor
from service.validation import parse_batch, parse_classify

bp = Blueprint("api", __name__)


@bp.post("/classify")
def classify():
    item, params = parse_classify(request, current_app.config["MAX_TEXT_CHARS"])
    predictor = require_predictor()
    result = predictor.classify(item.text, item.title, top_k=params.top_k, min_confidence=params.min_confidence)
    g.predicted_roles = [result["role"]["id"]]
    return jsonify(result)


@bp.post("/classify/batch")
def classify_batch():
    items, params = parse_batch(request, current_app.config["MAX_TEXT_CHARS"], current_app.config["MAX_BATCH_ITEMS"])
    predictor = require_predictor()
    good = [it for it in items if it.error is None]
    # One vectorised pass over all valid items; the bad ones keep their place with their error.
    predictions = iter(predictor.classify_batch([(it.text, it.title) for it in good], top_k=params.top_k,
                                                min_confidence=params.min_confidence) if good else [])
    results = []
    for it in items:
        if it.error is not None:
            results.append({"id": it.id, **it.error.to_dict()})
        else:
            results.append({"id": it.id, **next(predictions)})
    g.predicted_roles = [r["role"]["id"] for r in results if "role" in r]
    return jsonify({"results": results, "model": {"version": predictor.version,
                                                  "taxonomy_version": predictor.taxonomy_version}})
