"""An ad parsed once into everything the models read: plain text, title, zoned sentences, language."""
from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate, pairwise

import numpy as np

from training.experience import Experience, find_experience
from training.fast import key_tokens, registry_ids, registry_size
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
    def _word_index(self) -> tuple[list[str], list[int]]:
        """The word tokens of ``body_key`` and the offset of each sentence's first token (plus the end).

        One split of the whole key instead of one per sentence: the sentence keys are joined by single
        spaces, and a sentence's tokens are its key's words (see :func:`~training.fast.key_tokens`). The
        tokens' registry ids are looked up here too, while the new strings are still in the CPU cache
        (measured: 3x faster than in a later pass over the batch).
        """
        keys = [s.key for s in self.sentences]
        if not keys:
            self.__dict__["_ids"] = (registry_size(), np.empty(0, dtype=np.int64))
            return [], [0]
        lowered = self.body_key.lower()
        words = lowered.split(" ")
        size = registry_size()
        ids = registry_ids(words)
        bounds = list(accumulate((key.count(" ") + 1 for key in keys), initial=0))
        # Words of one character are dropped, as a vectorizer drops them, and the sentences' offsets move
        # with them. No vocabulary has such words, so only the words without an id need their length checked.
        short = [k for k in np.flatnonzero(ids < 0).tolist() if len(words[k]) < 2]
        if short:
            for k in reversed(short):
                del words[k]
            keep = np.ones(len(ids), dtype=bool)
            keep[short] = False
            ids = ids[keep]
            bounds = [b - bisect_left(short, b) for b in bounds]
        self.__dict__["_ids"] = (size, ids)
        return words, bounds

    def sentence_words(self, indices: Iterable[int] | None = None) -> list[list[str]]:
        """The :func:`~training.fast.word_tokens` of each sentence's key (of those at ``indices``, else all)."""
        words, bounds = self._word_index
        if indices is None:
            return [words[a:b] for a, b in pairwise(bounds)]
        return [words[bounds[k]:bounds[k + 1]] for k in indices]

    @cached_property
    def _job_words(self) -> list[str]:
        words, bounds = self._word_index
        job = [s.zone in SKILL_ZONES for s in self.sentences]
        if all(job):
            return words
        return [w for (a, b), is_job in zip(pairwise(bounds), job, strict=True) if is_job for w in words[a:b]]

    @cached_property
    def _title_words(self) -> list[str]:
        return key_tokens(self.title_key)

    def word_ids(self, field: str) -> np.ndarray:
        """The registry ids (:func:`~training.fast.registry_ids`) of :meth:`words`: what the word vectorizers read.

        The body's are looked up once, the job text's taken from them; both are looked up again only when a word
        vectorizer was built (and its words registered) since.
        """
        if field == "title_key":
            return registry_ids(self._title_words)  # a few words
        words = self._word_index[0]  # looks the body's words up the first time
        size, body = self.__dict__["_ids"]
        if size != registry_size():
            size = registry_size()
            body = registry_ids(words)
            self.__dict__["_ids"] = (size, body)
        if field == "body_key":
            return body
        if field == "job_key":
            return body if self._job_mask is None else body[self._job_mask]
        raise ValueError(f"no word tokens for field {field!r}")

    def sentence_word_ids(self, indices: Sequence[int]) -> list[np.ndarray]:
        """The :meth:`word_ids` of the sentences at ``indices`` (as :meth:`sentence_words`)."""
        body, bounds = self.word_ids("body_key"), self._word_index[1]
        return [body[bounds[k]:bounds[k + 1]] for k in indices]

    @cached_property
    def _job_mask(self) -> np.ndarray | None:
        """Which body tokens belong to job sentences; None when all do."""
        job = [s.zone in SKILL_ZONES for s in self.sentences]
        if all(job):
            return None
        return np.repeat(job, np.diff(self._word_index[1]))

    def words(self, field: str) -> list[str]:
        """The word tokens of ``title_key``, ``body_key`` or ``job_key``: what a word vectorizer sees in it.

        Keys are sentence keys joined by spaces and no token spans a space, so the tokens of the
        body and the job text are the sentences' tokens put together. The lists are shared: do not change them.
        """
        if field == "title_key":
            return self._title_words
        if field == "body_key":
            return self._word_index[0]
        if field == "job_key":
            return self._job_words
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
