"""Shared helpers: paths, the real ads, percentiles, thread settings and machine facts.

Real ad texts are third-party data: they are read at run time through ``training.data`` and only
ever written to temporary files outside the repository (or to the git-ignored ``benchmarks/.work``).
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import random
import shutil
import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
BENCH_DIR = REPO / "benchmarks"
#: Git-ignored scratch space (tool venvs, logs, machine-readable results).
WORK_DIR = BENCH_DIR / ".work"
#: The model the benchmarks measure (the one `make run` serves).
DEFAULT_MODEL_DIR = REPO / "models" / "current"

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
               "NUMEXPR_NUM_THREADS")


def single_thread_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """A copy of ``base`` (default: os.environ) with every BLAS/OpenMP pool capped at one thread."""
    env = dict(os.environ if base is None else base)
    env.update({k: "1" for k in THREAD_VARS})
    return env


def project_python() -> str:
    """The interpreter of the project's virtualenv (the one running the benchmarks)."""
    return sys.executable


def temp_dir(prefix: str) -> Path:
    """A fresh directory under /tmp (never inside the repository) for files holding ad texts."""
    return Path(tempfile.mkdtemp(prefix=f"jobclass-bench-{prefix}-"))


def remove_dir(path: Path | None) -> None:
    if path is not None:
        shutil.rmtree(path, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# The ads


def load_real_ads() -> list[dict[str, Any]]:
    """The real ads of the training data (labelled + corpus; authored ads left out), sorted by id.

    Each is ``{"id", "text", "title" (str or None), "role", "lang"}``.
    """
    from training.data import load_dataset

    df = load_dataset()
    real = df[df["source"] != "authored"].sort_values("id")
    return [{"id": str(r.id), "text": str(r.text), "title": (str(r.title) if r.title else None),
             "role": str(r.role), "lang": str(r.lang)} for r in real.itertuples(index=False)]


def sample_ads(ads: Sequence[dict[str, Any]], n: int, seed: int = 7) -> list[dict[str, Any]]:
    """A fixed pseudo-random sample of ``n`` ads (the same ads on every run with the same data)."""
    if n >= len(ads):
        return list(ads)
    picked = random.Random(seed).sample(range(len(ads)), n)
    return [ads[i] for i in sorted(picked)]


def write_jsonl(path: Path, rows: Iterable[Any]) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


# --------------------------------------------------------------------------------------------
# Statistics


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (numpy's default method), without numpy."""
    if not values:
        return float("nan")
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def summarize_ms(values_ms: Sequence[float]) -> dict[str, float]:
    if not values_ms:
        return {"n": 0}
    return {"n": len(values_ms), "p50": percentile(values_ms, 50), "p95": percentile(values_ms, 95),
            "p99": percentile(values_ms, 99), "mean": sum(values_ms) / len(values_ms),
            "min": min(values_ms), "max": max(values_ms)}


# --------------------------------------------------------------------------------------------
# The machine


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def mem_total_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return None


def load_average() -> tuple[float, float, float] | None:
    try:
        return os.getloadavg()
    except OSError:
        return None


def machine_info() -> dict[str, Any]:
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    info: dict[str, Any] = {
        "date": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "memory_gib": mem_total_gib(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "loadavg_start": load_average(),
        "blas_env": {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ},
    }
    try:
        import numpy
        import sklearn
        info["numpy"] = numpy.__version__
        info["sklearn"] = sklearn.__version__
    except ImportError:
        pass
    return info


def model_card(model_dir: Path = DEFAULT_MODEL_DIR) -> dict[str, Any]:
    try:
        return json.loads((model_dir / "model.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def dir_size_bytes(path: Path) -> dict[str, int]:
    """Size of each file in an artifact directory (symlinks resolved) and their total."""
    real = path.resolve()
    sizes = {p.name: p.stat().st_size for p in sorted(real.iterdir()) if p.is_file()}
    sizes["total"] = sum(sizes.values())
    return sizes
