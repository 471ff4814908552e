"""``GET /``: the web page for people who paste an ad rather than call the API.

The page is a static shell; its script calls the same ``POST /classify`` as any other client, so
the page needs no API key itself (``web.index`` and ``static`` are public endpoints).
"""
from __future__ import annotations

from flask import Blueprint, make_response, render_template

__all__ = ["bp"]

bp = Blueprint("web", __name__)

# Everything the page loads comes from this service; the policy makes a stray CDN link fail loudly.
_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


@bp.get("/")
def index():
    response = make_response(render_template("index.html"))
    response.headers["Content-Security-Policy"] = _CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
