"""Bad input never causes a 5xx: a table of malformed requests, then random JSON and bytes (hypothesis)."""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

JSON = "application/json"
OK_TEXT = "Social Media Manager (m/w/d) für Instagram und TikTok gesucht."

# (case, method, path, body bytes, content type, status, error code)
BAD_REQUESTS = [
    ("malformed json", "post", "/classify", b"{", JSON, 400, "malformed_json"),
    ("json trailing junk", "post", "/classify", b'{"text": "a"} x', JSON, 400, "malformed_json"),
    ("json array", "post", "/classify", b'["text"]', JSON, 400, "invalid_type"),
    ("json string", "post", "/classify", b'"just a string"', JSON, 400, "invalid_type"),
    ("json null", "post", "/classify", b"null", JSON, 400, "invalid_type"),
    ("missing text", "post", "/classify", b'{"title": "x"}', JSON, 400, "missing_field"),
    ("text number", "post", "/classify", b'{"text": 5}', JSON, 400, "invalid_type"),
    ("text null", "post", "/classify", b'{"text": null}', JSON, 400, "invalid_type"),
    ("text nested object", "post", "/classify", b'{"text": {"a": [1, {"b": null}]}}', JSON, 400, "invalid_type"),
    ("text list", "post", "/classify", b'{"text": ["a", "b"]}', JSON, 400, "invalid_type"),
    ("title number", "post", "/classify", json.dumps({"text": OK_TEXT, "title": 7}).encode(), JSON, 400,
     "invalid_type"),
    ("unknown field", "post", "/classify", json.dumps({"text": OK_TEXT, "lang": "de"}).encode(), JSON, 400,
     "unknown_field"),
    ("top_k string", "post", "/classify", json.dumps({"text": OK_TEXT, "top_k": "three"}).encode(), JSON, 400,
     "invalid_type"),
    ("top_k bool", "post", "/classify", json.dumps({"text": OK_TEXT, "top_k": True}).encode(), JSON, 400,
     "invalid_type"),
    ("top_k zero", "post", "/classify", json.dumps({"text": OK_TEXT, "top_k": 0}).encode(), JSON, 422,
     "out_of_range"),
    ("top_k 14", "post", "/classify", json.dumps({"text": OK_TEXT, "top_k": 14}).encode(), JSON, 422,
     "out_of_range"),
    ("top_k float", "post", "/classify", json.dumps({"text": OK_TEXT, "top_k": 2.5}).encode(), JSON, 400,
     "invalid_type"),
    ("min_confidence 2", "post", "/classify", json.dumps({"text": OK_TEXT, "min_confidence": 2}).encode(), JSON,
     422, "out_of_range"),
    ("min_confidence NaN", "post", "/classify", b'{"text": "abc def", "min_confidence": NaN}', JSON, 422,
     "out_of_range"),
    ("empty text", "post", "/classify", b'{"text": ""}', JSON, 422, "empty_text"),
    ("whitespace text", "post", "/classify", b'{"text": " \\n\\t "}', JSON, 422, "empty_text"),
    ("empty plain body", "post", "/classify", b"", "text/plain", 422, "empty_text"),
    ("huge text", "post", "/classify", json.dumps({"text": "a" * 100_001}).encode(), JSON, 422, "text_too_long"),
    ("body over 1 MiB", "post", "/classify", b"a" * (1024 * 1024 + 1), "text/plain", 413, "payload_too_large"),
    ("invalid utf-8 json", "post", "/classify", b'{"text": "\xff\xfe"}', JSON, 422, "invalid_encoding"),
    ("invalid utf-8 text", "post", "/classify", b"Stelle \xc3\x28 frei", "text/plain", 422, "invalid_encoding"),
    ("binary body", "post", "/classify", bytes(range(256)), "text/plain", 422, "invalid_encoding"),
    ("image content type", "post", "/classify", b"\x89PNG\r\n", "image/png", 415, "unsupported_media_type"),
    ("form content type", "post", "/classify", b"text=hello", "application/x-www-form-urlencoded", 415,
     "unsupported_media_type"),
    ("no content type", "post", "/classify", b'{"text": "a"}', None, 415, "unsupported_media_type"),
    ("unknown charset", "post", "/classify", b"hello world", "text/plain; charset=klingon", 415,
     "unsupported_charset"),
    ("unknown query param", "post", "/classify?foo=1", OK_TEXT.encode(), "text/plain", 400, "unknown_field"),
    ("deeply nested", "post", "/classify", b"[" * 100_000 + b"]" * 100_000, JSON, 400, "malformed_json"),
    ("batch not json", "post", "/classify/batch", b"hello", "text/plain", 415, "unsupported_media_type"),
    ("batch missing items", "post", "/classify/batch", b"{}", JSON, 400, "missing_field"),
    ("batch items object", "post", "/classify/batch", b'{"items": {"text": "a"}}', JSON, 400, "invalid_type"),
    ("batch empty", "post", "/classify/batch", b'{"items": []}', JSON, 422, "empty_batch"),
    ("batch over limit", "post", "/classify/batch",
     json.dumps({"items": [{"text": OK_TEXT}] * 101}).encode(), JSON, 413, "too_many_items"),
    ("get on classify", "get", "/classify", None, None, 405, "method_not_allowed"),
    ("unknown path", "get", "/classiffy", None, None, 404, "not_found"),
    ("post on health", "post", "/health/live", b"", JSON, 405, "method_not_allowed"),
]


@pytest.mark.parametrize(("case", "method", "path", "body", "ctype", "status", "code"), BAD_REQUESTS,
                         ids=[row[0] for row in BAD_REQUESTS])
def test_bad_request_gets_clear_json_error(client, case, method, path, body, ctype, status, code):
    kwargs = {} if body is None else {"data": body}
    if ctype:
        kwargs["content_type"] = ctype
    r = getattr(client, method)(path, **kwargs)
    assert r.status_code == status, (case, r.get_json())
    assert r.is_json
    error = r.get_json()["error"]
    assert error["code"] == code
    assert error["message"]


def test_405_keeps_allow_header(client):
    assert "POST" in client.get("/classify").headers["Allow"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
bodies = st.one_of(
    json_values.map(lambda v: (json.dumps(v).encode(), JSON)),
    st.dictionaries(st.sampled_from(["text", "title", "top_k", "min_confidence", "items", "x"]), json_values,
                    max_size=4).map(lambda v: (json.dumps(v).encode(), JSON)),
    st.binary(max_size=300).map(lambda b: (b, "text/plain")),
    st.binary(max_size=300).map(lambda b: (b, JSON)),
    st.text(max_size=300).map(lambda t: (t.encode("utf-8", "surrogatepass"), "text/html")),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies, path=st.sampled_from(["/classify", "/classify/batch"]))
def test_random_input_never_5xx(client, body, path):
    data, ctype = body
    r = client.post(path, data=data, content_type=ctype)
    assert r.status_code < 500, (data[:80], r.get_data()[:200])
    assert r.is_json
    if r.status_code != 200:
        assert set(r.get_json()["error"]) == {"code", "message"}
