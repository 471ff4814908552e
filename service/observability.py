"""Request ids, one JSON log line per request, and Prometheus metrics.

The log line never holds the ad text (ads carry names and contact data): request id, method,
endpoint, status, latency and predicted role(s) only. Metrics are per worker process, labelled
with its pid, in the Prometheus text format.
"""
from __future__ import annotations

import json
import logging
import os
import re
import sys
import threading
import time
import uuid
from collections import defaultdict

from flask import Flask, Response, g, request

__all__ = ["init_app", "Metrics", "render_metrics"]

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
access_log = logging.getLogger("jobclass.access")


class Metrics:
    """Counters and latency histograms, thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: dict[tuple[str, str, int], int] = defaultdict(int)
        self.latency: dict[str, list[int]] = defaultdict(lambda: [0] * (len(BUCKETS) + 1))
        self.latency_sum: dict[str, float] = defaultdict(float)
        self.predictions: dict[str, int] = defaultdict(int)

    def observe(self, endpoint: str, method: str, status: int, seconds: float, roles: list[str]) -> None:
        with self._lock:
            self.requests[(endpoint, method, status)] += 1
            counts = self.latency[endpoint]
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    counts[i] += 1
                    break
            else:
                counts[-1] += 1
            self.latency_sum[endpoint] += seconds
            for role in roles:
                self.predictions[role] += 1


def _label(value: object) -> str:
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def render_metrics(metrics: Metrics, model_version: str | None, taxonomy_version: str | None,
                   reloads: dict[str, int]) -> str:
    pid = os.getpid()
    lines = ["# HELP jobclass_requests_total HTTP requests by endpoint, method and status.",
             "# TYPE jobclass_requests_total counter"]
    with metrics._lock:
        for (endpoint, method, status), n in sorted(metrics.requests.items()):
            lines.append(f'jobclass_requests_total{{endpoint="{_label(endpoint)}",method="{method}",'
                         f'status="{status}",pid="{pid}"}} {n}')
        lines += ["# HELP jobclass_request_duration_seconds Request latency by endpoint.",
                  "# TYPE jobclass_request_duration_seconds histogram"]
        for endpoint, counts in sorted(metrics.latency.items()):
            cumulative = 0
            for bound, n in zip((*BUCKETS, "+Inf"), counts, strict=True):
                cumulative += n
                lines.append(f'jobclass_request_duration_seconds_bucket{{endpoint="{_label(endpoint)}",le="{bound}",'
                             f'pid="{pid}"}} {cumulative}')
            lines.append(f'jobclass_request_duration_seconds_sum{{endpoint="{_label(endpoint)}",pid="{pid}"}} '
                         f'{metrics.latency_sum[endpoint]:.6f}')
            lines.append(f'jobclass_request_duration_seconds_count{{endpoint="{_label(endpoint)}",pid="{pid}"}} '
                         f'{cumulative}')
        lines += ["# HELP jobclass_predictions_total Predicted primary roles.",
                  "# TYPE jobclass_predictions_total counter"]
        for role, n in sorted(metrics.predictions.items()):
            lines.append(f'jobclass_predictions_total{{role="{_label(role)}",pid="{pid}"}} {n}')
    lines += ["# HELP jobclass_model_info The loaded model (1 when loaded).", "# TYPE jobclass_model_info gauge",
              f'jobclass_model_info{{version="{_label(model_version)}",taxonomy_version="{_label(taxonomy_version)}",'
              f'pid="{pid}"}} {1 if model_version else 0}',
              "# HELP jobclass_model_reloads_total Model (re)loads by result.",
              "# TYPE jobclass_model_reloads_total counter"]
    for result, n in sorted(reloads.items()):
        lines.append(f'jobclass_model_reloads_total{{result="{result}",pid="{pid}"}} {n}')
    return "\n".join(lines) + "\n"


def _configure_logging(level: str) -> None:
    if not access_log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        access_log.addHandler(handler)
        access_log.propagate = False
    access_log.setLevel(str(level).upper())


def init_app(app: Flask) -> None:
    metrics = Metrics()
    app.extensions["jobclass_metrics"] = metrics
    _configure_logging(app.config["LOG_LEVEL"])

    @app.before_request
    def _start() -> None:
        g.start = time.perf_counter()
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        g.predicted_roles = []

    @app.after_request
    def _finish(response: Response) -> Response:
        seconds = time.perf_counter() - g.get("start", time.perf_counter())
        endpoint = request.url_rule.rule if request.url_rule else "unmatched"
        roles = g.get("predicted_roles", [])
        metrics.observe(endpoint, request.method, response.status_code, seconds, roles)
        response.headers["X-Request-ID"] = g.get("request_id", "")
        access_log.info(json.dumps({
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "request_id": g.get("request_id"), "method": request.method,
            "endpoint": endpoint, "status": response.status_code, "latency_ms": round(seconds * 1000, 2),
            "roles": roles[:5], "n_predictions": len(roles),
        }))
        return response
