"""training.predictor with the real trained model (models/current).

The smoke cases are real ads chosen by id; their texts are read from the data directory at test
time. They are part of the training data, so getting them right shows the artifact works end to
end, not that the model generalises (that is the cross-validation's job).
"""
from __future__ import annotations

import json

import pandas as pd
import pytest

from training.config import MODELS_DIR, data_dir
from training.data import load_dataset
from training.document import parse_ad
from training.predictor import SHORT_AD_CHARS, Predictor
from training.taxonomy import OTHER, SPEC_ROLE_IDS, SPEC_SENIORITY_IDS, SPEC_SKILL_IDS
from training.text import looks_like_html, to_plain_text
from training.zoning import SKILL_ZONES

CARD = MODELS_DIR / "current" / "model.json"

#: Real ads whose gold role is unambiguous (title and tasks agree), by id.
SMOKE_CASES = [
    ("de_arbeitnow_api_raw:social-media-manager-biesenthal-7012", "social_media_manager"),
    ("de_arbeitnow_observatory:social-media-manager-munich-229305", "social_media_manager"),
    ("en_jobsets:0355", "social_media_manager"),
    ("n65f22ce1", OTHER),  # CNC-Dreher
    ("de_adzuna_snippets:20260425_de_5709982927_pflegefachkraft-mayen-caritas", OTHER),
    ("n707c7cb9", OTHER),  # software engineer
    ("ncd81e30d", OTHER),  # Finanzbuchhalter
    ("de_arbeitnow_api_raw:corporate-communications-manager-presse-interne-kommunikation-teilzeit-25-std-gudow-406477",
     "corporate_communications_manager"),
    ("en_jobsets:0223", "corporate_communications_manager"),  # PR specialist
    ("de_arbeitnow_api_raw:online-marketing-manager-berlin-133452", "online_marketing_manager"),
    ("de_arbeitnow_observatory:sea-manager-google-ads-in-vollzeit-stuttgart-318059", "online_marketing_manager"),
]
N_EVIDENCE_ADS = 50
N_HTML_ADS = 5

DOCUMENTED_KEYS = {
    "role", "role_candidates", "is_digital_communication", "seniority", "skills", "experience_years",
    "language", "warnings", "model",
}

# Synthetic ads (our own words).
ACCOUNTING_AD = """Buchhalter (m/w/d)
Über uns
Wir sind eine junge Modemarke aus Leipzig und lieben Instagram und TikTok. Unsere Community auf Social Media wächst jeden Tag, und unsere Reels erreichen Millionen Menschen.
Deine Aufgaben
- Du bearbeitest die laufende Finanzbuchhaltung und Kreditorenbuchhaltung.
- Du erstellst Monats- und Jahresabschlüsse nach HGB.
- Du bereitest Umsatzsteuervoranmeldungen vor und pflegst den Zahlungsverkehr.
Dein Profil
- Abgeschlossene Ausbildung als Steuerfachangestellte oder Bilanzbuchhalter
- Sichere Kenntnisse in DATEV und Excel
- Sorgfältige und strukturierte Arbeitsweise
Wir bieten
- Ein Büro mit Instagram-tauglicher Dachterrasse
- 30 Tage Urlaub und Jobrad
"""
LINKEDIN_AD = """Social Media Manager (m/w/d)
Über uns
Wir sind eine Agentur aus Hamburg. Auf Instagram zeigen wir täglich unsere Projekte und unser Team.
Deine Aufgaben
- Du verantwortest unseren LinkedIn-Auftritt und planst Beiträge im Redaktionsplan.
- Du schreibst Posts für LinkedIn und beantwortest Kommentare und Nachrichten.
- Du wertest die Reichweite unserer Beiträge aus und berichtest monatlich an die Geschäftsführung.
Dein Profil
- Mehrjährige Erfahrung im Social Media Management, gern im B2B-Bereich
- Sehr gute Deutschkenntnisse in Wort und Schrift
Wir bieten
- Ein Instagram-würdiges Büro an der Alster
- Flexible Arbeitszeiten und Homeoffice
"""
HTML_AD = (
    "<html><body><h1>Social Media Manager (m/w/d)</h1>"
    "<p>Wir sind ein Sportverein aus Bremen mit 3.000 Mitgliedern.</p>"
    "<h2>Deine Aufgaben</h2><ul>"
    "<li>Du betreust unsere Kanäle auf Instagram, TikTok und Facebook.</li>"
    "<li>Du planst Beiträge im Redaktionsplan und drehst kurze Reels von Spieltagen.</li>"
    "<li>Du beantwortest Kommentare und Nachrichten unserer Fans.</li>"
    "<li>Du wertest Reichweite und Interaktionen aus.</li></ul>"
    "<h2>Dein Profil</h2><ul>"
    "<li>Mindestens 2 Jahre Berufserfahrung im Social Media Management</li>"
    "<li>Sicherer Umgang mit Canva und CapCut</li></ul>"
    "<h2>Wir bieten</h2><ul><li>Dauerkarte für alle Heimspiele</li></ul></body></html>"
)
SHORT_AD = "Social Media Manager (m/w/d)\nDu betreust Instagram."
CHINESE_AD = "社交媒体经理\n我们正在招聘一名社交媒体经理，负责公司的微博和微信账号，并与团队合作。"


@pytest.fixture(scope="module")
def predictor() -> Predictor:
    if not CARD.exists():
        pytest.skip(f"no trained model at {MODELS_DIR / 'current'}: run `make train` first")
    return Predictor.load(MODELS_DIR)


@pytest.fixture(scope="module")
def dataset() -> pd.DataFrame:
    if not (data_dir() / "labelled").is_dir():
        pytest.skip(f"real ad data not found at {data_dir()} (set JOBCLASS_DATA_DIR)")
    return load_dataset().set_index("id")


@pytest.fixture(scope="module")
def evidence_ads(dataset) -> pd.DataFrame:
    """50 real communication ads (they get skills) plus a few authored HTML ads."""
    real = dataset[(dataset["source"] != "authored") & (dataset["role"] != OTHER)]
    html = dataset[(dataset["source"] == "authored") & dataset["text"].map(looks_like_html)]
    return pd.concat([real.sample(N_EVIDENCE_ADS, random_state=0), html.head(N_HTML_ADS)])


@pytest.fixture(scope="module")
def evidence_results(predictor, evidence_ads) -> list[dict]:
    return predictor.classify_batch(list(zip(evidence_ads["text"], evidence_ads["title"], strict=True)))


def check_result_shape(result: dict, top_k: int = 3) -> None:
    assert set(result) >= DOCUMENTED_KEYS
    role = result["role"]
    assert {"id", "name", "confidence", "codes"} <= set(role)
    assert role["id"] in SPEC_ROLE_IDS
    assert 0.0 <= role["confidence"] <= 1.0
    assert result["is_digital_communication"] == (role["id"] != OTHER)
    if role["id"] == OTHER:
        assert role["codes"] is None
        assert result["skills"] == []
    else:
        assert set(role["codes"]) == {"isco08", "kldb2010", "esco"}
    candidates = result["role_candidates"]
    assert len(candidates) == top_k
    confidences = [c["confidence"] for c in candidates]
    assert confidences == sorted(confidences, reverse=True)
    assert {"id", "confidence"} <= set(result["seniority"])
    assert result["seniority"]["id"] in SPEC_SENIORITY_IDS
    assert result["language"] in {"de", "en", "other"}
    assert all(isinstance(w, str) and w for w in result["warnings"])
    assert set(result["model"]) == {"version", "taxonomy_version"}
    for skill in result["skills"]:
        assert skill["id"] in SPEC_SKILL_IDS
        assert skill["evidence"]
    assert json.loads(json.dumps(result)) == result


# --------------------------------------------------------------------------------------------
# Smoke test on clear real ads


@pytest.mark.parametrize(("ad_id", "role"), SMOKE_CASES, ids=[c[0][:50] for c in SMOKE_CASES])
def test_clear_real_ads_get_their_role(predictor, dataset, ad_id, role):
    assert dataset.loc[ad_id, "role"] == role  # the gold label we chose the ad for
    result = predictor.classify(dataset.loc[ad_id, "text"], dataset.loc[ad_id, "title"])
    assert result["role"]["id"] == role
    assert result["role"]["confidence"] > 0.5
    check_result_shape(result)


def test_model_metadata(predictor):
    result = predictor.classify(LINKEDIN_AD)
    assert result["model"] == {"version": predictor.version, "taxonomy_version": predictor.taxonomy_version}
    assert predictor.version == predictor.card["version"]
    assert predictor.taxonomy_version == predictor.card["taxonomy_version"]


# --------------------------------------------------------------------------------------------
# Evidence and result shape on many real ads


def test_every_evidence_span_cuts_its_text_from_the_plain_text(evidence_ads, evidence_results):
    n_spans = 0
    for text, result in zip(evidence_ads["text"], evidence_results, strict=True):
        plain = to_plain_text(text)
        if not looks_like_html(text):
            assert plain is text
        for skill in result["skills"]:
            for ev in skill["evidence"]:
                assert plain[ev["start"]:ev["end"]] == ev["text"]
                assert ev["text"].strip() == ev["text"] != ""
                n_spans += 1
        exp = result["experience_years"]
        if exp is not None:
            assert plain[exp["evidence"]["start"]:exp["evidence"]["end"]] == exp["evidence"]["text"]
    assert n_spans >= N_EVIDENCE_ADS


def test_evidence_comes_from_the_job_sentences_only(evidence_ads, evidence_results):
    for text, result in zip(evidence_ads["text"], evidence_results, strict=True):
        zones = {(s.start, s.end): s.zone for s in parse_ad(text).sentences}
        for skill in result["skills"]:
            for ev in skill["evidence"]:
                assert zones[(ev["start"], ev["end"])] in SKILL_ZONES, (skill["id"], ev["text"])


def test_skills_sorted_by_confidence(evidence_results):
    assert any(len(r["skills"]) > 2 for r in evidence_results)
    for result in evidence_results:
        confidences = [s["confidence"] for s in result["skills"]]
        assert confidences == sorted(confidences, reverse=True)


def test_results_have_the_documented_shape(evidence_results):
    for result in evidence_results:
        check_result_shape(result)


def test_classify_batch_equals_classify_one_by_one(predictor, evidence_ads, evidence_results):
    subset = evidence_ads.head(10)
    singles = [predictor.classify(text, title) for text, title in zip(subset["text"], subset["title"], strict=True)]
    assert singles == evidence_results[:10]


def test_classify_batch_of_nothing(predictor):
    assert predictor.classify_batch([]) == []


@pytest.mark.parametrize("top_k", [1, 5, len(SPEC_ROLE_IDS)])
def test_top_k_candidates(predictor, top_k):
    result = predictor.classify(LINKEDIN_AD, top_k=top_k)
    check_result_shape(result, top_k=top_k)
    assert result["role_candidates"][0]["id"] == result["role"]["id"]
    if top_k == len(SPEC_ROLE_IDS):
        assert sum(c["confidence"] for c in result["role_candidates"]) == pytest.approx(1.0, abs=1e-3)


def test_min_confidence_filters_skills(predictor):
    every = predictor.classify(LINKEDIN_AD)["skills"]
    cut = sorted(s["confidence"] for s in every)[len(every) // 2]
    kept = predictor.classify(LINKEDIN_AD, min_confidence=cut)["skills"]
    assert [s["id"] for s in kept] == [s["id"] for s in every if s["confidence"] >= cut]
    assert len(kept) < len(every)


# --------------------------------------------------------------------------------------------
# Warnings and inputs


def test_very_short_ad_gets_a_warning(predictor):
    assert len(SHORT_AD) < SHORT_AD_CHARS
    result = predictor.classify(SHORT_AD)
    assert any(w.startswith("very short ad") for w in result["warnings"])
    check_result_shape(result)
    assert not any(w.startswith("very short ad") for w in predictor.classify(LINKEDIN_AD)["warnings"])


def test_unrecognised_language_gets_a_warning(predictor):
    result = predictor.classify(CHINESE_AD)
    assert result["language"] == "other"
    assert any("language not recognised" in w for w in result["warnings"])


def test_cut_off_ad_gets_a_warning(predictor):
    result = predictor.classify(LINKEDIN_AD.rstrip() + " und vieles mehr ...")
    assert any("cut off" in w for w in result["warnings"])


def test_html_input(predictor):
    result = predictor.classify(HTML_AD)
    check_result_shape(result)
    assert result["role"]["id"] == "social_media_manager"
    assert result["language"] == "de"
    assert result["experience_years"]["min"] == 2
    plain = to_plain_text(HTML_AD)
    skills = {s["id"]: s for s in result["skills"]}
    assert "social_media_platforms" in skills
    for skill in result["skills"]:
        for ev in skill["evidence"]:
            assert plain[ev["start"]:ev["end"]] == ev["text"]
            assert "<" not in ev["text"]


def test_given_title_is_used(predictor):
    body = LINKEDIN_AD.split("\n", 1)[1]
    result = predictor.classify(body, title="Social Media Manager (m/w/d)")
    assert result["title"] == "Social Media Manager (m/w/d)"
    assert result["role"]["id"] == "social_media_manager"


def test_classify_is_deterministic(predictor):
    assert predictor.classify(LINKEDIN_AD) == predictor.classify(LINKEDIN_AD)


# --------------------------------------------------------------------------------------------
# Company intros and benefits are not the job


def test_social_media_loving_company_hiring_an_accountant(predictor):
    result = predictor.classify(ACCOUNTING_AD)
    assert result["is_digital_communication"] is False
    assert result["role"]["id"] == OTHER
    assert result["skills"] == []


def test_platform_evidence_never_from_intro_or_benefits(predictor):
    result = predictor.classify(LINKEDIN_AD)
    assert result["role"]["id"] == "social_media_manager"
    platforms = [s for s in result["skills"] if s["id"] == "social_media_platforms"]
    assert platforms, "LinkedIn in the tasks should give social_media_platforms"
    outside = {(s.start, s.end) for s in parse_ad(LINKEDIN_AD).sentences if s.zone in ("intro", "benefits")}
    assert outside
    for ev in platforms[0]["evidence"]:
        assert (ev["start"], ev["end"]) not in outside
        assert "Instagram" not in ev["text"]
        assert "LinkedIn" in ev["text"]
