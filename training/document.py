"""An ad parsed once into everything the models read: plain text, title, zoned sentences, language."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate, compress, pairwise

import numpy as np

from training.experience import Experience, find_experience
from training.fast import key_tokens, registry_hash_index, registry_ids, registry_size
from training.text import detect_language, match_key, split_title, to_plain_text
from training.tokens import key_token_ids
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
        spaces, and a sentence's tokens are its key's words (see :func:`~training.fast.key_tokens`).
        """
        keys = [s.key for s in self.sentences]
        words = self.body_key.lower().split(" ") if keys else []
        bounds = list(accumulate((key.count(" ") + 1 for key in keys), initial=0))
        kept = [len(w) > 1 for w in words]  # words of one character are dropped, as a vectorizer drops them
        if not all(kept):
            before = list(accumulate(kept, initial=0))
            words = list(compress(words, kept))
            bounds = [before[b] for b in bounds]
        return words, bounds

    def sentence_words(self, indices: Iterable[int] | None = None) -> list[list[str]]:
        """The :func:`~training.fast.word_tokens` of each sentence's key (of those at ``indices``, else all)."""
        words, bounds = self._word_index
        if indices is None:
            return [words[a:b] for a, b in pairwise(bounds)]
        return [words[bounds[k]:bounds[k + 1]] for k in indices]

    @cached_property
    def _job_sentences(self) -> list[bool] | None:
        """Which sentences are about the job (:data:`~training.zoning.SKILL_ZONES`); None when all are."""
        job = [s.zone in SKILL_ZONES for s in self.sentences]
        return None if all(job) else job

    @cached_property
    def _job_words(self) -> list[str]:
        words, bounds = self._word_index
        if self._job_sentences is None:
            return words
        return [w for (a, b), is_job in zip(pairwise(bounds), self._job_sentences, strict=True) if is_job
                for w in words[a:b]]

    @cached_property
    def _title_words(self) -> list[str]:
        return key_tokens(self.title_key)

    @classmethod
    def prepare_word_ids(cls, ads: Sequence[Ad]) -> None:
        """Look up the word tokens of all ``ads`` at once (:mod:`training.tokens`), for :meth:`word_ids`.

        Ads already looked up since the registry last grew are left alone; an ad that was not prepared
        is looked up on its own when asked.
        """
        size, index = registry_hash_index()
        todo = [ad for ad in ads if ad.__dict__.get("_ids", (-1,))[0] != size]
        if not todo:
            return
        if index is None:  # two vocabulary words share a hash: by their text instead
            for ad in todo:
                words, bounds = ad._word_index
                ad.__dict__["_ids"] = (size, registry_ids(words), bounds)
            return
        for ad, (ids, bounds) in zip(todo, key_token_ids([[s.key for s in ad.sentences] for ad in todo], index),
                                     strict=True):
            ad.__dict__["_ids"] = (size, ids, bounds)

    def _token_ids(self) -> tuple[np.ndarray, list[int]]:
        """The registry ids of the body's tokens, and where each sentence's tokens start (see :meth:`prepare_word_ids`)."""
        cached = self.__dict__.get("_ids")
        if cached is None or cached[0] != registry_size():
            Ad.prepare_word_ids([self])
            cached = self.__dict__["_ids"]
        return cached[1], cached[2]

    def word_ids(self, field: str) -> np.ndarray:
        """The registry ids (:func:`~training.fast.registry_ids`) of :meth:`words`: what the word vectorizers read.

        Several vectorizers read the same ad: its tokens are looked up once (for a whole batch with
        :meth:`prepare_word_ids`), and again only when a word vectorizer was built since.
        """
        if field == "title_key":
            return registry_ids(self._title_words)  # a few words
        ids, bounds = self._token_ids()
        if field == "body_key":
            return ids
        if field == "job_key":
            return ids if self._job_sentences is None else ids[np.repeat(self._job_sentences, np.diff(bounds))]
        raise ValueError(f"no word tokens for field {field!r}")

    def sentence_word_ids(self, indices: Sequence[int]) -> list[np.ndarray]:
        """The :meth:`word_ids` of the sentences at ``indices`` (as :meth:`sentence_words`)."""
        ids, bounds = self._token_ids()
        return [ids[bounds[k]:bounds[k + 1]] for k in indices]

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
