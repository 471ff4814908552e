"""The jobclass model: role, seniority and skills of a job ad, fitted together from one table of ads.

:class:`JobClassifier` is what the artifact holds. It parses each ad once (:func:`parse_ad`) and
hands the parsed ads to three fitted parts: the role pipeline (features + calibrated logistic
regression), the :class:`SeniorityModel` and the :class:`SkillTagger`.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from training.config import RANDOM_STATE
from training.document import Ad, parse_ad
from training.fast import logistic_proba, union_transform
from training.features import role_features
from training.seniority import SeniorityModel
from training.skills import SkillHit, SkillTagger
from training.taxonomy import OTHER

__all__ = ["JobClassifier", "Prediction", "skill_matrix"]

#: Authored ads teach the rare roles but are not real employer text: they count less in fitting.
AUTHORED_WEIGHT = 0.6


@dataclass(frozen=True)
class Prediction:
    """Everything the model says about one ad (plain data plus the parsed ad for offsets)."""

    ad: Ad
    communication_proba: float
    role_proba: dict[str, float]
    role: str
    is_digital_communication: bool
    seniority: str
    seniority_confidence: float
    seniority_cue: str | None
    skills: list[SkillHit]


def skill_matrix(skills: Sequence[Sequence[str] | None], skill_ids: Sequence[str]) -> np.ndarray:
    """Binary matrix (n_ads x n_skills) from lists of skill ids."""
    index = {s: j for j, s in enumerate(skill_ids)}
    Y = np.zeros((len(skills), len(skill_ids)), dtype=int)
    for i, row in enumerate(skills):
        for s in row or []:
            Y[i, index[s]] = 1
    return Y


class JobClassifier(BaseEstimator):
    """Role, seniority and skills of job ads.

    Args:
        taxonomy: the taxonomy document (``Taxonomy.raw``); it is kept in the fitted model so that
            the service needs nothing but the artifact.
        seed_features: include the seed-derived taxonomy features in the role model (off for the
            ablation).
        C: inverse regularisation of the role model.
        title_weight: weight of the title n-grams relative to the body.
        authored_weight: sample weight of authored ads.
        calibrate: wrap the role model in sigmoid calibration (cross-validated).
        comm_model: decide "communication job or not" with a dedicated binary model on the same
            features (else: the 12 communication roles' summed probability).
        random_state: seed for calibration and threshold-tuning folds.
    """

    def __init__(self, *, taxonomy: dict[str, Any] | None = None, seed_features: bool = True, C: float = 8.0,
                 title_weight: float = 2.0, authored_weight: float = AUTHORED_WEIGHT,
                 calibrate: bool = False, comm_model: bool = True, random_state: int = RANDOM_STATE) -> None:
        self.taxonomy = taxonomy
        self.seed_features = seed_features
        self.C = C
        self.title_weight = title_weight
        self.authored_weight = authored_weight
        self.calibrate = calibrate
        self.comm_model = comm_model
        self.random_state = random_state

    # -- fitting ----------------------------------------------------------------------------
    def fit(self, df: pd.DataFrame, y: Any = None) -> JobClassifier:
        """Fit on a training table with the columns of :data:`training.data.COLUMNS`."""
        if not self.taxonomy:
            raise ValueError("JobClassifier needs the taxonomy document (taxonomy=Taxonomy.raw).")
        ads = [parse_ad(text, title) for text, title in zip(df["text"], df["title"], strict=True)]
        weight = np.where(df["source"].to_numpy() == "authored", self.authored_weight, 1.0)
        return self.fit_parsed(ads, df, weight)

    def fit_parsed(self, ads: Sequence[Ad], df: pd.DataFrame, weight: np.ndarray) -> JobClassifier:
        """Fit on already parsed ads (cross-validation parses each ad once for all folds)."""
        self.role_ids_ = [r["id"] for r in self.taxonomy["roles"]]
        self.skill_ids_ = [s["id"] for s in self.taxonomy["skills"]]
        logreg = LogisticRegression(C=self.C, class_weight="balanced", max_iter=3000, tol=1e-3)
        # Multinomial logistic regression is close to calibrated on its own; sigmoid calibration
        # on top costs three more fits and is kept as an option (see the evaluation report).
        classifier = (CalibratedClassifierCV(logreg, method="sigmoid", cv=3, ensemble=False)
                      if self.calibrate else logreg)
        self.role_pipeline_ = Pipeline([
            ("features", role_features(self.taxonomy, seed_features=self.seed_features,
                                       title_weight=self.title_weight)),
            ("classifier", classifier),
        ])
        roles = df["role"].to_numpy()
        self.role_pipeline_.fit(ads, roles, classifier__sample_weight=weight)
        self.comm_classifier_ = None
        if self.comm_model:
            features = union_transform(self.role_pipeline_[0], ads)
            self.comm_classifier_ = LogisticRegression(C=self.C, class_weight="balanced", max_iter=3000, tol=1e-3)
            self.comm_classifier_.fit(features, roles != OTHER, sample_weight=weight)
        self.seniority_ = SeniorityModel(taxonomy=self.taxonomy).fit(ads, df["seniority"].to_numpy(),
                                                                     sample_weight=weight)
        comm = np.flatnonzero(roles != OTHER)
        self.skills_ = SkillTagger(taxonomy=self.taxonomy, random_state=self.random_state).fit(
            [ads[i] for i in comm], skill_matrix(df["skills"].iloc[comm].tolist(), self.skill_ids_),
            sample_weight=weight[comm],
        )
        return self

    # -- prediction -------------------------------------------------------------------------
    def predict_parsed(self, ads: Sequence[Ad]) -> list[Prediction]:
        """Predictions for parsed ads, vectorised over the whole batch."""
        check_is_fitted(self)
        if not ads:
            return []
        classes = list(self.role_pipeline_.classes_)
        Ad.prepare_word_ids(ads)  # all ads' tokens in one pass, for every word vectorizer below
        features = union_transform(self.role_pipeline_[0], ads)
        proba = self._role_proba(ads, features)
        other = classes.index(OTHER)
        comm_proba = (logistic_proba(self.comm_classifier_, features)[:, 1] if self.comm_classifier_ is not None
                      else 1.0 - proba[:, other])
        cues = self.seniority_.cues(ads)
        seniority_proba = self.seniority_.proba_from_cues(cues)
        is_comm_all = comm_proba >= 0.5
        # Skills are only reported for communication jobs: tag only those (most ads of a job board are not).
        comm_ads = np.flatnonzero(is_comm_all).tolist()
        skills = dict(zip(comm_ads, self.skills_.tag([ads[i] for i in comm_ads]), strict=True))
        # The best communication role of each ad: the top class, or the next one when the top is "other"
        # (one argsort for the batch, row by row the same order as np.argsort(-proba[i])).
        order = np.argsort(-proba, axis=1)
        best = np.where(order[:, 0] == other, order[:, 1], order[:, 0]).tolist()
        levels = np.argmax(seniority_proba, axis=1).tolist()
        out = []
        for i, (ad, p, k) in enumerate(zip(ads, proba.tolist(), levels, strict=True)):
            is_comm = bool(is_comm_all[i])
            level = str(self.seniority_.classes_[k])
            out.append(Prediction(
                ad=ad,
                communication_proba=float(comm_proba[i]),
                role_proba=dict(zip(classes, p, strict=True)),
                role=classes[best[i]] if is_comm else OTHER,
                is_digital_communication=is_comm,
                seniority=level,
                seniority_confidence=float(seniority_proba[i, k]),
                seniority_cue=self.seniority_.explain(ad, level, cues[i]),
                skills=skills.get(i, []),
            ))
        return out

    def _role_proba(self, ads: Sequence[Ad], features: Any) -> np.ndarray:
        classifier = self.role_pipeline_[-1]
        if isinstance(classifier, LogisticRegression):
            return logistic_proba(classifier, features)
        return self.role_pipeline_.predict_proba(ads)

    def predict_many(self, texts: Sequence[str], titles: Sequence[str | None] | None = None) -> list[Prediction]:
        """Parse and predict a batch of ads (raw text: plain, Markdown or HTML)."""
        titles = titles if titles is not None else [None] * len(texts)
        return self.predict_parsed([parse_ad(t, ti) for t, ti in zip(texts, titles, strict=True)])
