"""training.alternation: literal-led alternations give exactly the matches of re.finditer."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from training.alternation import Alternation, literal_prefix, split_alternatives
from training.seniority import _TEXT_PATTERNS


@pytest.mark.parametrize(
    ("pattern", "alternatives"),
    [
        ("a|b", ["a", "b"]),
        ("ab(c|d)|e", ["ab(c|d)", "e"]),
        (r"x\|y|z", [r"x\|y", "z"]),
        ("[|]a|b", ["[|]a", "b"]),
        ("[]|]a|b", ["[]|]a", "b"]),
        ("solo", ["solo"]),
    ],
)
def test_split_alternatives_splits_only_at_the_top_level(pattern, alternatives):
    assert split_alternatives(pattern) == alternatives


@pytest.mark.parametrize(
    ("alternative", "prefix"),
    [
        ("langjährig", "langjährig"),
        (r"5(?<!\w.) (or more )?years", "5 "),  # the look-behind is zero-width: the space still follows the 5
        ("team ?lead", "team"),  # the optional space ends the prefix before it
        (r"line manag\w* team", "line manag"),
        ("führung (eines|des) team", "führung "),
        (r"\bintern", ""),
        ("(a|b)c", ""),
        ("colou?r", "colo"),
    ],
)
def test_literal_prefix_is_what_every_match_starts_with(alternative, prefix):
    assert literal_prefix(alternative) == prefix
    for text in ("langjährig", "5 years", "5 or more years", "team lead", "teamlead", "line management team",
                 "führung des team", "colour", "color"):
        match = re.match(alternative, text)
        assert match is None or text.startswith(prefix)


# Text made of the seniority patterns' own fragments, so that matches, overlaps and near misses are common.
_FRAGMENTS = ["lead", "leading", "manage", "managing", "team", "a", "the", "our", " ", " ", " ", "5", "10", "1",
              "0", "years", "jahre", "or more", "führung", "eines", "des", "erste", "berufserfahrung", "erfahrung",
              "in", "mit", "junior", "trainee", "werkstudent", "x", "ä", "supervisor", "line", "people", "management"]
_PATTERNS = [*_TEXT_PATTERNS.values(), r"ab|abc|b c", r"\bfoo|bar", r"x(?<!\wx)y|xy z"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=40).map("".join), st.sampled_from(_PATTERNS))
def test_finditer_equals_re_finditer(text, pattern):
    expected = [m.span() for m in re.finditer(pattern, text)]
    assert [m.span() for m in Alternation(pattern).finditer(text)] == expected


@pytest.mark.parametrize("pattern", list(_TEXT_PATTERNS.values()), ids=list(_TEXT_PATTERNS))
def test_seniority_patterns_all_start_with_literals(pattern):
    # Otherwise Alternation falls back to scanning with the regex, which is correct but not fast.
    assert all(literal_prefix(a) for a in split_alternatives(pattern))
