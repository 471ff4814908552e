"""Training time: wall time of what `make train` runs, into a temp models folder.

Times ``python -m training.train --models-dir <tmp>`` (the `make train` command, but writing to a
temporary folder so the repository's ``models/current`` is not replaced). That includes loading and
checking the data, the 5-fold cross-validation the model card reports, the final fit and writing
the verified artifact. Same environment as `make train` (no thread caps).
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import REPO, remove_dir, temp_dir


def run(timeout_s: int = 1800, keep_dir: Path | None = None) -> dict[str, Any]:
    """Time one training run; with ``keep_dir`` the artifact is kept there (else in a temp dir, removed)."""
    if keep_dir is not None:
        shutil.rmtree(keep_dir, ignore_errors=True)
        keep_dir.mkdir(parents=True)
    tmp = keep_dir or temp_dir("train")
    cmd = [sys.executable, "-m", "training.train", "--models-dir", str(tmp)]
    try:
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=timeout_s, check=False)
        wall = time.perf_counter() - start
        result: dict[str, Any] = {"command": ".venv/bin/python -m training.train --models-dir <tmpdir>",
                                  "wall_seconds": wall, "exit_code": proc.returncode,
                                  "progress": [ln for ln in proc.stderr.splitlines() if ln.startswith("[")][-8:]}
        if proc.returncode != 0:
            result["error"] = proc.stderr.strip()[-800:]
            return result
        cards = sorted(tmp.glob("*/model.json"))
        if cards:
            card = json.loads(cards[-1].read_text(encoding="utf-8"))
            result["card_training_seconds"] = card.get("training_seconds")
            result["cv_role_accuracy"] = ((card.get("evaluation") or {}).get("metrics") or {}).get("role_accuracy")
        return result
    finally:
        if keep_dir is None:
            remove_dir(tmp)
