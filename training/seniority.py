"""Seniority from title and requirement cues, learned, with the cue that decided it.

Cues (taxonomy ``seniority[*].cues`` plus the lead and experience patterns here) become features
by where they occur (title or job text); years of experience are bucketed by the spec's rule
(2-4 years is ``professional``, 5+ is ``senior``). A logistic model weighs them, so a confidence
comes with every decision and the strongest active cue explains it.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from training.document import Ad
from training.features import check_ads
from training.phrases import PhraseMatcher

__all__ = ["SeniorityModel"]

# Phrases in the job text that say the job leads people, and experience wording without numbers.
_EXTRA_CUES = {
    "lead": ["führung eines teams", "fachliche und disziplinarische", "disziplinarische führung",
             "personalverantwortung", "führungsverantwortung", "leitest ein team", "leitung des teams",
             "führst ein team", "lead a team", "leading a team", "manage a team", "managing a team",
             "direct reports", "people management", "line management", "team leadership", "build and lead"],
    "senior": ["langjährige berufserfahrung", "langjährige erfahrung", "extensive experience",
               "proven track record", "mehrjährige führungserfahrung"],
    "professional": ["mehrjährige berufserfahrung", "mehrjährige erfahrung", "erste berufserfahrung",
                     "several years of experience", "berufserfahrung", "experience in"],
    "student": ["eingeschriebene", "immatrikuliert", "enrolled", "studium", "studierende"],
    "entry": ["berufseinstieg", "berufseinsteiger", "erste erfahrungen", "recent graduate", "abgeschlossenes studium"],
}


class SeniorityModel(ClassifierMixin, BaseEstimator):
    """Predicts one of the five seniority levels of a parsed ad.

    Args:
        taxonomy: the taxonomy document (``Taxonomy.raw``), whose seniority cues are used.
        C: inverse regularisation of the logistic model.
    """

    def __init__(self, *, taxonomy: dict[str, Any] | None = None, C: float = 1.0) -> None:
        self.taxonomy = taxonomy
        self.C = C

    def _cues(self, ad: Ad) -> dict[str, float]:
        feats: dict[str, float] = {}
        for level, phrase in self.title_matcher_.find(ad.title_key):
            feats[f"title:{level}:{phrase}"] = 1.0
            feats[f"title_level:{level}"] = 1.0
        for level, phrase in self.body_matcher_.find(ad.job_key):
            feats[f"text:{level}:{phrase}"] = 1.0
            feats[f"text_level:{level}"] = feats.get(f"text_level:{level}", 0.0) + 1.0
        if ad.experience is not None:
            years = ad.experience.min
            bucket = "0-1" if years < 2 else "2-4" if years < 5 else "5+"
            feats[f"experience:{bucket}"] = 1.0
        for word in ad.title_key.split():
            feats[f"title_word:{word}"] = 1.0
        if not ad.title_key:
            feats["no_title"] = 1.0
        return feats

    def fit(self, X: Sequence[Ad], y: Sequence[str], sample_weight: np.ndarray | None = None) -> SeniorityModel:
        X = check_ads(X)
        if not self.taxonomy:
            raise ValueError("SeniorityModel needs the taxonomy document (taxonomy=Taxonomy.raw).")
        cues = {s["id"]: [c for lang in s.get("cues", {}).values() for c in lang] for s in self.taxonomy["seniority"]}
        self.title_matcher_ = PhraseMatcher(cues, whole_word=True)
        body = {level: cues.get(level, []) + _EXTRA_CUES.get(level, []) for level in cues}
        self.body_matcher_ = PhraseMatcher(body, whole_word=True)
        self.vectorizer_ = DictVectorizer().fit([self._cues(ad) for ad in X])
        self.model_ = LogisticRegression(C=self.C, max_iter=3000)
        self.model_.fit(self.vectorizer_.transform([self._cues(ad) for ad in X]), y, sample_weight=sample_weight)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X: Sequence[Ad]) -> np.ndarray:
        check_is_fitted(self)
        return self.model_.predict_proba(self.vectorizer_.transform([self._cues(ad) for ad in check_ads(X)]))

    def predict(self, X: Sequence[Ad]) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def explain(self, ad: Ad, level: str) -> str | None:
        """The active cue that pushes most towards ``level`` (e.g. ``'title: werkstudent'``), if any."""
        check_is_fitted(self)
        k = list(self.classes_).index(level)
        coef = self.model_.coef_[k] if self.model_.coef_.shape[0] > 1 else self.model_.coef_[0]
        best, best_score = None, 0.0
        for name, value in self._cues(ad).items():
            j = self.vectorizer_.vocabulary_.get(name)
            if j is None or ("_level:" in name and not name.endswith(":" + level)):
                continue
            score = coef[j] * value
            if score > best_score:
                best, best_score = name, score
        return _describe(best, ad) if best else None


def _describe(feature: str, ad: Ad) -> str:
    kind, _, rest = feature.partition(":")
    if kind == "experience":
        exp = ad.experience
        span = f"{exp.min}-{exp.max}" if exp and exp.max else f"{exp.min}+" if exp else rest
        return f"experience: {span} years"
    if kind in ("title", "text"):
        return f"{kind}: {rest.partition(':')[2]}"
    if kind == "title_word":
        return f"title word: {rest}"
    if kind.endswith("_level"):
        return f"{kind.split('_')[0]} cue for {rest}"
    return feature
