"""Years of professional experience an ad asks for, with the sentence that says so."""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from operator import le

from training.zoning import Sentence

__all__ = ["Experience", "find_experience"]

_NUMBER_WORDS = {
    "ein": 1, "einem": 1, "one": 1, "zwei": 2, "two": 2, "drei": 3, "three": 3, "vier": 4, "four": 4,
    "fünf": 5, "five": 5, "sechs": 6, "six": 6, "sieben": 7, "seven": 7, "acht": 8, "eight": 8,
    "zehn": 10, "ten": 10,
}
_N = r"(\d{1,2}|" + "|".join(_NUMBER_WORDS) + r")"
_YEARS = r"\s*(?:\+\s*)?(?:jahre|jahren|years?|yrs|jahr)\b"
_RANGE = re.compile(_N + r"\s*(?:-|–|bis|to)\s*" + _N + _YEARS)
_MIN = re.compile(r"(?:mindestens|min|at least|minimum of|minimum|mind)\s*" + _N + _YEARS)
_PLUS = re.compile(_N + r"\s*\+" + _YEARS.replace(r"(?:\+\s*)?", ""))
_PLAIN = re.compile(_N + _YEARS)
_EXPERIENCE_WORD = re.compile(r"erfahrung|experience|berufspraxis|praxis|erfahren|tätig|worked|working")
_PREFERRED_ZONES = ("profile", "tasks", "body")


@dataclass(frozen=True)
class Experience:
    """Years asked for (``max`` is None for "at least"), and the evidence sentence."""

    min: int
    max: int | None
    sentence: Sentence


def _num(token: str) -> int:
    return int(token) if token.isdigit() else _NUMBER_WORDS[token]


# The company speaking of itself ("Seit 15 Jahren sind wir ...", "We have 20 years of experience").
_COMPANY_CLAIM = re.compile(r"\bseit\b|\bwir (sind|haben|blicken|verfügen)\b|\bwe (are|have|bring)\b")


# Every year word of _YEARS contains one of these stems.
_YEAR_STEMS = ("jahr", "year", "yrs")


def _parse(key: str) -> tuple[int, int | None] | None:
    if not any(stem in key for stem in _YEAR_STEMS):  # a cheap test: no year word, no match below
        return None
    if not _EXPERIENCE_WORD.search(key) or _COMPANY_CLAIM.search(key):
        return None
    m = _RANGE.search(key)
    if m:
        lo, hi = _num(m.group(1)), _num(m.group(2))
        return (lo, hi) if lo <= hi else None
    for regex in (_MIN, _PLUS, _PLAIN):
        m = regex.search(key)
        if m:
            return _num(m.group(1)), None
    return None


def find_experience(plain: str, sentences: list[Sentence]) -> Experience | None:
    """The experience requirement for the role: first one in the profile, else the tasks or body.

    Company intros ("30 Jahre Erfahrung im Markt") and benefits never count.
    """
    candidates = _mentioning_years(plain, sentences)
    for zone in _PREFERRED_ZONES:
        for s in candidates:
            if s.zone != zone:
                continue
            parsed = _parse(plain[s.start : s.end].casefold())
            if parsed and 0 < parsed[0] <= 20:
                return Experience(parsed[0], parsed[1], s)
    return None


def _mentioning_years(plain: str, sentences: list[Sentence]) -> list[Sentence]:
    """The sentences, in order, that contain a year stem (_parse rejects all others): usually none or a few."""
    # Case folding is per character, so each sentence's folded text is part of this (at the same offsets, if
    # no character folded to several).
    folded = plain.lower() if plain.isascii() else plain.casefold()  # the same for ASCII, and much faster
    stems = [(at, at + len(stem)) for stem in _YEAR_STEMS for at in _find_all(folded, stem)]
    if not stems:
        return []
    starts = [s.start for s in sentences]
    ends = [s.end for s in sentences]
    if len(folded) != len(plain) or not (all(map(le, starts, ends)) and all(map(le, ends, starts[1:]))):
        # Offsets moved (e.g. "ß" folded to "ss"), or the sentences are not in text order: check them all.
        return sentences
    found = set()
    for stem_start, stem_end in stems:
        i = bisect_right(starts, stem_start) - 1  # the last sentence starting at or before the stem
        if i >= 0 and stem_end <= ends[i]:
            found.add(i)
    return [sentences[i] for i in sorted(found)]


def _find_all(text: str, part: str) -> Iterator[int]:
    """Start offsets of the (non-overlapping) occurrences of ``part`` in ``text``."""
    at = text.find(part)
    while at >= 0:
        yield at
        at = text.find(part, at + len(part))
