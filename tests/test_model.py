"""JobClassifier: deterministic for a fixed seed, and a well-behaved scikit-learn estimator."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

from training.data import load_dataset
from training.model import JobClassifier
from training.taxonomy import load_taxonomy


@pytest.fixture(scope="module")
def small_data():
    df = load_dataset()
    # Every role, a few ads each, so the fit is quick but complete.
    return df.groupby("role").head(12).reset_index(drop=True)


def test_fit_is_deterministic_for_a_fixed_seed(small_data):
    taxonomy = load_taxonomy().raw
    texts = small_data["text"].tolist()[:40]
    titles = small_data["title"].tolist()[:40]
    runs = []
    for _ in range(2):
        model = JobClassifier(taxonomy=taxonomy, random_state=7).fit(small_data)
        runs.append(model.predict_many(texts, titles))
    for a, b in zip(*runs, strict=True):
        assert a.role == b.role and a.seniority == b.seniority
        assert a.role_proba == b.role_proba
        assert [(h.skill, h.confidence) for h in a.skills] == [(h.skill, h.confidence) for h in b.skills]


def test_params_round_trip_through_clone():
    model = JobClassifier(taxonomy={"taxonomy_version": "x"}, C=3.0, title_weight=1.5, seed_features=False)
    twin = clone(model)
    assert twin.get_params() == model.get_params()
    assert twin is not model


def test_fit_needs_the_taxonomy(small_data):
    with pytest.raises(ValueError, match="needs the taxonomy"):
        JobClassifier().fit(small_data)


def test_predict_parsed_of_nothing_is_empty(predictor):
    assert predictor.model.predict_parsed([]) == []
    assert np.isclose(sum(predictor.model.predict_many(["Pflegefachkraft gesucht."])[0].role_proba.values()), 1.0)
