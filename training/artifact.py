"""Model artifacts: ``models/<version>/model.joblib`` and its model card ``model.json``.

Unpickling runs code, so loading is a security boundary: the card's sha256 of the joblib file,
the scikit-learn version it was trained with and (optionally) an operator-pinned sha256 are
checked *before* ``joblib.load``. A refusal says what did not match and what to do.
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib

from training.config import REPO_ROOT

__all__ = ["ArtifactError", "save_artifact", "load_artifact", "read_card", "sha256_file", "resolve_model_dir",
           "FORMAT_VERSION"]

FORMAT_VERSION = 1
MODEL_FILE = "model.joblib"
CARD_FILE = "model.json"


class ArtifactError(ValueError):
    """An artifact is missing, damaged, tampered with or made by an incompatible library version."""



def _sklearn_version() -> str:
    # Imported here: a process that only reads model cards (the batch scorer's parent) need not load
    # scikit-learn, which takes ~0.7 s.
    import sklearn

    return sklearn.__version__

def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def save_artifact(model: Any, models_dir: Path, card: dict[str, Any], *, version: str | None = None) -> Path:
    """Write ``<models_dir>/<version>/`` with the model and its card; point ``current`` at it.

    The card gets version, creation time, git commit, Python / scikit-learn / joblib versions and
    the sha256 of the joblib file on top of what the caller passes (data, metrics, taxonomy).
    """
    created = datetime.now(UTC)
    version = version or created.strftime("%Y%m%d-%H%M%S")
    target = Path(models_dir) / version
    target.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, target / MODEL_FILE, compress=3)
    full = {
        "format_version": FORMAT_VERSION,
        "version": version,
        "created_at": created.isoformat(timespec="seconds"),
        "git_commit": _git_commit(),
        "python_version": platform.python_version(),
        "sklearn_version": _sklearn_version(),
        "joblib_version": joblib.__version__,
        "sha256": sha256_file(target / MODEL_FILE),
        **card,
    }
    (target / CARD_FILE).write_text(json.dumps(full, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    current = Path(models_dir) / "current"
    tmp = Path(models_dir) / ".current.tmp"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(version)
    os.replace(tmp, current)  # atomic: a reloading service sees the old or the new, never neither
    return target


def resolve_model_dir(path: str | Path) -> Path:
    """An artifact directory: ``path`` itself, or ``path/current`` when given the models folder."""
    path = Path(path)
    if not (path / CARD_FILE).exists() and (path / "current" / CARD_FILE).exists():
        path = path / "current"
    return path.resolve()


def read_card(model_dir: str | Path) -> dict[str, Any]:
    model_dir = resolve_model_dir(model_dir)
    card_path = model_dir / CARD_FILE
    if not card_path.exists():
        raise ArtifactError(f"no model card at {card_path}: train a model first (make train)")
    try:
        return json.loads(card_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ArtifactError(f"model card {card_path} is not valid JSON: {exc}") from None


def load_artifact(model_dir: str | Path, *, expected_sha256: str | None = None) -> tuple[Any, dict[str, Any]]:
    """Verify and load an artifact directory. Returns ``(model, card)``.

    Raises:
        ArtifactError: card missing, sha256 mismatch (file changed after training), pinned sha256
            mismatch, or a scikit-learn / format version other than the running one.
    """
    model_dir = resolve_model_dir(model_dir)
    card = read_card(model_dir)
    model_path = model_dir / MODEL_FILE
    if not model_path.exists():
        raise ArtifactError(f"no {MODEL_FILE} in {model_dir}")
    if card.get("format_version") != FORMAT_VERSION:
        raise ArtifactError(f"artifact format {card.get('format_version')!r} is not {FORMAT_VERSION}: retrain")
    if card.get("sklearn_version") != _sklearn_version():
        raise ArtifactError(
            f"artifact was trained with scikit-learn {card.get('sklearn_version')}, this is {_sklearn_version()}: "
            "pickles are not portable across versions; retrain with `make train` or install the matching version"
        )
    digest = sha256_file(model_path)
    if digest != card.get("sha256"):
        raise ArtifactError(f"sha256 of {model_path} is {digest}, the model card says {card.get('sha256')}: "
                            "the file was changed after training; refusing to unpickle it")
    if expected_sha256 and digest != expected_sha256.strip().lower():
        raise ArtifactError(f"sha256 of {model_path} is {digest}, but JOBCLASS_MODEL_SHA256 pins {expected_sha256}: "
                            "refusing an artifact the operator did not approve")
    return joblib.load(model_path), card
