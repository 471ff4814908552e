"""Fast matching of many phrases at once, as word prefixes, on :func:`training.text.match_key` text.

The taxonomy has about a thousand aliases, keywords and skill phrases. A regex alternation of all
of them is compiled as a trie, so that matching an ad costs one pass over it instead of one
search per phrase.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from itertools import accumulate

from training.text import match_key

__all__ = ["PhraseMatcher", "phrases_by_id", "trie_pattern"]


def phrases_by_id(entries: Iterable[dict], key: str) -> dict[str, list[str]]:
    """``{entry id: phrases of both languages}`` for a taxonomy section's ``key`` (aliases, phrases, cues)."""
    return {e["id"]: [p for lang in e.get(key, {}).values() for p in lang] for e in entries}


def trie_pattern(words: Iterable[str]) -> str:
    """A regex matching exactly the given literal words, as a trie: one pass over a text finds any of them."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict) -> str:
        end = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if end else body

    return build(trie)


class PhraseMatcher:
    """Finds which labels' phrases occur in a text.

    Args:
        phrases: ``{label: [phrase, ...]}``. Phrases are compared as :func:`match_key` keys and
            match at a word start; ``whole_word`` also requires a word end (for titles and aliases,
            where "pr" must not match "praktikum").
    """

    def __init__(self, phrases: dict[str, list[str]], *, whole_word: bool = False) -> None:
        self.labels = list(phrases)
        self._owner: dict[str, list[str]] = {}
        for label, items in phrases.items():
            for phrase in items:
                key = match_key(phrase)
                if key and label not in self._owner.setdefault(key, []):
                    self._owner[key].append(label)
        # Longest match first at a position comes from the greedy trie; the word-end guard keeps
        # whole-word aliases from matching inside longer words. A match key's words are separated
        # by single spaces, so "starts a word" is "follows a space" (the text gets one in front):
        # a literal first character lets the regex engine jump from space to space, twice as fast
        # as a look-behind tried at every character.
        tail = r"(?!\w)" if whole_word else ""
        pattern = trie_pattern(self._owner) if self._owner else r"(?!x)x"
        self._regex = re.compile(rf" ({pattern}){tail}")

    def find(self, key_text: str) -> list[tuple[str, str]]:
        """``(label, phrase)`` for every match in a match key (:func:`~training.text.match_key`)."""
        return [(label, m.group(1)) for m in self._regex.finditer(" " + key_text) for label in self._owner[m.group(1)]]

    def find_each(self, keys: Sequence[str]) -> list[list[tuple[str, str]]]:
        """``[self.find(key) for key in keys]`` in one pass of the regex, for the many sentences of an ad.

        The keys are joined by two spaces: a phrase has single spaces, so no match spans two keys, and
        each key's first word still follows a space.
        """
        starts = list(accumulate((len(key) + 2 for key in keys[:-1]), initial=1))
        out: list[list[tuple[str, str]]] = [[] for _ in keys]
        for m in self._regex.finditer(" " + "  ".join(keys)):
            phrase = m.group(1)
            found = out[bisect_right(starts, m.start(1)) - 1]
            found.extend((label, phrase) for label in self._owner[phrase])
        return out

    def counts(self, key_text: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for label, _ in self.find(key_text):
            out[label] = out.get(label, 0) + 1
        return out
