"""The predictor API: where the service (and the batch scorer) meet the model.

>>> p = Predictor.load("models/current")          # doctest: +SKIP
>>> p.classify("Social Media Manager (m/w/d) ...")  # doctest: +SKIP
{'role': {'id': 'social_media_manager', ...}, ...}

Results are plain JSON-ready dicts with the shape the HTTP API documents.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from training.artifact import load_artifact
from training.model import JobClassifier, Prediction

__all__ = ["Predictor", "SHORT_AD_CHARS"]

#: Below this many characters an ad is "very short" and the answer says so.
SHORT_AD_CHARS = 300
_LOW_ROLE_CONFIDENCE = 0.4


@dataclass
class Predictor:
    """A loaded, verified model with its card."""

    model: JobClassifier
    card: dict[str, Any]

    def __post_init__(self) -> None:
        self._roles = {r["id"]: r for r in self.model.taxonomy["roles"]}
        self._skills = {s["id"]: s for s in self.model.taxonomy["skills"]}

    @classmethod
    def load(cls, model_dir: str | Path, *, expected_sha256: str | None = None) -> Predictor:
        """Verify (sha256, library versions) and load an artifact directory or ``models/``."""
        model, card = load_artifact(model_dir, expected_sha256=expected_sha256)
        if not isinstance(model, JobClassifier):
            raise TypeError(f"artifact holds a {type(model).__name__}, not a JobClassifier")
        return cls(model=model, card=card)

    @property
    def version(self) -> str:
        return str(self.card.get("version"))

    @property
    def taxonomy_version(self) -> str:
        return str(self.model.taxonomy["taxonomy_version"])

    def classify(self, text: str, title: str | None = None, *, top_k: int = 3,
                 min_confidence: float = 0.0) -> dict[str, Any]:
        """Classify one ad (plain text, Markdown or HTML); see :meth:`classify_batch`."""
        return self.classify_batch([(text, title)], top_k=top_k, min_confidence=min_confidence)[0]

    def classify_batch(self, items: Sequence[tuple[str, str | None]], *, top_k: int = 3,
                       min_confidence: float = 0.0) -> list[dict[str, Any]]:
        """Classify many ads at once (vectorised). ``items`` are ``(text, title)`` pairs."""
        texts = [t for t, _ in items]
        titles = [ti for _, ti in items]
        return [self._result(p, top_k, min_confidence) for p in self.model.predict_many(texts, titles)]

    # -- result shape -----------------------------------------------------------------------
    def _role_entry(self, role_id: str, confidence: float) -> dict[str, Any]:
        role = self._roles[role_id]
        return {"id": role_id, "name": role["name"]["en"], "name_de": role["name"]["de"],
                "confidence": round(confidence, 4)}

    def _codes(self, role_id: str) -> dict[str, Any] | None:
        codes = self._roles[role_id].get("codes")
        if not codes:
            return None
        return {"isco08": str(codes["isco08"]["code"]), "kldb2010": str(codes["kldb2010"]["code"]),
                "esco": codes["esco"]["uri"]}

    def _result(self, p: Prediction, top_k: int, min_confidence: float) -> dict[str, Any]:
        ranked = sorted(p.role_proba.items(), key=lambda kv: -kv[1])
        role = self._role_entry(p.role, p.role_proba[p.role])
        role["codes"] = self._codes(p.role)
        plain = p.ad.plain
        skills = [
            {"id": h.skill, "name": self._skills[h.skill]["name"]["en"],
             "confidence": round(h.confidence, 4),
             "evidence": [{"text": plain[s.start:s.end], "start": s.start, "end": s.end} for s in h.evidence]}
            for h in p.skills if round(h.confidence, 4) >= min_confidence  # the confidence the caller sees
        ]
        exp = p.ad.experience
        return {
            "role": role,
            "role_candidates": [self._role_entry(r, c) for r, c in ranked[:top_k]],
            "is_digital_communication": p.is_digital_communication,
            "communication_confidence": round(p.communication_proba, 4),
            "seniority": {"id": p.seniority, "confidence": round(p.seniority_confidence, 4), "cue": p.seniority_cue},
            "skills": skills,
            "experience_years": None if exp is None else {
                "min": exp.min, "max": exp.max,
                "evidence": {"text": plain[exp.sentence.start:exp.sentence.end],
                             "start": exp.sentence.start, "end": exp.sentence.end}},
            "language": p.ad.language,
            "title": p.ad.title or None,
            "warnings": _warnings(p, role["confidence"]),
            "model": {"version": self.version, "taxonomy_version": self.taxonomy_version},
        }


def _warnings(p: Prediction, role_confidence: float) -> list[str]:
    out = []
    text = p.ad.plain.strip()
    if len(text) < SHORT_AD_CHARS:
        out.append(f"very short ad ({len(text)} characters): the answer rests on little evidence")
    if text.endswith(("...", "…")):
        out.append("the ad looks cut off: skills and seniority may be incomplete")
    if p.ad.language == "other":
        out.append("language not recognised as German or English: results are unreliable")
    if not p.ad.title:
        out.append("no title given or found in the first line: the role rests on the body text")
    if role_confidence < _LOW_ROLE_CONFIDENCE:
        out.append(f"low role confidence ({role_confidence:.2f}): see role_candidates")
    if not p.is_digital_communication:
        out.append("not a digital-communication job: skills are only tagged for communication roles")
    return out
