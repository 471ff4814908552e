"""Honest evaluation: stratified 5-fold cross-validation in which only real ads are ever scored.

Authored ads only ever train: they join every training fold and are never in a test fold.
Near-duplicate real ads (the same ad reposted) share a group and so always land in one fold.

``python -m training.evaluate`` (``make evaluate``) prints the report, writes
``reports/evaluation.md``, ``reports/evaluation.json`` and the confusion matrix
``reports/confusion_matrix.png``, and includes the ablation without the seed-derived features.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedGroupKFold

from training.config import N_FOLDS, RANDOM_STATE, REPORTS_DIR
from training.data import DataDirError, duplicate_groups, load_inputs
from training.document import parse_ad
from training.model import JobClassifier, skill_matrix
from training.taxonomy import OTHER, Taxonomy

__all__ = ["cross_validate", "compute_metrics", "main"]

logger = logging.getLogger(__name__)


def cross_validate(df: pd.DataFrame, taxonomy: Taxonomy, *, folds: int = N_FOLDS, random_state: int = RANDOM_STATE,
                   progress: bool = True, n_jobs: int = -1, **params: Any) -> dict[str, Any]:
    """Out-of-fold predictions for every real ad, and the metrics computed from them.

    ``params`` go to :class:`JobClassifier` (e.g. ``seed_features=False`` for the ablation).
    """
    real = df[df["source"] != "authored"].reset_index(drop=True)
    authored = df[df["source"] == "authored"].reset_index(drop=True)
    real_ads = [parse_ad(t, ti) for t, ti in zip(real["text"], real["title"], strict=True)]
    authored_ads = [parse_ad(t, ti) for t, ti in zip(authored["text"], authored["title"], strict=True)]
    groups = duplicate_groups(real)
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=random_state)
    skill_ids = taxonomy.skill_ids
    n = len(real)
    role_pred = np.empty(n, dtype=object)
    seniority_pred = np.empty(n, dtype=object)
    role_conf = np.zeros(n)
    proba_other = np.zeros(n)
    skills_pred = np.zeros((n, len(skill_ids)), dtype=int)
    with warnings.catch_warnings():
        # Roles with a single real ad (social_media_consultant) cannot be in every fold; that is known.
        warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
        splits = list(splitter.split(np.zeros(n), real["role"], groups))
    # Folds are independent: run them on all cores (each fold is single-threaded work).
    results = Parallel(n_jobs=n_jobs)(
        delayed(_run_fold)(k, train, test, real, authored, real_ads, authored_ads, taxonomy, random_state, params)
        for k, (train, test) in enumerate(splits, 1)
    )
    for (k, train, test, seconds, preds, fold_skills) in results:
        for i, p in zip(test, preds, strict=True):
            role_pred[i], role_conf[i], proba_other[i], seniority_pred[i] = p
        skills_pred[test] = fold_skills
        if progress:
            print(f"  fold {k}/{folds}: trained on {len(train)} real + {len(authored)} authored, "
                  f"scored {len(test)} real ads ({seconds:.1f}s)", file=sys.stderr)
    metrics = compute_metrics(real, role_pred, role_conf, seniority_pred, skills_pred, skill_ids, taxonomy)
    metrics["predictions"] = pd.DataFrame({"id": real["id"], "role": real["role"], "role_pred": role_pred,
                                           "role_confidence": role_conf, "proba_other": proba_other,
                                           "seniority": real["seniority"], "seniority_pred": seniority_pred})
    return metrics


def _run_fold(k: int, train: np.ndarray, test: np.ndarray, real: pd.DataFrame, authored: pd.DataFrame,
              real_ads: list, authored_ads: list, taxonomy: Taxonomy, random_state: int, params: dict[str, Any]):
    """Fit on one fold's training part (+ all authored ads) and predict its real test ads."""
    start = time.perf_counter()
    fold_df = pd.concat([real.iloc[train], authored], ignore_index=True)
    fold_ads = [real_ads[i] for i in train] + authored_ads
    model = JobClassifier(taxonomy=taxonomy.raw, random_state=random_state, **params)
    weight = np.where(fold_df["source"].to_numpy() == "authored", model.authored_weight, 1.0)
    model.fit_parsed(fold_ads, fold_df, weight)
    test_ads = [real_ads[i] for i in test]
    preds = [(p.role, p.role_proba[p.role], p.role_proba[OTHER], p.seniority) for p in model.predict_parsed(test_ads)]
    # Skill tagging is judged on every real communication ad, whatever role was predicted.
    return k, train, test, time.perf_counter() - start, preds, model.skills_.predict(test_ads)


def _ece(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error of the top-1 confidence (equal-width bins)."""
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        mask = (confidence > lo) & (confidence <= hi)
        if mask.any():
            total += mask.mean() * abs(confidence[mask].mean() - correct[mask].mean())
    return float(total)


def compute_metrics(real: pd.DataFrame, role_pred: np.ndarray, role_conf: np.ndarray, seniority_pred: np.ndarray,
                    skills_pred: np.ndarray, skill_ids: Sequence[str], taxonomy: Taxonomy) -> dict[str, Any]:
    """All reported figures from out-of-fold predictions on real ads."""
    gold = real["role"].to_numpy()
    role_pred = role_pred.astype(str)
    comm_roles = [r for r in taxonomy.communication_role_ids if r in set(gold)]
    ok = np.array([p == g or p in set(oks) for p, g, oks in zip(role_pred, gold, real["roles_ok"], strict=True)])
    p, r, f, s = precision_recall_fscore_support(gold, role_pred, labels=taxonomy.role_ids, zero_division=0)
    per_role = {rid: {"precision": round(float(p[i]), 3), "recall": round(float(r[i]), 3),
                      "f1": round(float(f[i]), 3), "support": int(s[i])} for i, rid in enumerate(taxonomy.role_ids)}
    is_comm_gold, is_comm_pred = gold != OTHER, role_pred != OTHER
    comm_idx = np.flatnonzero(is_comm_gold)
    y_skills = skill_matrix(real["skills"].iloc[comm_idx].tolist(), skill_ids)
    y_hat = skills_pred[comm_idx]
    sp, sr, sf, ss = precision_recall_fscore_support(y_skills, y_hat, zero_division=0)
    per_skill = {sid: {"precision": round(float(sp[j]), 3), "recall": round(float(sr[j]), 3),
                       "f1": round(float(sf[j]), 3), "support": int(ss[j])} for j, sid in enumerate(skill_ids)}
    seen = [j for j in range(len(skill_ids)) if ss[j] > 0]
    by_lang = {lang: round(float(accuracy_score(gold[m], role_pred[m])), 3)
               for lang in ("de", "en") if (m := (real["lang"] == lang).to_numpy()).any()}
    return {
        "n_real_scored": int(len(real)),
        "role_accuracy": round(float(accuracy_score(gold, role_pred)), 4),
        "role_accuracy_with_roles_ok": round(float(ok.mean()), 4),
        "role_macro_f1_communication": round(float(f1_score(gold, role_pred, labels=comm_roles, average="macro",
                                                              zero_division=0)), 4),
        "role_accuracy_by_language": by_lang,
        "comm_vs_other_f1": round(float(f1_score(is_comm_gold, is_comm_pred)), 4),
        "seniority_accuracy": round(float(accuracy_score(real["seniority"], seniority_pred.astype(str))), 4),
        "skill_micro_f1": round(float(f1_score(y_skills, y_hat, average="micro", zero_division=0)), 4),
        "skill_macro_f1": round(float(np.mean(sf[seen])), 4),
        "role_calibration_error": round(_ece(role_conf, role_pred == gold), 4),
        "per_role": per_role,
        "per_skill": per_skill,
        "confusion": {"labels": taxonomy.role_ids,
                      "matrix": confusion_matrix(gold, role_pred, labels=taxonomy.role_ids).tolist()},
    }


_HEADLINE = [
    ("role_accuracy", "role accuracy", 0.85),
    ("role_accuracy_with_roles_ok", "role accuracy (accepting roles_ok)", None),
    ("role_macro_f1_communication", "role macro-F1 (communication roles)", None),
    ("comm_vs_other_f1", "comm-vs-other F1", 0.97),
    ("seniority_accuracy", "seniority accuracy", 0.88),
    ("skill_micro_f1", "skill micro-F1", 0.75),
    ("skill_macro_f1", "skill macro-F1", None),
    ("role_calibration_error", "role calibration error (ECE, lower is better)", None),
]


def headline_table(metrics: dict[str, Any], ablation: dict[str, Any] | None = None) -> str:
    head = "| metric | jobclass | target |" + (" without seed features |" if ablation else "")
    rule = "|---|---|---|" + ("---|" if ablation else "")
    lines = [head, rule]
    for key, label, target in _HEADLINE:
        row = f"| {label} | {metrics[key]:.3f} | {'>= ' + format(target, '.2f') if target else ''} |"
        if ablation:
            row += f" {ablation[key]:.3f} |"
        lines.append(row)
    return "\n".join(lines)


def _report_markdown(metrics: dict[str, Any], ablation: dict[str, Any] | None, seconds: float) -> str:
    roles = "\n".join(f"| {rid} | {v['precision']:.2f} | {v['recall']:.2f} | {v['f1']:.2f} | {v['support']} |"
                      for rid, v in metrics["per_role"].items())
    skills = "\n".join(f"| {sid} | {v['precision']:.2f} | {v['recall']:.2f} | {v['f1']:.2f} | {v['support']} |"
                       for sid, v in metrics["per_skill"].items())
    failing = [rid for rid, v in metrics["per_role"].items() if v["support"] and v["f1"] < 0.6]
    return f"""# jobclass evaluation

Produced by `make evaluate` (`python -m training.evaluate`): stratified {N_FOLDS}-fold cross-validation,
grouped so that near-duplicate ads share a fold. Only the {metrics['n_real_scored']} real labelled ads are
scored; authored ads are added to every training fold and never scored. Run time {seconds:.0f} s.

{headline_table(metrics, ablation)}

The seed-derived features feed the role model (role and comm-vs-other figures); seniority and skills
do not use them, so their ablation figures are the same by construction.

Role accuracy by language: {metrics['role_accuracy_by_language']}.
Roles with F1 below 0.6 (few real examples, or blended with a neighbour): {', '.join(failing) or 'none'}.

## Per role

| role | precision | recall | F1 | real ads |
|---|---|---|---|---|
{roles}

Confusion matrix (rows: gold, columns: predicted): `reports/confusion_matrix.png`.

## Per skill (real communication ads)

| skill | precision | recall | F1 | real ads |
|---|---|---|---|---|
{skills}
"""


def save_confusion_png(metrics: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = metrics["confusion"]["labels"]
    matrix = np.array(metrics["confusion"]["matrix"])
    fig, ax = plt.subplots(figsize=(10, 9))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    for i in range(len(labels)):
        for j in range(len(labels)):
            if matrix[i, j]:
                ax.text(j, i, str(matrix[i, j]), ha="center", va="center", fontsize=7,
                        color="white" if matrix[i, j] > matrix.max() / 2 else "black")
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title("jobclass role confusion (5-fold CV, real ads)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def format_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    parser = parser or argparse.ArgumentParser(prog="python -m training.evaluate", description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=None, help="real-ad data (default ../shared/data)")
    parser.add_argument("--out", type=Path, default=REPORTS_DIR, help="report folder")
    parser.add_argument("--no-ablation", action="store_true", help="skip the run without seed features")
    parser.add_argument("-v", "--verbose", action="count", default=0)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = format_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING - 10 * args.verbose)
    start = time.perf_counter()
    try:
        taxonomy, df = load_inputs(args.data_dir)
    except (DataDirError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"evaluating on {len(df)} ads ({(df['source'] != 'authored').sum()} real scored)", file=sys.stderr)
    metrics = cross_validate(df, taxonomy)
    ablation = None
    if not args.no_ablation:
        print("ablation: without seed-derived features", file=sys.stderr)
        ablation = cross_validate(df, taxonomy, seed_features=False)
    seconds = time.perf_counter() - start
    args.out.mkdir(parents=True, exist_ok=True)
    # Out-of-fold predictions by ad id (labels only, no text) for error analysis.
    metrics.pop("predictions").to_csv(args.out / "oof_predictions.csv", index=False)
    if ablation is not None:
        ablation.pop("predictions")
    (args.out / "evaluation.json").write_text(json.dumps({"metrics": metrics, "ablation_without_seed_features": ablation},
                                                         indent=2) + "\n", encoding="utf-8")
    report = _report_markdown(metrics, ablation, seconds)
    (args.out / "evaluation.md").write_text(report, encoding="utf-8")
    try:
        save_confusion_png(metrics, args.out / "confusion_matrix.png")
    except ImportError:
        print("matplotlib not installed: confusion matrix PNG skipped (pip install -e '.[dev]')", file=sys.stderr)
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
