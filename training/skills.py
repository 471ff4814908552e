"""Skill tagging: one decision per skill tag, with a confidence and the sentences that evidence it.

Phrase matching from the taxonomy gives precision and evidence; a learned logistic model per tag
(over the job text's words plus the phrase hits, split by zone) gives recall. Thresholds are tuned
per tag on out-of-fold predictions. Only the job's own sentences (tasks, profile, unzoned body)
feed the decision, so company intros and benefits lists do not produce skills.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.utils.validation import check_is_fitted

from training.document import Ad
from training.fast import WordIdDocs, field_docs, tfidf_transform
from training.features import check_ads
from training.phrases import PhraseMatcher, phrases_by_id
from training.zoning import SKILL_ZONES, Sentence

__all__ = ["SkillTagger", "SkillHit"]

# Language requirements are phrased too freely for a phrase list ("Dein Deutsch ist auf
# Muttersprache-Level", "Kommunikation auf Deutsch und Englisch fällt dir leicht"): a sentence that
# names the language *and* speaks of proficiency counts as a hit. "Deutschland"/"Germany" do not.
_PROFICIENCY = re.compile(
    r"sprich|sprachkenntn|kenntnis|fließend|fliessend|fluent|fluency|native|mutterspr|wort und schrift|written|"
    r"spoken|verbal|\b[abc][12]\b|niveau|level|sicher|sehr gut|gute|proficien|command of|skills|kommunikation|"
    r"textgefühl|konversation|verhandlungs|speak|excellent|perfekt"
)
# skill: (substrings one of which every match contains, the rule)
_LANGUAGE_RULES = {
    "german_language": (("deutsch", "german"), re.compile(r"\b(deutsch(kenntnis\w*|e|en|er|sprachig\w*)?|german)\b")),
    "english_language": (("engl",), re.compile(r"\b(englisch(kenntnis\w*|e|en|er|sprachig\w*)?|english)\b")),
}
_THRESHOLD_GRID = np.round(np.arange(0.15, 0.86, 0.05), 2)
_MAX_EVIDENCE = 3
# A sentence must push the tag's score up by at least this much to count as its evidence.
_MIN_EVIDENCE_SCORE = 0.5


@dataclass(frozen=True)
class SkillHit:
    """A predicted skill: id, confidence and the evidence sentences (spans into the ad's plain text)."""

    skill: str
    confidence: float
    evidence: tuple[Sentence, ...]


class SkillTagger(BaseEstimator):
    """Multi-label skill tagger over parsed ads.

    Args:
        taxonomy: the taxonomy document (``Taxonomy.raw``).
        C: inverse regularisation of the per-tag logistic models.
        cv: folds for tuning the per-tag thresholds (out-of-fold predictions).
        random_state: seed of the threshold-tuning folds.
    """

    def __init__(self, *, taxonomy: dict[str, Any] | None = None, C: float = 16.0, cv: int = 3,
                 text_field: str = "job_key", random_state: int = 0) -> None:
        self.taxonomy = taxonomy
        self.C = C
        self.text_field = text_field
        self.cv = cv
        self.random_state = random_state

    # -- features ---------------------------------------------------------------------------
    def _hits(self, ad: Ad) -> tuple[dict[int, int], set[int], dict[str, list[Sentence]]]:
        """Phrase hits of one ad: per skill column, the job sentences that matched (count), whether any
        other sentence did, and the job sentences that matched each skill."""
        job: dict[int, int] = {}
        other: set[int] = set()
        evidence: dict[str, list[Sentence]] = {}
        # The cheap substring tests first: most ads, and most sentences, name no language at all.
        rules = [(skill, stems, rule) for skill, (stems, rule) in _LANGUAGE_RULES.items()
                 if any(stem in ad.body_key for stem in stems)]
        for s, found in zip(ad.sentences, self.matcher_.find_each([s.key for s in ad.sentences]), strict=True):
            if not found and not rules:  # most sentences of most ads
                continue
            labels = {label for label, _ in found}
            named = [skill for skill, stems, rule in rules if any(stem in s.key for stem in stems) and rule.search(s.key)]
            if named and _PROFICIENCY.search(s.key):
                labels.update(named)
            for label in labels:
                j = self.index_[label]
                if s.zone in SKILL_ZONES:
                    job[j] = job.get(j, 0) + 1
                    evidence.setdefault(label, []).append(s)
                else:
                    other.add(j)
        return job, other, evidence

    def _features(self, ads: Sequence[Ad]) -> tuple[sparse.csr_matrix, list[dict[str, list[Sentence]]]]:
        words = tfidf_transform(self.vectorizer_, field_docs(self.vectorizer_, ads, self.text_field))
        # Per skill: a job sentence matched, log(1 + how many did), another sentence matched.
        job, other = np.zeros((len(ads), len(self.skill_ids_))), np.zeros((len(ads), len(self.skill_ids_)))
        evidence = []
        for i, ad in enumerate(ads):
            job_counts, other_hits, ad_evidence = self._hits(ad)
            for j, n in job_counts.items():
                job[i, j] = n
            for j in other_hits:
                other[i, j] = 1.0
            evidence.append(ad_evidence)
        dense = np.hstack([np.minimum(job, 1), np.log1p(job), other])
        return sparse.hstack([words, sparse.csr_matrix(dense)], format="csr"), evidence

    # -- fitting ----------------------------------------------------------------------------
    def _fit_models(self, X: sparse.csr_matrix, Y: np.ndarray, sample_weight: np.ndarray | None):
        coefs, intercepts = [], []
        for j in range(Y.shape[1]):
            y = Y[:, j]
            if y.min() == y.max():  # never (or always) seen: fall back to a constant
                coefs.append(np.zeros(X.shape[1]))
                intercepts.append(-4.0 if y.max() == 0 else 4.0)
                continue
            clf = LogisticRegression(C=self.C, class_weight="balanced", solver="liblinear", max_iter=2000)
            clf.fit(X, y, sample_weight=sample_weight)
            coefs.append(clf.coef_.ravel())
            intercepts.append(float(clf.intercept_[0]))
        return np.ascontiguousarray(np.vstack(coefs).T), np.array(intercepts)

    def fit(self, X: Sequence[Ad], Y: np.ndarray, sample_weight: np.ndarray | None = None) -> SkillTagger:
        """Fit on parsed ads and a binary label matrix ``Y`` (n_ads x n_skills, taxonomy order)."""
        X = check_ads(X)
        Y = np.asarray(Y, dtype=int)
        if not self.taxonomy:
            raise ValueError("SkillTagger needs the taxonomy document (taxonomy=Taxonomy.raw).")
        self.skill_ids_ = [s["id"] for s in self.taxonomy["skills"]]
        if Y.shape != (len(X), len(self.skill_ids_)):
            raise ValueError(f"Y must have shape ({len(X)}, {len(self.skill_ids_)}); got {Y.shape}.")
        self.index_ = {s: i for i, s in enumerate(self.skill_ids_)}
        self.matcher_ = PhraseMatcher(phrases_by_id(self.taxonomy["skills"], "phrases"))
        self.vectorizer_ = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2, max_df=0.9,
                                           max_features=20_000)
        self.vectorizer_.fit([getattr(ad, self.text_field) for ad in X])
        features, _ = self._features(X)
        # Thresholds from out-of-fold probabilities, so they are tuned on ads the model did not see.
        oof = np.zeros(Y.shape)
        for train, test in KFold(self.cv, shuffle=True, random_state=self.random_state).split(features):
            w = sample_weight[train] if sample_weight is not None else None
            coef, icpt = self._fit_models(features[train], Y[train], w)
            oof[test] = _sigmoid(features[test] @ coef + icpt)
        self.thresholds_ = np.array([_best_threshold(Y[:, j], oof[:, j]) for j in range(Y.shape[1])])
        self.coef_, self.intercept_ = self._fit_models(features, Y, sample_weight)
        self.n_words_ = len(self.vectorizer_.vocabulary_)
        return self

    # -- prediction -------------------------------------------------------------------------
    def predict_proba(self, X: Sequence[Ad]) -> np.ndarray:
        check_is_fitted(self)
        features, _ = self._features(check_ads(X))
        return _sigmoid(features @ self.coef_ + self.intercept_)

    def predict(self, X: Sequence[Ad]) -> np.ndarray:
        """Binary decisions (n_ads x n_skills) at the tuned thresholds."""
        return (self.predict_proba(X) >= self.thresholds_).astype(int)

    def tag(self, X: Sequence[Ad]) -> list[list[SkillHit]]:
        """Skills per ad, sorted by confidence, each with evidence sentences.

        A skill the model predicts without a phrase hit gets as evidence the job sentences whose
        words push its score up most; a skill with no such sentence is not returned (no claim
        without evidence).
        """
        check_is_fitted(self)
        X = check_ads(X)
        features, evidence = self._features(X)
        proba = _sigmoid(features @ self.coef_ + self.intercept_)
        predicted = [np.flatnonzero(proba[i] >= self.thresholds_) for i in range(len(X))]
        # Skills predicted without a phrase hit need their evidence scored sentence by sentence:
        # gather those ads' job sentences and vectorise them in one call.
        lacking = [i for i, js in enumerate(predicted) if any(self.skill_ids_[j] not in evidence[i] for j in js)]
        scored = dict(zip(lacking, self._sentence_scores([X[i] for i in lacking]), strict=True))
        out = []
        for i in range(len(X)):
            hits = []
            for j in predicted[i]:
                skill = self.skill_ids_[j]
                sentences = evidence[i].get(skill) or scored[i].best(j)
                if sentences:
                    hits.append(SkillHit(skill, float(proba[i, j]), tuple(sentences[:_MAX_EVIDENCE])))
            out.append(sorted(hits, key=lambda h: -h.confidence))
        return out

    def _sentence_scores(self, ads: Sequence[Ad]) -> list[_SentenceScores]:
        """Word features of each ad's job sentences (not headings), for :meth:`_SentenceScores.best`."""
        job, docs = [], []
        for ad in ads:
            picked = [k for k, s in enumerate(ad.sentences) if s.zone in SKILL_ZONES and not s.heading]
            job.append([ad.sentences[k] for k in picked])
            docs += ad.sentence_word_ids(picked)
        # Every sentence's score for every tag in one product (slicing a sparse matrix per ad costs more).
        scores = np.asarray(tfidf_transform(self.vectorizer_, WordIdDocs.join(docs)) @ self.coef_[: self.n_words_])
        bounds = np.cumsum([0] + [len(sentences) for sentences in job]).tolist()
        return [_SentenceScores(sentences, scores[bounds[k]:bounds[k + 1]]) for k, sentences in enumerate(job)]


@dataclass(frozen=True)
class _SentenceScores:
    """One ad's job sentences with their word scores per tag (n_sentences x n_tags)."""

    sentences: list[Sentence]
    scores: np.ndarray

    def best(self, j: int) -> list[Sentence]:
        """The (up to two) sentences whose words push skill ``j``'s score up most, if enough."""
        if not self.sentences:
            return []
        scores = self.scores[:, j]
        order = np.argsort(-scores)
        return [self.sentences[k] for k in order[:2] if scores[k] >= _MIN_EVIDENCE_SCORE]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(np.asarray(z), -30, 30)))


def _best_threshold(y: np.ndarray, p: np.ndarray) -> float:
    if y.sum() == 0:
        return 0.5
    best, best_f1 = 0.5, -1.0
    for t in _THRESHOLD_GRID:
        pred = p >= t
        tp = float((pred & (y == 1)).sum())
        f1 = 2 * tp / (pred.sum() + y.sum()) if (pred.sum() + y.sum()) else 0.0
        if f1 > best_f1 + 1e-9:
            best, best_f1 = float(t), f1
    return best
