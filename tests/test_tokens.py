"""training.tokens: word ids from hashed UTF-8 bytes equal the dictionary look-up of key_tokens."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from training import tokens
from training.fast import key_tokens
from training.text import match_key

#: The known words (a vocabulary); a word's id is its position.
VOCABULARY = ["social", "media", "manager", "pr", "ä", "über", "straße", "中文", "𠀀𠀁", "2024", "x1", "ab"]
INDEX = pd.Index(tokens.word_hashes(VOCABULARY))
# Words of keys: known ones, unknown ones, one-character ones of one to four UTF-8 bytes.
_WORDS = [*VOCABULARY, "a", "5", "é", "中", "𠀀", "ba", "socia", "socialmedia", "überall", "mediamanager"]


def _expected(ad_keys: list[str]) -> tuple[list[int], list[int]]:
    ids = {w: i for i, w in enumerate(VOCABULARY)}
    per_sentence = [key_tokens(key) for key in ad_keys]
    return ([ids.get(w, -1) for words in per_sentence for w in words],
            [0, *np.cumsum([len(words) for words in per_sentence]).tolist()])


_KEYS = st.lists(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=8).map(" ".join), max_size=5)


@settings(max_examples=300, deadline=None)
@given(st.lists(_KEYS, max_size=6))
def test_key_token_ids_equal_the_lookup_of_key_tokens(ads):
    for ad_keys, (ids, bounds) in zip(ads, tokens.key_token_ids(ads, INDEX), strict=True):
        assert (ids.tolist(), bounds) == _expected(ad_keys)


def test_ads_are_hashed_in_groups_with_the_same_result(monkeypatch):
    ads = [[match_key(f"Social-Media-Manager {i} für Straße und 中文"), "pr x1 a b"] for i in range(50)]
    whole = tokens.key_token_ids(ads, INDEX)
    monkeypatch.setattr(tokens, "_GROUP_BYTES", 64)  # one or two ads per group
    grouped = tokens.key_token_ids(ads, INDEX)
    assert [(i.tolist(), b) for i, b in grouped] == [(i.tolist(), b) for i, b in whole]
    assert (whole[0][0].tolist(), whole[0][1]) == _expected(ads[0])


def test_ads_without_sentences_get_no_tokens():
    out = tokens.key_token_ids([[], ["social media"], []], INDEX)
    assert [(ids.tolist(), bounds) for ids, bounds in out] == [([], [0]), ([0, 1], [0, 2]), ([], [0])]


def test_word_hashes_tell_words_apart():
    pairs = {f"{a}{b}" for a in "abcdefghijklmnopqrstuvwxyzäöüß" for b in "abcdefghijklmnopqrstuvwxyz0123456789"}
    words = [*VOCABULARY, *sorted(pairs - set(VOCABULARY))]
    hashes = tokens.word_hashes(words)
    assert len(set(hashes.tolist())) == len(words)
    np.testing.assert_array_equal(tokens.word_hashes(["media", "social"]), hashes[[1, 0]])  # not position-dependent


@pytest.mark.parametrize("words", [["two words"], [""], ["tab\there"]])
def test_word_hashes_refuse_what_is_no_single_word(words):
    with pytest.raises(ValueError, match="no whitespace"):
        tokens.word_hashes(words)
