"""Seniority from title and requirement cues, learned, with the cue that decided it.

Cues (taxonomy ``seniority[*].cues`` plus the lead and experience patterns here) become features
by where they occur (title or job text); years of experience are bucketed by the spec's rule
(2-4 years is ``professional``, 5+ is ``senior``). A logistic model weighs them, so a confidence
comes with every decision and the strongest active cue explains it.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from training.alternation import Alternation
from training.document import Ad
from training.fast import logistic_proba
from training.features import check_ads
from training.phrases import PhraseMatcher, phrases_by_id

__all__ = ["SeniorityModel"]

# Title patterns on the match key. German titles are compounds ("Marketingpraktikant",
# "Vertriebsleiter", "Redaktionsleitung"), so German stems match inside words; English words match
# whole ("intern" must not fire on "international").
_TITLE_PATTERNS = {
    "student": r"werkstudent|working ?student|praktik|\bintern\b|\binternship|\bazubi|auszubildend|"
               r"ausbildung|studentisch|hilfskraft|\bstudent|\bco op\b|\bapprentice",
    "entry": r"\btrainee|volontär|volontariat|\bjunior|\bjr\b|berufseinst|einsteiger|\bgraduate|entry level|"
             r"\bassistant\b|\bassistent|\bassociate\b",
    "senior": r"\bsenior|\bsr\b|\bexpert|\bprincipal|\berfahren|\bstaff\b",
    "lead": r"\bhead\b|leiter|leitung|\bteam ?lead|\blead\b|director|direktor|\bchief|\bvp\b|vice president|"
            r"geschäftsführ|\bmanaging|\bdirector|\bsupervis|\bchef|\bcmo\b|\bcco\b|\bteamlead",
}
_TITLE_REGEXES = {level: re.compile(pattern) for level, pattern in _TITLE_PATTERNS.items()}
def _word_start(words: list[str], tail: str = "") -> str:
    r"""Alternatives that must start a word, e.g. ``5(?<!\w.) years`` for ``\b5 years``.

    Python's regex engine can skip ahead quickly only when every top-level alternative begins with
    a literal character; a leading ``\b`` makes it try every position of the text. The word-start
    check therefore comes after the first character, as a lookbehind (same matches, 2x faster).
    """
    return "|".join(rf"{re.escape(w[0])}(?<!\w.){w[1:]}{tail}" for w in words)


# Cues in the job text (tasks, profile): leading people, experience wording, student status.
# Every alternative starts with a literal character (see _word_start).
_TEXT_PATTERNS = {
    "lead": r"führung (eines|des|von|deines|ihres) team|disziplinarisch|personalverantwortung|führungsverantwortung|"
            r"führungserfahrung|"
            + "|".join(rf"{w} (ein|das|dein|unser|ihr)\w* team" for w in ("leitest", "führst", "leiten", "führen"))
            + "|" + _word_start(["lead", "leading", "manage", "managing", "build and lead", r"line manag\w*",
                                 r"supervis\w*"], tail=" (a|the|our)? ?team")
            + r"|direct reports|people management|team leadership|line management|"
            + _word_start(["manage"], tail=" (a|the) team"),
    "senior": r"langjährig|extensive experience|proven track record|"
              + _word_start(["5", "6", "7", "8", "10"], tail=" (or more )?years") + "|"
              + _word_start(["fünf", "sechs", "zehn"], tail=" jahre"),
    "professional": r"mehrjährig|several years|"
                    + _word_start(["2", "3", "4", "zwei", "drei", "vier"], tail=r" (\d )?(jahre|years)")
                    + r"|berufserfahrung|experience (in|with)|erfahrung (in|im|mit)",
    "student": r"eingeschrieben|immatrikul|enrolled|studierend|studentische|werkstudent|pflichtpraktikum|"
               r"praxissemester|currently (studying|pursuing)",
    "entry": r"berufseinst|erste (berufs)?erfahrung|recent graduate|no experience|keine (berufs)?erfahrung|"
             r"entry level|" + _word_start(["0", "1"], tail=r" (\d )?(jahre|years)") + r"|junior|trainee|volontariat",
}
_TEXT_REGEXES = {level: Alternation(pattern) for level, pattern in _TEXT_PATTERNS.items()}

class SeniorityModel(ClassifierMixin, BaseEstimator):
    """Predicts one of the five seniority levels of a parsed ad.

    Args:
        taxonomy: the taxonomy document (``Taxonomy.raw``), whose seniority cues are used.
        C: inverse regularisation of the logistic model.
    """

    def __init__(self, *, taxonomy: dict[str, Any] | None = None, C: float = 3.0) -> None:
        self.taxonomy = taxonomy
        self.C = C

    def _cues(self, ad: Ad) -> dict[str, float]:
        feats: dict[str, float] = {}
        title = ad.title_key
        for level, phrase in self.cue_matcher_.find(title):
            feats[f"title:{level}:{phrase}"] = 1.0
            feats[f"title_level:{level}"] = 1.0
        for level, regex in _TITLE_REGEXES.items():
            for m in regex.finditer(title):
                feats[f"title:{level}:{m.group(0).strip()}"] = 1.0
                feats[f"title_level:{level}"] = 1.0
        job = ad.job_key
        for level, phrase in self.cue_matcher_.find(job):
            feats[f"text:{level}:{phrase}"] = 1.0
        for level, regex in _TEXT_REGEXES.items():
            for m in regex.finditer(job):
                feats[f"text:{level}:{m.group(0).strip()}"] = 1.0
                feats[f"text_level:{level}"] = min(3.0, feats.get(f"text_level:{level}", 0.0) + 1.0)
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
        # One matcher for title and text: the taxonomy's cues, whole words.
        self.cue_matcher_ = PhraseMatcher(phrases_by_id(self.taxonomy["seniority"], "cues"), whole_word=True)
        self.vectorizer_ = DictVectorizer().fit([self._cues(ad) for ad in X])
        self.model_ = LogisticRegression(C=self.C, max_iter=3000)
        self.model_.fit(self.vectorizer_.transform([self._cues(ad) for ad in X]), y, sample_weight=sample_weight)
        self.classes_ = self.model_.classes_
        return self

    def cues(self, X: Sequence[Ad]) -> list[dict[str, float]]:
        """The cue features of each ad (compute once, pass to :meth:`proba_from_cues` and :meth:`explain`)."""
        check_is_fitted(self)
        return [self._cues(ad) for ad in check_ads(X)]

    def predict_proba(self, X: Sequence[Ad]) -> np.ndarray:
        return self.proba_from_cues(self.cues(X))

    def proba_from_cues(self, cues: Sequence[dict[str, float]]) -> np.ndarray:
        check_is_fitted(self)
        vocab = self.vectorizer_.vocabulary_
        indptr, indices, values = [0], [], []
        for feats in cues:
            for name, value in feats.items():
                j = vocab.get(name)
                if j is not None:
                    indices.append(j)
                    values.append(value)
            indptr.append(len(indices))
        features = sparse.csr_matrix((values, indices, indptr), shape=(len(indptr) - 1, len(vocab)))
        return logistic_proba(self.model_, features)

    def predict(self, X: Sequence[Ad]) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def explain(self, ad: Ad, level: str, cues: dict[str, float] | None = None) -> str | None:
        """The active cue that pushes most towards ``level`` (e.g. ``'title: werkstudent'``), if any."""
        check_is_fitted(self)
        cues = cues if cues is not None else self._cues(ad)
        k = list(self.classes_).index(level)
        coef = self.model_.coef_[k] if self.model_.coef_.shape[0] > 1 else self.model_.coef_[0]
        best, best_score = None, 0.0
        for name, value in cues.items():
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
