"""The HTTP contract of /classify, /classify/batch and the operations endpoints (Flask test client)."""
from __future__ import annotations

import json

import pytest

SOCIAL_AD = (
    "Social Media Manager (m/w/d)\n"
    "Wir sind ein Verlag in Hamburg.\n"
    "Deine Aufgaben\n"
    "- Du betreust unsere Kanäle auf Instagram, TikTok und LinkedIn.\n"
    "- Du planst Beiträge im Redaktionsplan und wertest KPIs aus.\n"
    "Dein Profil\n"
    "- 2-3 Jahre Berufserfahrung im Social Media Management\n"
    "- Sehr gute Deutschkenntnisse\n"
)
HTML_AD = ("<h2>Online-Redakteur (m/w/d)</h2><p>Wir suchen Verstärkung.</p><h3>Deine Aufgaben</h3>"
           "<ul><li>Du schreibst Texte für Website, Blog und Newsletter.</li>"
           "<li>Du pflegst Inhalte im CMS (WordPress).</li></ul>")
RESULT_KEYS = {"role", "role_candidates", "is_digital_communication", "seniority", "skills", "experience_years",
               "language", "warnings", "model"}


def _check_result(result: dict, text: str) -> None:
    assert set(result) >= RESULT_KEYS
    assert {"id", "name", "confidence", "codes"} <= set(result["role"])
    assert {"id", "confidence"} <= set(result["seniority"])
    confidences = [s["confidence"] for s in result["skills"]]
    assert confidences == sorted(confidences, reverse=True)
    for skill in result["skills"]:
        assert skill["evidence"], skill["id"]
        for ev in skill["evidence"]:
            assert text[ev["start"]:ev["end"]] == ev["text"]


def test_classify_json(client):
    r = client.post("/classify", json={"text": SOCIAL_AD})
    assert r.status_code == 200
    body = r.get_json()
    _check_result(body, SOCIAL_AD)
    assert body["role"]["id"] == "social_media_manager"
    assert body["is_digital_communication"] is True
    assert body["role"]["codes"]["isco08"].isdigit()
    assert body["language"] == "de"
    assert body["experience_years"]["min"] == 2
    assert len(body["role_candidates"]) == 3


@pytest.mark.parametrize("content_type", ["text/plain", "text/plain; charset=utf-8"])
def test_classify_text_body(client, content_type):
    r = client.post("/classify?top_k=5", data=SOCIAL_AD.encode(), content_type=content_type)
    assert r.status_code == 200
    body = r.get_json()
    _check_result(body, SOCIAL_AD)
    assert len(body["role_candidates"]) == 5


def test_classify_html_body_offsets_into_plain_text(client):
    from training.text import to_plain_text

    r = client.post("/classify", data=HTML_AD.encode(), content_type="text/html")
    assert r.status_code == 200
    body = r.get_json()
    _check_result(body, to_plain_text(HTML_AD))
    assert body["is_digital_communication"] is True


def test_title_query_parameter_and_field(client):
    r1 = client.post("/classify", json={"text": SOCIAL_AD.split("\n", 1)[1], "title": "Social Media Manager"})
    r2 = client.post("/classify?title=Social%20Media%20Manager", data=SOCIAL_AD.split("\n", 1)[1].encode(),
                     content_type="text/plain")
    assert r1.get_json()["role"] == r2.get_json()["role"]
    assert r1.get_json()["title"] == "Social Media Manager"


def test_min_confidence_filters_skills(client):
    all_skills = client.post("/classify", json={"text": SOCIAL_AD}).get_json()["skills"]
    strict = client.post("/classify", json={"text": SOCIAL_AD, "min_confidence": 0.99}).get_json()["skills"]
    assert all(s["confidence"] >= 0.99 for s in strict)
    assert len(strict) <= len(all_skills)
    assert {s["id"] for s in strict} == {s["id"] for s in all_skills if s["confidence"] >= 0.99}


def test_request_id_echoed_or_generated(client):
    given = client.post("/classify", json={"text": SOCIAL_AD}, headers={"X-Request-ID": "abc-123"})
    assert given.headers["X-Request-ID"] == "abc-123"
    generated = client.get("/health/live")
    assert len(generated.headers["X-Request-ID"]) == 32
    junk = client.get("/health/live", headers={"X-Request-ID": "bad id with spaces\u00e4"})
    assert junk.headers["X-Request-ID"] != "bad id with spaces\u00e4"


def test_batch_mixed_items_keep_order(client):
    items = [{"id": "a", "text": SOCIAL_AD}, {"id": "b", "text": ""}, {"id": "c", "text": HTML_AD},
             {"text": 42}, {"id": "e", "text": "x", "colour": "red"}]
    r = client.post("/classify/batch", json={"items": items})
    assert r.status_code == 200
    results = r.get_json()["results"]
    assert [res["id"] for res in results] == ["a", "b", "c", None, "e"]
    assert results[0]["role"]["id"] == "social_media_manager"
    assert results[1]["error"]["code"] == "empty_text"
    assert "role" in results[2]
    assert results[3]["error"]["code"] == "invalid_type"
    assert results[4]["error"]["code"] == "unknown_field"


def test_batch_equals_single(client):
    single = client.post("/classify", json={"text": HTML_AD}).get_json()
    batch = client.post("/classify/batch", json={"items": [{"id": "x", "text": HTML_AD}]}).get_json()["results"][0]
    batch.pop("id")
    assert batch == single


def test_health_and_not_ready(make_app):
    ready = make_app().test_client()
    assert ready.get("/health/live").status_code == 200
    assert ready.get("/health/ready").get_json()["status"] == "ready"
    empty = make_app(model=None).test_client()
    assert empty.get("/health/live").status_code == 200
    for method, path in [("get", "/health/ready"), ("get", "/model"), ("get", "/taxonomy")]:
        r = getattr(empty, method)(path)
        assert r.status_code == 503 and r.get_json()["error"]["code"] == "not_ready"
    r = empty.post("/classify", json={"text": SOCIAL_AD})
    assert r.status_code == 503 and r.get_json()["error"]["code"] == "not_ready"


def test_model_card_has_no_secrets(client, predictor):
    card = client.get("/model").get_json()
    assert card["version"] == predictor.version
    assert card["taxonomy_version"] == predictor.taxonomy_version
    assert "git_commit" not in card
    assert card["evaluation"]["metrics"] is None or "role_accuracy" in card["evaluation"]["metrics"]


def test_taxonomy_endpoint(client):
    tax = client.get("/taxonomy").get_json()
    assert len(tax["roles"]) == 13 and len(tax["skills"]) == 26 and len(tax["seniority"]) == 5
    smm = next(r for r in tax["roles"] if r["id"] == "social_media_manager")
    assert smm["aliases"]["de"] and smm["codes"]["esco"]["uri"].startswith("http://data.europa.eu/esco/")


def test_metrics_count_requests_and_predictions(client):
    client.post("/classify", json={"text": SOCIAL_AD})
    client.post("/classify", data=b"{", content_type="application/json")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'jobclass_requests_total{endpoint="/classify",method="POST",status="200"' in text
    assert 'jobclass_requests_total{endpoint="/classify",method="POST",status="400"' in text
    assert 'jobclass_request_duration_seconds_bucket{endpoint="/classify",le="+Inf"' in text
    assert 'jobclass_predictions_total{role="social_media_manager"' in text
    assert "jobclass_model_info{version=" in text


def test_openapi_matches_routes_and_responses(app, client):
    doc = client.get("/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    served = {(rule.rule, m.lower()) for rule in app.url_map.iter_rules() if rule.endpoint != "static"
              for m in rule.methods - {"HEAD", "OPTIONS"} if rule.rule != "/"}
    assert documented == served
    schema = doc["components"]["schemas"]["ClassifyResult"]
    result = client.post("/classify", json={"text": SOCIAL_AD}).get_json()
    assert set(schema["required"]) <= set(result)
    assert set(result) <= set(schema["properties"])
    request_fields = set(doc["components"]["schemas"]["ClassifyRequest"]["properties"])
    r = client.post("/classify", json={"text": SOCIAL_AD, **{f: None for f in ["bogus"]}})
    assert r.get_json()["error"]["code"] == "unknown_field"
    assert request_fields == {"text", "title", "top_k", "min_confidence"}


def test_access_log_has_no_ad_text(client, caplog):
    import logging

    secret = "Kontakt: Erika Mustermann, erika@example.org"
    with caplog.at_level(logging.INFO, logger="jobclass.access"):
        logger = logging.getLogger("jobclass.access")
        logger.propagate = True
        try:
            client.post("/classify", json={"text": SOCIAL_AD + secret}, headers={"X-Request-ID": "log-test"})
        finally:
            logger.propagate = False
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "jobclass.access"]
    assert any(line["request_id"] == "log-test" and line["status"] == 200 for line in lines)
    assert all("Mustermann" not in r.getMessage() for r in caplog.records)
