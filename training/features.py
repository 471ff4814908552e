"""Features of parsed ads for the role model: n-grams of title and body, and taxonomy features from the seeds.

All transformers follow scikit-learn's contract (parameters stored as given, learned state with a
trailing underscore, ``check_is_fitted`` in ``transform``), so they clone, pickle and sit in a
``Pipeline`` like any other.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import normalize as l2_normalize
from sklearn.utils.validation import check_is_fitted

from training.document import Ad
from training.fast import field_docs, tfidf_transform
from training.phrases import PhraseMatcher, phrases_by_id
from training.taxonomy import OTHER
from training.text import match_key

__all__ = ["Field", "SeedProfileFeatures", "role_features", "check_ads"]


def check_ads(X: Any) -> Sequence[Ad]:
    """Guard the classic text bug: a bare string or ad where a list of ads is expected."""
    if isinstance(X, (str, Ad)):
        raise ValueError(f"Iterable over parsed ads expected, {type(X).__name__} object received.")
    return X


class Field(TransformerMixin, BaseEstimator):
    """Selects one text attribute of each :class:`~training.document.Ad` (e.g. ``title_key``)."""

    def __init__(self, name: str = "body_key") -> None:
        self.name = name

    def fit(self, X: Sequence[Ad], y: Any = None) -> Field:
        check_ads(X)
        self.fitted_ = True
        return self

    def transform(self, X: Sequence[Ad]) -> list[str]:
        check_is_fitted(self)
        return [getattr(ad, self.name) for ad in check_ads(X)]


class SeedProfileFeatures(TransformerMixin, BaseEstimator):
    """Taxonomy features built from the seed documents and the taxonomy's aliases and keywords.

    For each communication role: the cosine similarity of the ad's title and of its job text to
    the role's *profile* (the TF-IDF centroid of the role's seed quotes, aliases and keywords),
    whether one of the role's aliases is in the title, and how often its aliases and keywords
    occur in the body; for each skill, how often its phrases occur in the job text.

    Args:
        taxonomy: the taxonomy document (``Taxonomy.raw``), plain data.
    """

    def __init__(self, *, taxonomy: dict[str, Any] | None = None) -> None:
        self.taxonomy = taxonomy

    def fit(self, X: Sequence[Ad], y: Any = None) -> SeedProfileFeatures:
        check_ads(X)
        if not self.taxonomy:
            raise ValueError("SeedProfileFeatures needs the taxonomy document (taxonomy=Taxonomy.raw).")
        roles = [r for r in self.taxonomy["roles"] if r["id"] != OTHER]
        self.role_ids_ = [r["id"] for r in roles]
        self.skill_ids_ = [s["id"] for s in self.taxonomy["skills"]]
        aliases = phrases_by_id(roles, "aliases")
        keywords = phrases_by_id(roles, "keywords")
        passages, owners = [], []
        for i, role in enumerate(roles):
            docs = [ev["quote"] for ev in role.get("seed_evidence", [])]
            docs.append(" ".join(aliases[role["id"]]))
            docs.append(" ".join(keywords[role["id"]]))
            for doc in docs:
                if doc.strip():
                    passages.append(match_key(doc))
                    owners.append(i)
        self.vectorizer_ = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit(passages)
        vectors = self.vectorizer_.transform(passages)
        owners_arr = np.array(owners)
        centroids = np.vstack([np.asarray(vectors[owners_arr == i].mean(axis=0)) for i in range(len(roles))])
        self.profiles_ = l2_normalize(centroids)
        # Transposed and contiguous: sparse @ dense copies a strided operand on every call.
        self.profiles_t_ = np.ascontiguousarray(self.profiles_.T)
        self.alias_matcher_ = PhraseMatcher(aliases, whole_word=True)
        self.keyword_matcher_ = PhraseMatcher(keywords)
        self.skill_matcher_ = PhraseMatcher(phrases_by_id(self.taxonomy["skills"], "phrases"))
        self.n_features_out_ = 5 * len(roles) + len(self.skill_ids_)
        return self

    def transform(self, X: Sequence[Ad]) -> np.ndarray:
        check_is_fitted(self)
        X = check_ads(X)
        titles = [ad.title_key for ad in X]
        # The job text, or the whole ad when no sentence is about the job.
        job_fields = ["job_key" if ad.job_key else "body_key" for ad in X]
        jobs = [getattr(ad, name) for ad, name in zip(X, job_fields, strict=True)]
        job_docs = field_docs(self.vectorizer_, X, job_fields)
        n_roles = len(self.role_ids_)
        sim_title = np.asarray(tfidf_transform(self.vectorizer_, field_docs(self.vectorizer_, X, "title_key"))
                               @ self.profiles_t_)
        sim_job = np.asarray(tfidf_transform(self.vectorizer_, job_docs) @ self.profiles_t_)
        # Phrase counts: alias in title, alias in body, keyword in job text (per role), skill phrase in job text.
        counts = np.zeros((len(X), 3 * n_roles + len(self.skill_ids_)))
        blocks = [(self.alias_matcher_, titles, self.role_ids_, 0),
                  (self.alias_matcher_, [ad.body_key for ad in X], self.role_ids_, n_roles),
                  (self.keyword_matcher_, jobs, self.role_ids_, 2 * n_roles),
                  (self.skill_matcher_, jobs, self.skill_ids_, 3 * n_roles)]
        for matcher, texts, ids, offset in blocks:
            column = {label: offset + j for j, label in enumerate(ids)}
            for i, text in enumerate(texts):
                for label, n in matcher.counts(text).items():
                    counts[i, column[label]] = n
        counts[:, :n_roles] = np.minimum(counts[:, :n_roles], 1.0)
        np.log1p(counts[:, n_roles:], out=counts[:, n_roles:])
        return np.hstack([sim_title * 3.0, sim_job * 3.0, counts])

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self)
        names = [f"sim_title_{r}" for r in self.role_ids_] + [f"sim_job_{r}" for r in self.role_ids_]
        names += [f"alias_title_{r}" for r in self.role_ids_] + [f"alias_body_{r}" for r in self.role_ids_]
        names += [f"keyword_{r}" for r in self.role_ids_] + [f"skill_{s}" for s in self.skill_ids_]
        return np.array(names, dtype=object)


def role_features(taxonomy: dict[str, Any] | None, *, seed_features: bool = True, title_weight: float = 2.0) -> FeatureUnion:
    """The role model's features: title word and character n-grams (weighted up), body words, seed features.

    ``seed_features=False`` gives the ablation without the taxonomy/seed-derived block.
    """
    parts: list[tuple[str, Any]] = [
        ("title_word", Pipeline([("field", Field("title_key")),
                                 ("tfidf", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True))])),
        ("title_char", Pipeline([("field", Field("title_key")),
                                 ("tfidf", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True,
                                                           min_df=2))])),
        ("body_word", Pipeline([("field", Field("body_key")),
                                ("tfidf", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2,
                                                          max_df=0.9, max_features=40_000))])),
    ]
    weights = {"title_word": title_weight, "title_char": title_weight, "body_word": 1.0}
    if seed_features:
        parts.append(("seed", SeedProfileFeatures(taxonomy=taxonomy)))
        weights["seed"] = 0.5
    return FeatureUnion(parts, transformer_weights=weights)
