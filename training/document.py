"""An ad parsed once into everything the models read: plain text, title, zoned sentences, language."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from training.experience import Experience, find_experience
from training.fast import key_tokens
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

    # The keys and words below are read by several feature blocks: each is computed once per ad
    # (cached_property writes the instance dict directly, which a frozen dataclass allows).
    @cached_property
    def title_key(self) -> str:
        return match_key(self.title)

    @cached_property
    def body_key(self) -> str:
        """The whole ad as one match key (all zones)."""
        return " ".join(s.key for s in self.sentences)

    @cached_property
    def job_key(self) -> str:
        """Only the sentences about the job itself (tasks, profile, unzoned body)."""
        return " ".join(s.key for s in self.sentences if s.zone in SKILL_ZONES)

    @cached_property
    def sentence_words(self) -> tuple[list[str], ...]:
        """The :func:`~training.fast.word_tokens` of each sentence's key."""
        return tuple(key_tokens(s.key) for s in self.sentences)

    def words(self, field: str) -> list[str]:
        """The word tokens of ``title_key``, ``body_key`` or ``job_key``: what a word vectorizer sees in it.

        Keys are sentence keys joined by spaces and no token spans a space, so the tokens of the
        body and the job text are the sentences' tokens put together.
        """
        if field == "title_key":
            return key_tokens(self.title_key)
        if field == "body_key":
            return [w for words in self.sentence_words for w in words]
        if field == "job_key":
            return [w for s, words in zip(self.sentences, self.sentence_words, strict=True) if s.zone in SKILL_ZONES
                    for w in words]
        raise ValueError(f"no word tokens for field {field!r}")


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
