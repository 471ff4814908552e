"""Lean inference for fitted scikit-learn text pieces.

scikit-learn's ``transform`` validates its input on every call; for one short ad that costs more
than the arithmetic (profiling showed ~70% of a 16 ms request in input validation). The functions
here compute exactly the same numbers from the fitted attributes (``vocabulary_``, ``idf_``,
``coef_``) without the per-call checks. ``tests/test_features.py`` asserts they equal scikit-learn's
own results, so a library upgrade that changes the maths fails the build instead of the model.
"""
from __future__ import annotations

import re
import threading
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice, repeat
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from training.tokens import word_hashes

__all__ = ["tfidf_transform", "union_transform", "logistic_proba", "word_tokens", "key_tokens",
           "char_wb_ngrams", "field_docs", "WordIdDocs", "registry_ids", "registry_size",
           "registry_hash_index"]

_ANALYZERS: weakref.WeakKeyDictionary[TfidfVectorizer, Callable[[str], list[str]]] = weakref.WeakKeyDictionary()


def _analyzer(vectorizer: TfidfVectorizer) -> Callable[[str], list[str]]:
    analyzer = _ANALYZERS.get(vectorizer)
    if analyzer is None:
        analyzer = _ANALYZERS[vectorizer] = vectorizer.build_analyzer()
    return analyzer


@dataclass(frozen=True)
class _WordTable:
    """A fitted word 1-2-gram vocabulary as integer tables, so n-grams are looked up with numpy.

    Every word of any vocabulary term gets an id; unigram columns are an array indexed by word id,
    bigrams are ``first * n_words + second`` codes, sorted and hashed. A token
    that is no word of the vocabulary cannot be part of any of its n-grams, so it maps to -1.
    """

    words: dict[str, int]
    unigram: np.ndarray
    bigram_codes: np.ndarray  # sorted
    bigram_index: pd.Index  # the same codes, hashed: ~7x faster than searchsorted for a large batch
    bigram_cols: np.ndarray  # column of each code
    tokenize: Callable[[str], list[str]]
    lowercase: bool
    default_tokens: bool  # tokenises like word_tokens(): lists from it can be used as they are
    # registry id -> word id, with -1 appended (so that id -1, "in no table", maps to -1); see _local_ids
    from_registry: list[np.ndarray] = field(default_factory=list)


# vectorizer -> (the fitted vocabulary_ the tables were built from, the tables): a refit replaces the vocabulary.
_TABLES: weakref.WeakKeyDictionary[TfidfVectorizer, tuple[dict, _WordTable | None]] = weakref.WeakKeyDictionary()


def _word_table(vectorizer: TfidfVectorizer) -> _WordTable | None:
    """The integer tables of a plain word 1-gram or 1-2-gram vectorizer; None for anything else."""
    vocabulary, table = _TABLES.get(vectorizer, (None, None))
    if vocabulary is vectorizer.vocabulary_:
        return table
    table = None
    plain_words = (vectorizer.analyzer == "word" and vectorizer.tokenizer is None and vectorizer.preprocessor is None
                   and vectorizer.stop_words is None and not vectorizer.strip_accents
                   and vectorizer.input == "content" and tuple(vectorizer.ngram_range) in ((1, 1), (1, 2)))
    if plain_words:
        words: dict[str, int] = {}
        terms = [(term.split(" "), col) for term, col in vectorizer.vocabulary_.items()]
        for parts, _ in terms:
            for word in parts:
                words.setdefault(word, len(words))
        unigram = np.full(len(words), -1, dtype=np.int64)
        codes, cols = [], []
        for parts, col in terms:
            if len(parts) == 1:
                unigram[words[parts[0]]] = col
            else:
                codes.append(words[parts[0]] * len(words) + words[parts[1]])
                cols.append(col)
        order = np.argsort(codes)
        sorted_codes = np.asarray(codes, dtype=np.int64)[order]
        table = _WordTable(words, unigram, sorted_codes, pd.Index(sorted_codes),
                           np.asarray(cols, dtype=np.int64)[order], vectorizer.build_tokenizer(), vectorizer.lowercase,
                           vectorizer.lowercase and vectorizer.token_pattern == _WORD_PATTERN.pattern)
        if table.default_tokens:
            _register(words)
    _TABLES[vectorizer] = (vectorizer.vocabulary_, table)
    return table


_WORD_PATTERN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token_pattern


# -- one look-up per token for all word vectorizers ---------------------------------------------------------------
# The words of every default-token word table built in this process, numbered in the order they came (the
# numbers never change). A parsed ad looks its tokens up here once (``Ad.word_ids``); each vectorizer then turns
# those numbers into its own word ids with one numpy gather, instead of a dictionary look-up per token and
# vectorizer (the body's words are read by three vectorizers, the job text's by two more).
_REGISTRY: dict[str, int] = {}
_REGISTRY_LOCK = threading.Lock()


def _register(words: Iterable[str]) -> None:
    with _REGISTRY_LOCK:
        for word in words:
            _REGISTRY.setdefault(word, len(_REGISTRY))


def registry_size() -> int:
    """How many words the registry has: ids computed at an earlier size may miss words added since."""
    return len(_REGISTRY)


def registry_ids(tokens: list[str]) -> np.ndarray:
    """The registry id of each token, -1 for a token in no word table."""
    return np.fromiter(map(_REGISTRY.get, tokens, repeat(-1)), dtype=np.int64, count=len(tokens))


_HASH_INDEX: list[tuple[int, pd.Index | None]] = [(0, None)]


def registry_hash_index() -> tuple[int, pd.Index | None]:
    """``(registry size, index)``: the :func:`~training.tokens.word_hashes` of the registry's words, in id order.

    None instead of the index in the (~10^-10) case that two registered words share a hash: callers then
    look the words up by their text.
    """
    size, index = _HASH_INDEX[0]
    if size != len(_REGISTRY) or size == 0:
        with _REGISTRY_LOCK:
            words = list(_REGISTRY)
        index = pd.Index(word_hashes(words)) if words else pd.Index(np.empty(0, dtype=np.uint64))
        _HASH_INDEX[0] = (size, index) = (len(words), index if index.is_unique else None)
    return size, index


def _local_ids(table: _WordTable) -> np.ndarray:
    """``table``'s registry id -> word id array (with -1 last), extended to words registered since."""
    held = table.from_registry[0] if table.from_registry else np.full(1, -1, dtype=np.int64)
    if len(held) <= len(_REGISTRY):
        with _REGISTRY_LOCK:
            new = list(islice(_REGISTRY, len(held) - 1, None))
            held = np.concatenate([held[:-1], np.fromiter(map(table.words.get, new, repeat(-1)), dtype=np.int64,
                                                          count=len(new)), [-1]])
        table.from_registry[:] = [held]
    return held


@dataclass(frozen=True)
class WordIdDocs:
    """Documents as the registry ids of their tokens, all in one array, and the number of tokens of each.

    What :func:`field_docs` gives for parsed ads (see ``Ad.word_ids``); any word vectorizer with the default
    tokenisation reads them.
    """

    ids: np.ndarray
    lengths: np.ndarray

    def __len__(self) -> int:
        return len(self.lengths)

    @classmethod
    def join(cls, parts: Sequence[np.ndarray]) -> WordIdDocs:
        """One document per array of ids."""
        lengths = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
        return cls(np.concatenate(parts) if parts else np.empty(0, dtype=np.int64), lengths)


def word_tokens(text: str) -> list[str]:
    """The tokens a default word vectorizer sees in ``text`` (lower-cased runs of 2+ word characters).

    Documents can be passed to :func:`tfidf_transform` as such lists: a parsed ad tokenises each
    sentence once, and its whole text, its job text and single sentences reuse those tokens.
    """
    return _WORD_PATTERN.findall(text.lower())


# A one-character word of a match key, after its first word (a key's characters are letters, digits and single
# spaces, so [^ ] is \w there). Starting with a literal space lets the regex engine jump from space to space.
_ONE_CHARACTER_WORD = re.compile(r" [^ ](?: |$)")


def _has_one_character_word(key: str) -> bool:
    """Whether a match key has a word of one character (which word vectorizers drop)."""
    return key[1:2] == " " or len(key) == 1 or _ONE_CHARACTER_WORD.search(key) is not None


def key_tokens(key: str) -> list[str]:
    """:func:`word_tokens` of a match key (:func:`~training.text.match_key`), several times faster.

    A match key is runs of letters and digits separated by single spaces, so its tokens are its
    words of two or more characters; no regex needed.
    """
    key = key.lower()
    if not key:
        return []
    if not _has_one_character_word(key):  # most sentences: no Python loop at all
        return key.split(" ")
    return [w for w in key.split(" ") if len(w) > 1]


# Below this many n-grams (a single ad, a few sentences) numpy's sorting beats hashing with pandas
# and building a sparse matrix: those have a fixed cost of tens of microseconds per call.
_SMALL = 5000


def _bigram_positions(table: _WordTable, codes: np.ndarray) -> np.ndarray:
    """Index of each bigram code in ``table.bigram_codes``, -1 where it is no vocabulary bigram."""
    if len(codes) >= _SMALL:
        return table.bigram_index.get_indexer(codes)
    pos = np.minimum(np.searchsorted(table.bigram_codes, codes), len(table.bigram_codes) - 1)
    return np.where(table.bigram_codes[pos] == codes, pos, -1)


def _word_counts(table: _WordTable, docs: Sequence[str | list[str]] | WordIdDocs,
                 n_features: int) -> tuple[np.ndarray, ...]:
    """Column indices and counts of each document's n-grams: (indptr, indices, counts), indices sorted."""
    if isinstance(docs, WordIdDocs):
        flat, lengths = _local_ids(table)[docs.ids], docs.lengths
    else:
        tokens: list[str] = []
        lengths = []
        for doc in docs:
            # a list was tokenised ahead of time (word_tokens, key_tokens)
            doc_tokens = doc if isinstance(doc, list) else table.tokenize(doc.lower() if table.lowercase else doc)
            tokens.extend(doc_tokens)
            lengths.append(len(doc_tokens))
        # the look-ups run in C (map), not in a Python loop
        flat = np.fromiter(map(table.words.get, tokens, repeat(-1)), dtype=np.int64, count=len(tokens))
    row = np.repeat(np.arange(len(docs), dtype=np.int64), lengths)
    known = flat >= 0
    cols = [table.unigram[flat[known]]]
    rows = [row[known]]
    if len(table.bigram_index) and len(flat) > 1:
        first, second = flat[:-1], flat[1:]
        pair = (first >= 0) & (second >= 0) & (row[:-1] == row[1:])  # bigrams never span two documents
        pos = _bigram_positions(table, first[pair] * len(table.words) + second[pair])
        found = pos >= 0
        cols.append(table.bigram_cols[pos[found]])
        rows.append(row[:-1][pair][found])
    col, row = np.concatenate(cols), np.concatenate(rows)
    hit = col >= 0
    col, row = col[hit], row[hit]
    if len(col) < _SMALL:  # one ad: fewer, cheaper numpy calls than building a sparse matrix
        keys, counts = np.unique(row * n_features + col, return_counts=True)
        return np.searchsorted(keys, np.arange(len(docs) + 1) * n_features), keys % n_features, counts
    # Unigram and bigram entries are each in document order: a stable sort merges the two runs.
    order = np.argsort(row, kind="stable")
    indptr = np.concatenate([[0], np.cumsum(np.bincount(row, minlength=len(docs)))])
    counts = sparse.csr_matrix((np.ones(len(col)), col[order], indptr), shape=(len(docs), n_features))
    counts.sum_duplicates()  # adds up repeated n-grams and sorts each row's indices
    return counts.indptr, counts.indices, counts.data


def char_wb_ngrams(text: str, min_n: int, max_n: int) -> list[str]:
    """scikit-learn's ``char_wb`` n-grams of (preprocessed) ``text``, with list comprehensions instead of its loop.

    Each word is padded with a space on either side; a word no longer than ``n`` gives itself once, and no
    longer n-grams.
    """
    out: list[str] = []
    for word in text.split():
        word = f" {word} "
        for n in range(min_n, max_n + 1):
            if len(word) <= n:
                out.append(word)
                break
            out += [word[i:i + n] for i in range(len(word) - n + 1)]
    return out


def _char_wb_counts(vectorizer: TfidfVectorizer, docs: Sequence[str]) -> tuple[np.ndarray, ...]:
    """(indptr, indices, counts) of a plain ``char_wb`` vectorizer, the n-grams of all docs looked up in C.

    Each row lists its n-grams in the order they first occur, as the generic path (a Counter) does, so
    that the tf-idf arithmetic runs in the same order.
    """
    lowercase, (min_n, max_n), n_features = vectorizer.lowercase, vectorizer.ngram_range, len(vectorizer.vocabulary_)
    grams: list[str] = []
    lengths = []
    for doc in docs:
        doc_grams = char_wb_ngrams(doc.lower() if lowercase else doc, min_n, max_n)
        grams += doc_grams
        lengths.append(len(doc_grams))
    ids = np.fromiter(map(vectorizer.vocabulary_.get, grams, repeat(-1)), dtype=np.int64, count=len(grams))
    row = np.repeat(np.arange(len(docs), dtype=np.int64), lengths)
    known = ids >= 0
    # (row, column) codes numbered in order of first occurrence: rows stay grouped, n-grams in text order
    numbers, codes = pd.factorize(row[known] * n_features + ids[known])
    counts = np.bincount(numbers, minlength=len(codes))
    indptr = np.concatenate([[0], np.cumsum(np.bincount(codes // n_features, minlength=len(docs)))])
    return indptr, codes % n_features, counts


def _generic_counts(vectorizer: TfidfVectorizer, docs: Sequence[str]) -> tuple[np.ndarray, ...]:
    """(indptr, indices, counts) through the vectorizer's own analyzer (character n-grams etc.)."""
    if (vectorizer.analyzer == "char_wb" and vectorizer.preprocessor is None and not vectorizer.strip_accents
            and vectorizer.input == "content" and all(isinstance(doc, str) for doc in docs)):
        return _char_wb_counts(vectorizer, docs)
    analyzer = _analyzer(vectorizer)
    vocab = vectorizer.vocabulary_
    indptr, indices, values = [0], [], []
    for doc in docs:
        # Counter counts in C; only distinct n-grams are then looked up in the vocabulary.
        for term, n in Counter(analyzer(doc)).items():
            j = vocab.get(term)
            if j is not None:
                indices.append(j)
                values.append(n)
        indptr.append(len(indices))
    return np.asarray(indptr, dtype=np.int64), np.asarray(indices, dtype=np.int64), np.asarray(values)


def tfidf_transform(vectorizer: TfidfVectorizer, docs: Sequence[str | list[str]]) -> sparse.csr_matrix:
    """Same as ``vectorizer.transform(docs)`` for a fitted TfidfVectorizer with l2 norm.

    A document may also be the list of its :func:`word_tokens`, for plain word vectorizers.
    """
    n_features = len(vectorizer.vocabulary_)
    table = _word_table(vectorizer)
    if (table is None or not table.default_tokens) and (
            isinstance(docs, WordIdDocs) or any(isinstance(doc, list) for doc in docs)):
        raise ValueError("token lists are only accepted by word vectorizers with the default tokenisation")
    if table is not None:
        rows, cols, counts = _word_counts(table, docs, n_features)
    else:
        rows, cols, counts = _generic_counts(vectorizer, docs)
    data = counts.astype(np.float64)
    if vectorizer.sublinear_tf:
        np.log(data, data)
        data += 1.0
    if vectorizer.use_idf:
        data *= vectorizer.idf_[cols]
    if vectorizer.norm == "l2" and len(data):
        lengths = np.diff(rows)
        norms = np.sqrt(np.add.reduceat(data * data, rows[:-1][lengths > 0]))
        data /= np.repeat(norms, lengths[lengths > 0])
    X = sparse.csr_matrix((data, cols.astype(np.int32), rows.astype(np.int32)), shape=(len(docs), n_features))
    X.has_sorted_indices = table is not None
    return X


def field_docs(vectorizer: TfidfVectorizer, items: Sequence[Any], fields: str | Sequence[str]) -> list[str] | WordIdDocs:
    """The documents a vectorizer reads from ``items``' ``fields`` (one name, or one per item): the registry ids
    of their tokens where the items have them (parsed ads tokenise once for all vectorizers: ``Ad.word_ids``),
    else the texts."""
    names = [fields] * len(items) if isinstance(fields, str) else fields
    table = _word_table(vectorizer)
    if table is not None and table.default_tokens and all(hasattr(item, "word_ids") for item in items):
        return WordIdDocs.join([item.word_ids(name) for item, name in zip(items, names, strict=True)])
    return [getattr(item, name) for item, name in zip(items, names, strict=True)]


def union_transform(union: FeatureUnion, items: Sequence[Any]) -> sparse.csr_matrix:
    """Same as ``union.transform(items)`` for our unions of ``Pipeline([Field, TfidfVectorizer])`` and transformers."""
    weights = union.transformer_weights or {}
    blocks = []
    for name, transformer in union.transformer_list:
        if isinstance(transformer, Pipeline) and isinstance(transformer[-1], TfidfVectorizer):
            block = tfidf_transform(transformer[-1], field_docs(transformer[-1], items, transformer[0].name))
        else:
            block = sparse.csr_matrix(transformer.transform(items))
        if name in weights:
            block = block * weights[name]
        blocks.append(block)
    return sparse.hstack(blocks, format="csr")


_WEIGHTS: weakref.WeakKeyDictionary[LogisticRegression, tuple[np.ndarray, np.ndarray]] = weakref.WeakKeyDictionary()


def logistic_proba(model: LogisticRegression, X: sparse.spmatrix | np.ndarray) -> np.ndarray:
    """Same as ``model.predict_proba(X)`` for a fitted multinomial (or binary) LogisticRegression."""
    # ``coef_.T`` is a strided view; sparse @ strided dense copies it on every call (5 MB for the
    # role model), so keep one contiguous copy per fitted model.
    coef, weights = _WEIGHTS.get(model, (None, None))
    if coef is not model.coef_:  # first call, or the model was fitted again
        _WEIGHTS[model] = (model.coef_, weights := np.ascontiguousarray(model.coef_.T))
    scores = X @ weights + model.intercept_
    scores = np.asarray(scores)
    if scores.shape[1] == 1:  # binary
        p = 1.0 / (1.0 + np.exp(-scores[:, 0]))
        return np.column_stack([1 - p, p])
    scores -= scores.max(axis=1, keepdims=True)
    np.exp(scores, scores)
    scores /= scores.sum(axis=1, keepdims=True)
    return scores
