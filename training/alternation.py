"""Regex alternations that start with literal text, searched by jumping between those literals.

Python's regex engine tries an alternation such as ``langjährig|5(?<!\\w.) years|junior`` at every
character whose value could begin one of the alternatives; with a dozen alternatives that is most
characters of a text (~13 ns each). :class:`Alternation` finds the candidate starts with
``str.find`` of each alternative's literal beginning (``langjährig``, ``5``, ``junior``) and tries
the regex only there. The matches are those of ``re.finditer`` on the whole alternation: every match
starts where one of the literals does, and the regex is tried at those places left to right,
skipping the ones inside an earlier match.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["Alternation", "split_alternatives", "literal_prefix"]

_QUANTIFIERS = "?*+{"
_SPECIAL = set("\\()[]{}?*+|.^$")


def split_alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of ``pattern`` (``a|b(c|d)`` -> ``['a', 'b(c|d)']``)."""
    out, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if pattern[i + 1:i + 2] == "]":  # "[]...]": a leading "]" is a member
                i += 1
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            out.append(pattern[start:i])
            start = i + 1
        i += 1
    out.append(pattern[start:])
    return out


def _skip_group(alternative: str, i: int) -> int:
    """Index just after the group that opens at ``alternative[i]``."""
    depth = 0
    while i < len(alternative):
        ch = alternative[i]
        if ch == "\\":
            i += 2
            continue
        depth += ch == "("
        depth -= ch == ")"
        i += 1
        if depth == 0:
            return i
    raise ValueError(f"unbalanced group in {alternative!r}")


def literal_prefix(alternative: str) -> str:
    """The literal text every match of ``alternative`` begins with ('' when it begins otherwise).

    Look-behind assertions are zero-width and are stepped over (``5(?<!\\w.) years`` -> ``5 years``);
    a character with a quantifier, a class, a group or an escape ends the prefix.
    """
    out, i = [], 0
    while i < len(alternative):
        if alternative.startswith(("(?<!", "(?<="), i):
            i = _skip_group(alternative, i)
            continue
        ch = alternative[i]
        if ch in _SPECIAL or alternative[i + 1:i + 2] in tuple(_QUANTIFIERS):
            break
        out.append(ch)
        i += 1
    return "".join(out)


class Alternation:
    """A compiled alternation with :meth:`finditer` equal to ``re.compile(pattern).finditer``.

    Args:
        pattern: alternatives joined by ``|``; the search is faster when each begins with literal
            text (else it falls back to the plain regex).
    """

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.regex = re.compile(pattern)
        prefixes = {literal_prefix(a) for a in split_alternatives(pattern)}
        # Where "manage" occurs, so does every longer prefix starting with it: look for the shorter only.
        self._prefixes = None if "" in prefixes else tuple(
            sorted(p for p in prefixes if not any(q != p and p.startswith(q) for q in prefixes)))

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """The non-overlapping matches in ``text``, left to right (as ``re.finditer``)."""
        if self._prefixes is None:
            yield from self.regex.finditer(text)
            return
        starts = []
        for prefix in self._prefixes:
            at = text.find(prefix)
            while at >= 0:
                starts.append(at)
                at = text.find(prefix, at + 1)
        end = 0
        match = self.regex.match
        for at in sorted(starts):
            if at < end:
                continue  # inside the previous match (finditer goes on after a match's end)
            found = match(text, at)  # look-behinds still see the text before ``at``
            if found is not None:
                yield found
                end = found.end()
