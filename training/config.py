"""Paths and fixed settings of the training side, in one place.

Everything that depends on where the repository or the data lives is resolved here, so that the
rest of the package takes paths as arguments and tests can point it at temporary copies.
"""
from __future__ import annotations

import os
from pathlib import Path

#: The repository root (this file lives in <root>/training/config.py).
REPO_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent

TAXONOMY_FILE = PACKAGE_DIR / "taxonomy" / "taxonomy.json"
SEEDS_DIR = Path(os.environ.get("JOBCLASS_SEEDS_DIR", REPO_ROOT / "seeds"))
PROJECT_DATA_DIR = PACKAGE_DIR / "data"
MODELS_DIR = Path(os.environ.get("JOBCLASS_MODELS_DIR", REPO_ROOT / "models"))
REPORTS_DIR = REPO_ROOT / "reports"

#: Real ad texts live outside the repository (third-party data): ../shared/data by default.
DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data"


def data_dir() -> Path:
    """The directory holding the real ads (``corpus/`` and ``labelled/``), from JOBCLASS_DATA_DIR."""
    return Path(os.environ.get("JOBCLASS_DATA_DIR", DEFAULT_DATA_DIR))


RANDOM_STATE = 42
N_FOLDS = 5
#: Upper bound on an ad's length in characters; longer texts are refused by data checks and the API.
MAX_TEXT_CHARS = 100_000
