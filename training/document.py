"""An ad parsed once into everything the models read: plain text, title, zoned sentences, language."""
from __future__ import annotations

from dataclasses import dataclass

from training.experience import Experience, find_experience
from training.text import detect_language, match_key, split_title, to_plain_text
from training.zoning import SKILL_ZONES, Sentence, zone_sentences

__all__ = ["Ad", "parse_ad"]


@dataclass(frozen=True)
class Ad:
    """A parsed job ad. Offsets of ``sentences`` point into ``plain``."""

    plain: str
    title: str
    title_given: bool
    sentences: tuple[Sentence, ...]
    language: str
    experience: Experience | None

    @property
    def title_key(self) -> str:
        return match_key(self.title)

    @property
    def body_key(self) -> str:
        """The whole ad as one match key (all zones)."""
        return " ".join(s.key for s in self.sentences)

    @property
    def job_key(self) -> str:
        """Only the sentences about the job itself (tasks, profile, unzoned body)."""
        return " ".join(s.key for s in self.sentences if s.zone in SKILL_ZONES)


def parse_ad(text: str, title: str | None = None) -> Ad:
    """Parse an ad (plain text, Markdown or HTML). Without a title, a title-like first line is used."""
    plain = to_plain_text(text or "")
    given = bool(title and title.strip())
    sentences = tuple(zone_sentences(plain))
    title = title.strip() if given else split_title(plain)
    if not given and sentences and sentences[0].heading:
        title = ""  # a section heading ("Deine Aufgaben") is not the job title
    language = detect_language(f"{title}\n{plain}")
    return Ad(plain, title, given, sentences, language, find_experience(plain, list(sentences)))
