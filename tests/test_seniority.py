"""training.seniority: the text cue patterns, and the model's cues and explanations on parsed ads."""
from __future__ import annotations

import re

import pytest

from training.document import parse_ad
from training.seniority import _TEXT_REGEXES, _word_start


@pytest.mark.parametrize(
    ("key", "level", "matches"),
    [
        # numbers and number words count only at a word start ("15 years" is no "5 years")
        ("at least 5 years of experience", "senior", ["5 years"]),
        ("15 years of experience", "senior", []),
        ("10 or more years", "senior", ["10 or more years"]),
        ("fünf jahre erfahrung", "senior", ["fünf jahre"]),
        ("x5 years", "senior", []),
        ("langjährige erfahrung", "senior", ["langjährig"]),
        ("2 3 jahre berufserfahrung", "professional", ["2 3 jahre", "berufserfahrung"]),
        ("zwei jahre", "professional", ["zwei jahre"]),
        ("12 jahre", "professional", []),
        ("0 1 jahre erfahrung", "entry", ["0 1 jahre"]),
        ("erste berufserfahrung", "entry", ["erste berufserfahrung"]),
        # leading people: English verbs only at a word start, German forms anywhere
        ("you lead a team of five", "lead", ["lead a team"]),
        ("you will be leading the team", "lead", ["leading the team"]),
        ("misleading the team", "lead", []),
        ("manage a team", "lead", ["manage a team"]),
        ("line managing our team", "lead", ["line managing our team"]),
        ("du führst dein team", "lead", ["führst dein team"]),
        ("mit personalverantwortung", "lead", ["personalverantwortung"]),
        ("immatrikuliert an einer hochschule", "student", ["immatrikul"]),
    ],
)
def test_text_cues(key, level, matches):
    assert [m.group(0) for m in _TEXT_REGEXES[level].finditer(key)] == matches


@pytest.mark.parametrize(
    ("text", "matches"),
    [("5 years", ["5 years"]), ("a5 years", []), ("_5 years", []), ("(5 years", ["5 years"]), ("", [])],
)
def test_word_start_is_a_word_boundary_before_the_first_character(text, matches):
    regex = re.compile(_word_start(["5"], tail=" years"))
    assert [m.group(0) for m in regex.finditer(text)] == matches


def test_cues_name_title_and_text_evidence(predictor):
    ad = parse_ad("Wir suchen dich.\n\nDein Profil\n- Mindestens 5 Jahre Berufserfahrung\n- Du führst dein Team",
                  "Senior Social Media Manager (m/w/d)")
    cues = predictor.model.seniority_.cues([ad])[0]
    assert cues["title_level:senior"] == 1.0
    assert "text:lead:führst dein team" in cues
    assert cues["experience:5+"] == 1.0
