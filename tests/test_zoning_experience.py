"""training.zoning and training.experience on small synthetic ads."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from training.experience import find_experience
from training.zoning import _ANY_HEADING, _HEADINGS, SKILL_ZONES, ZONES, zone_sentences

GERMAN_AD = """Social Media Manager (m/w/d)
Wir sind ein Familienunternehmen aus Köln und lieben Instagram. Seit 30 Jahren stehen wir für Qualität.
Deine Aufgaben
- Du planst und veröffentlichst Beiträge auf LinkedIn.
- Du erstellst monatliche Reportings.
Dein Profil
- 3-5 Jahre Berufserfahrung im Social Media Marketing
- Sehr gute Deutschkenntnisse
Wir bieten
- Jobrad und Obstkorb
- 30 Tage Urlaub
Bewerbung
Bitte sende deine Bewerbungsunterlagen an jobs@example.org.
"""
GERMAN_ZONES = [
    ("Social Media Manager (m/w/d)", "intro", False),
    ("Wir sind ein Familienunternehmen aus Köln und lieben Instagram.", "intro", False),
    ("Seit 30 Jahren stehen wir für Qualität.", "intro", False),
    ("Deine Aufgaben", "tasks", True),
    ("Du planst und veröffentlichst Beiträge auf LinkedIn.", "tasks", False),
    ("Du erstellst monatliche Reportings.", "tasks", False),
    ("Dein Profil", "profile", True),
    ("3-5 Jahre Berufserfahrung im Social Media Marketing", "profile", False),
    ("Sehr gute Deutschkenntnisse", "profile", False),
    ("Wir bieten", "benefits", True),
    ("Jobrad und Obstkorb", "benefits", False),
    ("30 Tage Urlaub", "benefits", False),
    ("Bewerbung", "boilerplate", True),
    ("Bitte sende deine Bewerbungsunterlagen an jobs@example.org.", "boilerplate", False),
]

ENGLISH_AD = """About us
We are a fast-growing bakery chain with 200 people. We love TikTok.
What you will do
- Plan posts for our channels and write captions.
- Answer comments and messages.
Requirements
- A degree in communications
- Fluent English
What we offer
- Remote work and a yearly team trip
How to apply
Send us your CV. We are an equal opportunity employer.
"""
ENGLISH_ZONES = [
    ("About us", "intro", True),
    ("We are a fast-growing bakery chain with 200 people.", "intro", False),
    ("We love TikTok.", "intro", False),
    ("What you will do", "tasks", True),
    ("Plan posts for our channels and write captions.", "tasks", False),
    ("Answer comments and messages.", "tasks", False),
    ("Requirements", "profile", True),
    ("A degree in communications", "profile", False),
    ("Fluent English", "profile", False),
    ("What we offer", "benefits", True),
    ("Remote work and a yearly team trip", "benefits", False),
    ("How to apply", "boilerplate", True),
    ("Send us your CV.", "boilerplate", False),
    ("We are an equal opportunity employer.", "boilerplate", False),
]

# No headings at all: everything is body, except company self-presentation and boilerplate sentences.
UNSTRUCTURED_AD = (
    "Wir sind eine Agentur in Leipzig. Du planst Beiträge für Instagram und wertest sie aus. "
    "Wir freuen uns auf deine Bewerbung!"
)
UNSTRUCTURED_ZONES = [
    ("Wir sind eine Agentur in Leipzig.", "intro", False),
    ("Du planst Beiträge für Instagram und wertest sie aus.", "body", False),
    ("Wir freuen uns auf deine Bewerbung!", "boilerplate", False),  # a sentence, not a heading
]

# A boilerplate sentence stands in the tasks section: it is still boilerplate.
MIXED_AD = """Deine Aufgaben
- Du betreust unseren Blog.
- Wir begrüßen Bewerbungen unabhängig von Geschlecht, Alter und Herkunft.
- Du schreibst Newsletter.
"""
MIXED_ZONES = [
    ("Deine Aufgaben", "tasks", True),
    ("Du betreust unseren Blog.", "tasks", False),
    ("Wir begrüßen Bewerbungen unabhängig von Geschlecht, Alter und Herkunft.", "boilerplate", False),
    ("Du schreibst Newsletter.", "tasks", False),
]


def _zones(text: str) -> list[tuple[str, str, bool]]:
    return [(text[s.start:s.end], s.zone, s.heading) for s in zone_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [(GERMAN_AD, GERMAN_ZONES), (ENGLISH_AD, ENGLISH_ZONES), (UNSTRUCTURED_AD, UNSTRUCTURED_ZONES),
     (MIXED_AD, MIXED_ZONES)],
    ids=["german", "english", "unstructured", "boilerplate-in-tasks"],
)
def test_zone_sentences(text, expected):
    assert _zones(text) == expected


@pytest.mark.parametrize("text", [GERMAN_AD, ENGLISH_AD, UNSTRUCTURED_AD, MIXED_AD, ""])
def test_zone_sentences_spans_and_keys(text):
    sentences = zone_sentences(text)
    for s in sentences:
        assert 0 <= s.start < s.end <= len(text)
        assert s.zone in ZONES
        assert s.key
    assert [s.start for s in sentences] == sorted(s.start for s in sentences)


def test_company_love_for_platforms_is_outside_the_skill_zones():
    job_text = " ".join(s.key for s in zone_sentences(GERMAN_AD) if s.zone in SKILL_ZONES)
    assert "linkedin" in job_text
    assert "instagram" not in job_text
    assert "jobrad" not in job_text


# Bullets inside a section that merely mention the team, the company or "you will" are not headings.
BULLET_NOT_HEADING = [
    pytest.param(
        "Deine Aufgaben\n- Du betreust Instagram und LinkedIn\n- Du unterstützt das Team bei Kampagnen\n"
        "- Du erstellst Redaktionspläne für Instagram\n",
        ["tasks", "tasks", "tasks"],
        id="das-team-in-a-task",
    ),
    pytest.param(
        "Dein Profil\n- Studium der Kommunikation\n- Du arbeitest gern mit dem ganzen Unternehmen zusammen\n"
        "- Sicherer Umgang mit Canva\n",
        ["profile", "profile", "profile"],
        id="unternehmen-in-a-requirement",
    ),
    pytest.param(
        "What we offer\n- You will get a gym membership\n- An Instagram-worthy office\n",
        ["benefits", "benefits"],
        id="you-will-in-a-benefit",
    ),
]


@pytest.mark.parametrize(("text", "zones"), BULLET_NOT_HEADING)
def test_bullets_mentioning_heading_words_keep_their_section(text, zones):
    sentences = zone_sentences(text)[1:]
    assert [(s.zone, s.heading) for s in sentences] == [(z, False) for z in zones]


@pytest.mark.parametrize(
    ("text", "zones"),
    [
        # Boilerplate phrases count within a sentence only, wherever the sentence stands.
        ("Du planst Posts; Datenschutz beachten.", ["body", "boilerplate"]),
        ("Vielfalt ist uns wichtig.\nDu planst Posts.", ["boilerplate", "body"]),
        ("Wir freuen uns auf\ndeine Ideen und Posts.", ["body", "body"]),
        ("Wir freuen uns auf deine Ideen.\nEqual opportunity employer.", ["boilerplate", "boilerplate"]),
    ],
)
def test_boilerplate_sentences(text, zones):
    assert [s.zone for s in zone_sentences(text)] == zones


# --------------------------------------------------------------------------------------------
# Experience

EXPERIENCE = [
    ("Dein Profil\n- 3-5 Jahre Berufserfahrung im Social Media Marketing", (3, 5)),
    ("Dein Profil\n- 3 – 5 Jahre Berufserfahrung im Marketing", (3, 5)),
    ("Dein Profil\n- Berufserfahrung von 1 bis 3 Jahren", (1, 3)),
    ("Requirements\n- at least 5 years of experience in PR", (5, None)),
    ("Requirements\n- 2+ years of experience with Hootsuite", (2, None)),
    ("Requirements\n- 10+ years experience in communications", (10, None)),
    ("Dein Profil\n- Mindestens zwei Jahre Berufserfahrung", (2, None)),
    ("Dein Profil\n- mind. 3 Jahre Berufserfahrung", (3, None)),
    ("Du hast 4 Jahre Erfahrung im Community Management.", (4, None)),
    ("Requirements\n- experience of two years in social media", (2, None)),
    # Not an experience requirement.
    ("Dein Profil\n- Erste Erfahrung im Social Media", None),
    ("Dein Profil\n- 3 Jahre Wohnsitz in Bayern", None),
    ("Requirements\n- 5-3 years of experience", None),
    ("Dein Profil\n- 25 Jahre Berufserfahrung", None),
    ("", None),
]


def _experience(text: str) -> tuple[int, int | None] | None:
    found = find_experience(text, zone_sentences(text))
    return None if found is None else (found.min, found.max)


@pytest.mark.parametrize(("text", "expected"), EXPERIENCE)
def test_find_experience(text, expected):
    assert _experience(text) == expected


def test_find_experience_from_full_ad_with_evidence():
    found = find_experience(GERMAN_AD, zone_sentences(GERMAN_AD))
    assert (found.min, found.max) == (3, 5)
    assert found.sentence.zone == "profile"
    assert GERMAN_AD[found.sentence.start:found.sentence.end] == "3-5 Jahre Berufserfahrung im Social Media Marketing"


COMPANY_YEARS = [
    # The company's own years, in the intro or benefits: never the candidate's experience.
    "Über uns\nSeit 30 Jahren sind wir erfahrener Partner des Handels.\nDeine Aufgaben\n- Posts planen\n"
    "Dein Profil\n- Spaß an Social Media",
    "Wir sind seit 12 Jahren erfahren im Online-Handel.\nDeine Aufgaben\n- Du planst Posts.",
    "Über uns\nWir haben 15 Jahre Erfahrung im Markt.\nDein Profil\n- Freude an Texten",
    "Wir bieten\n- 2 Jahre Weiterbildung mit erfahrenen Kolleginnen",
]


@pytest.mark.parametrize("text", COMPANY_YEARS)
def test_company_years_are_not_experience(text):
    assert _experience(text) is None


def test_experience_is_the_first_in_the_order_given():
    text = "Dein Profil\n- 2 Jahre Erfahrung mit Spaß am Texten\n- 5 Jahre Berufserfahrung"  # "ß" folds to "ss"
    sentences = zone_sentences(text)
    assert find_experience(text, sentences).min == 2
    assert find_experience(text, sentences[::-1]).min == 5
    assert find_experience(text.replace("ß", "ss"), zone_sentences(text.replace("ß", "ss"))).min == 2


def test_profile_experience_wins_over_tasks():
    text = ("Deine Aufgaben\n- Du arbeitest 2 Jahre lang erfahren im Projekt mit.\n"
            "Dein Profil\n- 4 Jahre Berufserfahrung in der Kommunikation")
    assert _experience(text) == (4, None)


_HEADING_PHRASES = sorted({phrase for p in _HEADINGS.values() for phrase in p.pattern.split("|")})


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*_HEADING_PHRASES, "x", " ", "deine", "über", "aufgab", "profi"]), max_size=5).map("".join))
def test_any_heading_finds_a_heading_phrase_exactly_when_one_of_the_zones_does(line):
    # _ANY_HEADING is the zones' phrases as one trie: a quick test before asking each zone.
    assert bool(_ANY_HEADING.search(line)) == any(p.search(line) for p in _HEADINGS.values())
