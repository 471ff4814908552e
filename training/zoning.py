"""Split an ad into sentences and label each with the section (zone) it belongs to.

Zones: ``intro`` (company presentation), ``tasks``, ``profile`` (requirements), ``benefits``,
``boilerplate`` (diversity, legal, how to apply) and ``body`` (no section heading seen). Skills are
read only from :data:`SKILL_ZONES`, so "we love Instagram" in a company intro or a
"Jobrad and Instagram-worthy office" benefit does not become a required skill.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from training.text import match_key, sentence_spans

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
# Sentences that are boilerplate wherever they stand.
_BOILERPLATE_SENTENCE = re.compile(
    r"schwerbehindert|gleichgestellt|chancengleichheit|equal opportunity|regardless of|"
    r"unabhängig von (geschlecht|alter|herkunft)|wir freuen uns auf deine|wir freuen uns auf ihre|"
    r"bewerbungsunterlagen|jetzt bewerben|apply now|datenschutz|privacy policy|diversity|vielfalt"
)
_INTRO_SENTENCE = re.compile(r"^(wir sind|wir bei|we are a|we re a|founded in|seit \d{4}|gegründet)")
_HEADING_MAX = 70


@dataclass(frozen=True)
class Sentence:
    """One sentence of the plain text: its span, zone and match key (normalised text)."""

    start: int
    end: int
    zone: str
    key: str
    heading: bool = False


_BULLET = re.compile(r"[-•▪►✓✔–·]|\*\s|^\s*\d+[.)]")


def _heading_zone(key: str, raw: str, prefix: str) -> str | None:
    """The zone a heading line opens, or None. Bullets and sentences are never headings."""
    if len(raw) > _HEADING_MAX or len(key.split()) > 8 or raw.rstrip().endswith((".", "!", "?", ",", ";")):
        return None
    if _BULLET.search(prefix):
        return None
    head = key[:30]
    for zone, pattern in _HEADINGS.items():
        if pattern.search(head):
            return zone
    return None


def zone_sentences(plain: str) -> list[Sentence]:
    """Sentences of ``plain`` with their zones. Headings get the zone they open."""
    out: list[Sentence] = []
    zone = "body"
    seen_heading = False
    for start, end in sentence_spans(plain):
        raw = plain[start:end]
        key = match_key(raw, rendered=True)
        if not key:
            continue
        line_start = plain.rfind("\n", 0, start) + 1
        heading = _heading_zone(key, raw, plain[line_start:start])
        if heading:
            if not seen_heading and heading in ("tasks", "profile"):
                # Text before the first task/profile heading is the company's introduction.
                out = [Sentence(s.start, s.end, "intro" if s.zone == "body" else s.zone, s.key, s.heading) for s in out]
            zone, seen_heading = heading, True
            out.append(Sentence(start, end, zone, key, heading=True))
            continue
        this_zone = zone
        if _BOILERPLATE_SENTENCE.search(key):
            this_zone = "boilerplate"
        elif zone == "body" and _INTRO_SENTENCE.match(key):
            this_zone = "intro"
        out.append(Sentence(start, end, this_zone, key))
    return out
