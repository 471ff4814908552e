"""Train the jobclass model on all training data and write a verified artifact.

``python -m training.train`` (``make train``, console script ``jobclass-train``):

1. loads the taxonomy and the training data (refusing data that ``python -m training.data check``
   would refuse),
2. cross-validates on the real ads (5 folds, authored ads only train) for the model card's metrics,
3. fits on all data and writes ``models/<version>/model.joblib`` + ``model.json``, pointing
   ``models/current`` at it.

Deterministic for a fixed ``--seed``: same data, same seed, same predictions.
"""
from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from training.artifact import save_artifact
from training.config import MODELS_DIR, RANDOM_STATE
from training.data import DataDirError, dataset_fingerprint, load_inputs
from training.evaluate import cross_validate
from training.model import JobClassifier

__all__ = ["main", "format_parser"]

logger = logging.getLogger(__name__)

_HEADLINE_KEYS = ("role_accuracy", "role_accuracy_with_roles_ok", "role_macro_f1_communication", "comm_vs_other_f1",
                  "seniority_accuracy", "skill_micro_f1", "skill_macro_f1", "role_calibration_error",
                  "role_accuracy_by_language", "n_real_scored", "per_role", "per_skill")


def format_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    parser = parser or argparse.ArgumentParser(prog="python -m training.train", description=__doc__,
                                               formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=None, help="real-ad data (default: JOBCLASS_DATA_DIR or ../shared/data)")
    parser.add_argument("--models-dir", type=Path, default=MODELS_DIR, help="where artifacts go (default: models/)")
    parser.add_argument("--version", default=None, help="artifact version (default: UTC timestamp)")
    parser.add_argument("--seed", type=int, default=RANDOM_STATE, help="random seed")
    parser.add_argument("--no-cv", action="store_true", help="skip cross-validation (the card then has no metrics)")
    parser.add_argument("-v", "--verbose", action="count", default=0)
    return parser


def _progress(message: str, start: float) -> None:
    print(f"[{time.perf_counter() - start:5.1f}s] {message}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = format_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING - 10 * args.verbose)
    start = time.perf_counter()
    try:
        taxonomy, df = load_inputs(args.data_dir)
    except (DataDirError, ValueError) as exc:  # TaxonomyError is a ValueError
        print(f"error: {exc}", file=sys.stderr)
        return 2
    _progress(f"taxonomy {taxonomy.version}: {len(taxonomy.role_ids)} roles, {len(taxonomy.skill_ids)} skills", start)
    counts = df["source"].value_counts().to_dict()
    _progress(f"data: {len(df)} ads {counts}", start)
    metrics = None
    if not args.no_cv:
        _progress("cross-validating on real ads (5 folds, authored ads only train)", start)
        metrics = cross_validate(df, taxonomy, random_state=args.seed)
        metrics = {k: metrics[k] for k in _HEADLINE_KEYS}
        _progress("cv: " + ", ".join(f"{k}={metrics[k]:.3f}" for k in _HEADLINE_KEYS[:8]), start)
    _progress("fitting on all data", start)
    model = JobClassifier(taxonomy=taxonomy.raw, random_state=args.seed).fit(df)
    card = {
        "name": "jobclass",
        "taxonomy_version": taxonomy.version,
        "params": {k: v for k, v in model.get_params().items() if k != "taxonomy"},
        "training_data": {
            "sha256": dataset_fingerprint(df),
            "n_ads": len(df),
            "by_source": {str(k): int(v) for k, v in counts.items()},
            "by_role": {str(k): int(v) for k, v in df["role"].value_counts().items()},
            "provenance": "real ads read from the data directory (third-party, not redistributed) + authored ads",
        },
        "evaluation": {"method": "stratified 5-fold CV grouped by near-duplicates; only real ads scored",
                       "metrics": metrics},
        "training_seconds": round(time.perf_counter() - start, 1),
    }
    target = save_artifact(model, args.models_dir, card, version=args.version)
    _progress(f"wrote {target} (models/current -> {target.name})", start)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
