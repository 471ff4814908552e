"""Split an ad into sentences and label each with the section (zone) it belongs to.

Zones: ``intro`` (company presentation), ``tasks``, ``profile`` (requirements), ``benefits``,
``boilerplate`` (diversity, legal, how to apply) and ``body`` (no section heading seen). Skills are
read only from :data:`SKILL_ZONES`, so "we love Instagram" in a company intro or a
"Jobrad and Instagram-worthy office" benefit does not become a required skill.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate, starmap
from typing import NamedTuple

from training.phrases import trie_pattern
from training.text import match_keys, sentence_spans

__all__ = ["Sentence", "zone_sentences", "SKILL_ZONES", "ZONES"]

ZONES = ("intro", "tasks", "profile", "benefits", "boilerplate", "body")
#: Zones whose sentences describe the job itself.
SKILL_ZONES = frozenset({"tasks", "profile", "body"})

_HEADINGS: dict[str, re.Pattern[str]] = {
    zone: re.compile(pattern)
    for zone, pattern in {
        "tasks": r"aufgabe|was dich erwartet|was sie erwartet|das erwartet dich|deine rolle|ihre rolle|die rolle|"
                 r"dein job|ihr job|deine mission|taetigkeit|tätigkeit|verantwortung|dein beitrag|"
                 r"responsibilit|what you ll do|what you will do|what you ll be doing|your role|the role|"
                 r"about the role|role description|job description|duties|your tasks|your mission|in this role|"
                 r"key tasks|main tasks|you will|your impact|the job|the position|position summary|overview of the role",
        "profile": r"profil|was du mitbringst|was sie mitbringen|das bringst du mit|das bringen sie mit|"
                   r"anforderung|qualifikation|voraussetzung|was wir erwarten|was wir uns wünschen|"
                   r"das zeichnet dich aus|du passt|dein skillset|requirements|qualifications|what you bring|"
                   r"who you are|about you|your profile|skills|what we re looking for|what we are looking for|"
                   r"must have|nice to have|you have|you bring|experience|minimum qualifications|preferred qualifications",
        "benefits": r"wir bieten|was wir bieten|das bieten wir|unser angebot|deine vorteile|ihre vorteile|"
                    r"benefits|what we offer|we offer|perks|why join|why us|why work|what s in it|"
                    r"warum wir|darum wir|deine benefits|unsere benefits|compensation|salary",
        "intro": r"über uns|ueber uns|wer wir sind|das sind wir|wir über uns|unternehmen|arbeitgeber|"
                 r"about us|who we are|about the company|company description|company overview|our story|"
                 r"about the team|das team|our team|unser team",
        "boilerplate": r"bewerb|kontakt|ansprechpartner|interesse|interessiert|so geht es weiter|"
                       r"how to apply|apply|application|diversity|vielfalt|chancengleich|inklusion|"
                       r"equal opportunit|datenschutz|privacy|hinweis|next steps|our process",
    }.items()
}
# Sentences that are boilerplate wherever they stand: those containing one of these phrases.
_BOILERPLATE_PHRASES = (
    "schwerbehindert", "gleichgestellt", "chancengleichheit", "equal opportunity", "regardless of",
    "unabhängig von geschlecht", "unabhängig von alter", "unabhängig von herkunft",
    "wir freuen uns auf deine", "wir freuen uns auf ihre", "bewerbungsunterlagen", "jetzt bewerben", "apply now",
    "datenschutz", "privacy policy", "diversity", "vielfalt",
)
_INTRO_SENTENCE = re.compile(r"^(wir sind|wir bei|we are a|we re a|founded in|seit \d{4}|gegründet)")
_HEADING_MAX = 70


class Sentence(NamedTuple):
    """One sentence of the plain text: its span, zone and match key (normalised text).

    A named tuple rather than a frozen dataclass: an ad has dozens of sentences, and a tuple is made
    three times faster (a frozen dataclass sets each field through ``object.__setattr__``).
    """

    start: int
    end: int
    zone: str
    key: str
    heading: bool = False


# Whether a line holds any heading phrase at all: the phrases (all literal) as one trie, which the regex engine
# walks in one pass instead of trying a hundred alternatives at each character (measured: 30 -> 20 us per ad).
_ANY_HEADING = re.compile(trie_pattern({phrase for p in _HEADINGS.values() for phrase in p.pattern.split("|")}))
_BULLET = re.compile(r"[-•▪►✓✔–·]|\*\s|^\s*\d+[.)]")


def _heading_zone(key: str, raw: str, plain: str, start: int) -> str | None:
    """The zone a heading line opens, or None. Bullets and sentences are never headings.

    ``raw`` is ``plain[start:end]``, at most _HEADING_MAX characters long (longer ones are never headings: the
    caller spares them the call); the text before it on its line tells whether it is a bullet.
    """
    # (Keys have single spaces between words; sentences have no trailing whitespace.)
    if key.count(" ") >= 8 or raw.endswith((".", "!", "?", ",", ";")):
        return None
    if _BULLET.search(plain[plain.rfind("\n", 0, start) + 1 : start]):
        return None
    head = key[:30]
    if not _ANY_HEADING.search(head):  # most short lines: one search instead of one per zone
        return None
    for zone, pattern in _HEADINGS.items():
        if pattern.search(head):
            return zone
    return None


def _is_boilerplate(keys: list[str]) -> list[bool]:
    """For each key, whether it contains a boilerplate phrase.

    The phrases are looked for in all keys at once, joined by line breaks (which neither keys nor phrases
    contain); most ads have none or a few of them.
    """
    flags = [False] * len(keys)
    joined = "\n".join(keys)
    ends: list[int] = []  # ends[i]: where key i + 1 starts in ``joined``
    for phrase in _BOILERPLATE_PHRASES:
        at = joined.find(phrase)
        if at >= 0 and not ends:
            ends = list(accumulate(len(key) + 1 for key in keys))
        while at >= 0:
            i = bisect_right(ends, at)
            flags[i] = True
            at = joined.find(phrase, ends[i])
    return flags


def zone_sentences(plain: str) -> list[Sentence]:
    """Sentences of ``plain`` with their zones. Headings get the zone they open."""
    spans = sentence_spans(plain)
    raws = [plain[start:end] for start, end in spans]
    keys = match_keys(raws)
    rows: list[list] = []  # [start, end, zone, key, heading]: made into Sentences at the end
    zone = "body"
    seen_heading = False
    for (start, end), raw, key, boilerplate in zip(spans, raws, keys, _is_boilerplate(keys), strict=True):
        if not key:
            continue
        heading = _heading_zone(key, raw, plain, start) if len(raw) <= _HEADING_MAX else None
        if heading:
            if not seen_heading and heading in ("tasks", "profile"):
                # Text before the first task/profile heading is the company's introduction.
                for row in rows:
                    if row[2] == "body":
                        row[2] = "intro"
            zone, seen_heading = heading, True
            rows.append([start, end, zone, key, True])
        elif boilerplate:
            rows.append([start, end, "boilerplate", key, False])
        elif zone == "body" and _INTRO_SENTENCE.match(key):
            rows.append([start, end, "intro", key, False])
        else:
            rows.append([start, end, zone, key, False])
    return list(starmap(Sentence, rows))
