"""The word tokens of many ads' match keys as numbers, computed with numpy for the whole batch.

A word vectorizer sees a match key as its lower-cased words of two or more characters
(:func:`training.fast.key_tokens`). Splitting each ad's keys into Python strings and looking each one
up in a dictionary costs ~85 us per ad, mostly in making, hashing and probing 300+ string objects.
Here the keys of a whole batch are encoded to UTF-8 once, every word is hashed from its bytes with
numpy (a polynomial hash, 64 bits) and the hashes are looked up among those of the vocabulary words
in one pandas index look-up.

Hashes stand in for the words: a token that is no vocabulary word gets a vocabulary word's id only if
its 64-bit hash collides with one of the ~10^4 vocabulary hashes, about once in 10^15 tokens.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["word_hashes", "key_token_ids"]

_P = 0x100000001B3  # odd: it has an inverse modulo 2**64
_MIX = np.uint64(0x9E3779B97F4A7C15)
#: Keys hold letters, digits and spaces; ads are joined by line breaks and sentences by tabs. Every
#: separator byte is below "!" and every byte of a word (UTF-8 of letters and digits) above it.
_FIRST_WORD_BYTE = ord("!")
_SENTENCE_BREAK_BELOW = ord(" ")  # tab and line break
#: Ads are hashed in groups of about this many bytes, which bounds the tables of powers.
_GROUP_BYTES = 1 << 18
_POWERS: list[tuple[np.ndarray, np.ndarray]] = [(np.ones(1, dtype=np.uint64), np.ones(1, dtype=np.uint64))]


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """``P**i`` and ``P**-i`` modulo 2**64 for i < n (numpy's uint64 products wrap modulo 2**64)."""
    held, inverse = _POWERS[0]
    if len(held) < n:
        size = max(n, 2 * len(held))
        held, inverse = (np.cumprod(np.concatenate([np.ones(1, dtype=np.uint64), np.full(size - 1, base, dtype=np.uint64)]))
                         for base in (_P, pow(_P, -1, 2**64)))
        _POWERS[0] = held, inverse
    return held[:n], inverse[:n]


def _hash_words(data: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(hashes, starts, one character?)`` of the words in ``data``: UTF-8 bytes with a separator first and last.

    A word's hash is ``sum((byte_j + 1) * P**j)`` over its bytes, mixed, plus its length. The sum is taken
    over the whole buffer at once (``P**i`` at absolute position i) and then shifted to the word's start
    by ``P**-start``.
    """
    inside = data >= _FIRST_WORD_BYTE
    edges = np.flatnonzero(inside[1:] != inside[:-1]) + 1  # start, end, start, end, ...
    starts, ends = edges[0::2], edges[1::2]
    powers, inverse = _powers(len(data))
    weighted = (data.astype(np.uint64) + np.uint64(1)) * powers
    sums = np.add.reduceat(weighted, edges)[0::2] * inverse[starts]
    length = ends - starts
    hashes = (sums ^ (sums >> np.uint64(29))) * _MIX + length.astype(np.uint64)
    # One character: one byte, or a lead byte followed only by continuation bytes (0b10xxxxxx).
    single = length == 1
    short = np.flatnonzero((length > 1) & (length <= 4))
    if len(short):
        first, n = starts[short], length[short]
        ok = np.ones(len(short), dtype=bool)
        for j in (1, 2, 3):
            ok &= (n <= j) | ((data[np.minimum(first + j, len(data) - 1)] & 0xC0) == 0x80)
        single[short[ok]] = True
    return hashes, starts, single


def _buffer(text: str) -> np.ndarray:
    return np.frombuffer(b"\n" + text.encode() + b"\n", dtype=np.uint8)


def word_hashes(words: Sequence[str]) -> np.ndarray:
    """The hash of each word (non-empty, no whitespace or control characters), as :func:`key_token_ids` computes it."""
    hashes, _, _ = _hash_words(_buffer(" ".join(words)))
    if len(hashes) != len(words):
        raise ValueError("words must be non-empty and hold no whitespace or control characters")
    return hashes


def _groups(sizes: list[int]) -> list[slice]:
    """Consecutive runs of items whose sizes add up to about _GROUP_BYTES."""
    out, start, total = [], 0, 0
    for k, size in enumerate(sizes):
        if total and total + size > _GROUP_BYTES:
            out.append(slice(start, k))
            start, total = k, 0
        total += size
    out.append(slice(start, len(sizes)))
    return out


def key_token_ids(keys: Sequence[Sequence[str]], index: pd.Index) -> list[tuple[np.ndarray, list[int]]]:
    """For each ad's sentence keys: the ids of its word tokens and where each sentence's tokens start.

    ``index`` holds the hashes (:func:`word_hashes`) of the known words, a word's id being its position;
    -1 for a token that is no known word. Tokens are the keys' lower-cased words of two or more
    characters, as :func:`training.fast.key_tokens` gives them; the second element has one offset per
    sentence plus the end.
    """
    out: list[tuple[np.ndarray, list[int]]] = [(np.empty(0, dtype=np.int64), [0]) for _ in keys]
    filled = [k for k, ad_keys in enumerate(keys) if ad_keys]
    texts = ["\t".join(keys[k]).lower() for k in filled]
    for group in _groups([len(text) for text in texts]):
        # The group's ads joined by line breaks, their sentences by tabs: one buffer, one pass.
        data = _buffer("\n".join(texts[group]))
        hashes, starts, single = _hash_words(data)
        kept = ~single
        ids = index.get_indexer(hashes[kept])
        # The sentence of each token: the sentence breaks before it, less the leading one.
        breaks = np.flatnonzero(data < _SENTENCE_BREAK_BELOW)
        sentence = np.searchsorted(breaks, starts[kept]) - 1
        # Tokens before each sentence of the group; an ad's sentences are consecutive.
        before = [0, *np.cumsum(np.bincount(sentence, minlength=len(breaks) - 1)).tolist()]
        first = 0
        for k in filled[group]:
            last = first + len(keys[k])
            t_first = before[first]
            out[k] = (ids[t_first:before[last]], [t - t_first for t in before[first:last + 1]])
            first = last
    return out
