"""Where the time per ad goes: py-spy over the single-threaded ``Predictor.classify`` loop.

``run()`` installs py-spy into a tool venv under the git-ignored ``benchmarks/.work/`` (PyPI wheel),
then records, at 200 samples/s, a child process that loads the model and the real ads, warms up and
calls ``classify(text, title)`` ad after ad for a fixed time (one thread, like the latency figure).
Only samples inside that loop count (model and data loading are left out). The command it runs:

    py-spy record --rate 200 --nolineno --format raw -o profile.raw -- \\
        .venv/bin/python -m benchmarks.profiling --target --seconds 20 --out stats.json

and the raw (collapsed) stacks land in ``benchmarks/.work/profile.raw``. Three views come out:

* by project function: each sample goes to the deepest frame in jobclass's own code (training/,
  service/), so a function's share includes the library calls it makes (regex, numpy, sklearn);
* inclusive: share of samples with the function anywhere on the stack;
* leaf: the innermost frame of any code (the actual hot loop).

Milliseconds per ad = share x the mean time per ad measured by the loop under the profiler. If py-spy
cannot be had or cannot attach, cProfile (stdlib) produces the same views with its own overhead.
"""
from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.common import DEFAULT_MODEL_DIR, REPO, WORK_DIR, load_real_ads, single_thread_env

TOOLS_VENV = WORK_DIR / "venv-tools"
LOOP = "_profile_loop"
PROJECT_DIRS = ("training/", "service/")
TOP_N = 12


# --------------------------------------------------------------------------------------------
# The profiled process


def _profile_loop(predictor: Any, items: list[tuple[str, str | None]], seconds: float) -> tuple[int, float]:
    n = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        text, title = items[n % len(items)]
        predictor.classify(text, title)
        n += 1
    return n, time.perf_counter() - start


def target(seconds: float, out: Path, model_dir: Path, use_cprofile: bool = False) -> None:
    from threadpoolctl import threadpool_limits

    from training.predictor import Predictor

    predictor = Predictor.load(model_dir)
    items = [(a["text"], a["title"]) for a in load_real_ads()]
    with threadpool_limits(limits=1):
        for text, title in items[:50]:
            predictor.classify(text, title)
        if use_cprofile:
            prof = cProfile.Profile()
            n, elapsed = prof.runcall(_profile_loop, predictor, items, seconds)
            prof.dump_stats(str(out.with_suffix(".pstats")))
        else:
            n, elapsed = _profile_loop(predictor, items, seconds)
    out.write_text(json.dumps({"ads": n, "seconds": elapsed}), encoding="utf-8")


# --------------------------------------------------------------------------------------------
# Analysis


def _short(filename: str) -> str:
    f = filename.replace("\\", "/")
    root = str(REPO).rstrip("/") + "/"
    if f.startswith(root):
        return f[len(root):]
    if "site-packages/" in f:
        return f.split("site-packages/", 1)[1]
    if "/lib/python3" in f:
        return "stdlib:" + f.split("/lib/python3", 1)[1].split("/", 1)[-1]
    return f


def _is_project(filename: str) -> bool:
    return _short(filename).startswith(PROJECT_DIRS)


def _views(stacks: list[tuple[list[tuple[str, str]], int]]) -> dict[str, Any]:
    """stacks: ([(function, filename) root..leaf], weight) for samples inside the loop, loop frame first."""
    total = sum(w for _, w in stacks)
    by_project: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    leaf: Counter[str] = Counter()
    for frames, weight in stacks:
        names = [f"{fn} ({_short(fl)})" for fn, fl in frames]
        for name in set(names[1:]):  # the loop frame itself is everything
            inclusive[name] += weight
        leaf[names[-1]] += weight
        owner = next((names[i] for i in range(len(frames) - 1, 0, -1) if _is_project(frames[i][1])), names[0])
        by_project[owner] += weight

    def top(c: Counter[str]) -> list[dict[str, Any]]:
        return [{"frame": k, "share": v / total} for k, v in c.most_common(TOP_N)]

    incl_project = Counter({k: v for k, v in inclusive.items() if k.split(" (", 1)[1].startswith(PROJECT_DIRS)})
    return {"samples": total, "by_project_function": top(by_project), "inclusive_project": top(incl_project),
            "leaf": top(leaf)}


def parse_pyspy_raw(path: Path) -> dict[str, Any]:
    stacks = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = []
        for fr in stack.split(";"):
            fn, _, rest = fr.partition(" (")
            frames.append((fn, rest[:-1] if rest.endswith(")") else rest))
        idx = next((i for i, (fn, _) in enumerate(frames) if fn == LOOP), None)
        if idx is not None:
            stacks.append((frames[idx:], int(count)))
    return _views(stacks)


def parse_cprofile(path: Path) -> dict[str, Any]:
    """The same views from cProfile: self time as 'leaf', cumulative time as 'inclusive'."""
    st = pstats.Stats(str(path))
    raw = st.stats  # type: ignore[attr-defined]
    loop_total = max(ct for (_, _, fn), (_, _, _, ct, _) in raw.items() if fn == LOOP)
    leaf = Counter({f"{fn} ({_short(fl)})": tt for (fl, _, fn), (_, _, tt, _, _) in raw.items()})
    incl = Counter({f"{fn} ({_short(fl)})": ct for (fl, _, fn), (_, _, _, ct, _) in raw.items()
                    if _is_project(fl) and fn != LOOP})
    # project owner: a project function's own time plus its direct calls into non-project code
    owner: Counter[str] = Counter()
    for (fl, _, fn), (_, _, tt, _, callers) in raw.items():
        if _is_project(fl):
            owner[f"{fn} ({_short(fl)})"] += tt
        else:
            for (cfl, _, cfn), (_, _, ctt, _) in callers.items():
                if _is_project(cfl):
                    owner[f"{cfn} ({_short(cfl)})"] += ctt * (tt / max(sum(c[2] for c in callers.values()), 1e-12))

    def top(c: Counter[str]) -> list[dict[str, Any]]:
        return [{"frame": k, "share": v / loop_total} for k, v in c.most_common(TOP_N)]

    return {"samples": None, "by_project_function": top(owner), "inclusive_project": top(incl), "leaf": top(leaf)}


# --------------------------------------------------------------------------------------------
# Driver


def ensure_pyspy() -> tuple[Path | None, str]:
    exe = TOOLS_VENV / "bin" / "py-spy"
    if exe.exists():
        return exe, "py-spy (tool venv)"
    try:
        subprocess.run([sys.executable, "-m", "venv", str(TOOLS_VENV)], check=True, capture_output=True, timeout=300)
        proc = subprocess.run([str(TOOLS_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet",
                               "--disable-pip-version-check", "py-spy"], capture_output=True, text=True,
                              timeout=600, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        return None, f"could not create the tool venv: {exc}"
    if proc.returncode != 0 or not exe.exists():
        return None, f"`pip install py-spy` failed: {proc.stderr.strip()[-300:]}"
    return exe, "py-spy (installed now into benchmarks/.work/venv-tools)"


def run(seconds: float = 20.0, model_dir: Path = DEFAULT_MODEL_DIR) -> dict[str, Any]:
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    stats_file = WORK_DIR / "profile-stats.json"
    raw_file = WORK_DIR / "profile.raw"
    target_cmd = [sys.executable, "-m", "benchmarks.profiling", "--target", "--seconds", str(seconds),
                  "--out", str(stats_file), "--model-dir", str(model_dir)]
    env = single_thread_env()
    pyspy, how = ensure_pyspy()
    notes = []
    if pyspy is not None:
        cmd = [str(pyspy), "record", "--rate", "200", "--nolineno", "--format", "raw", "-o", str(raw_file),
               "--", *target_cmd]
        proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=seconds + 600,
                              check=False)
        if proc.returncode == 0 and raw_file.exists():
            views = parse_pyspy_raw(raw_file)
            if views["samples"]:
                stats = json.loads(stats_file.read_text(encoding="utf-8"))
                return _finish(views, stats, tool=how, notes=notes,
                               command=f"py-spy record --rate 200 --nolineno --format raw -o benchmarks/.work/profile.raw "
                                       f"-- .venv/bin/python -m benchmarks.profiling --target --seconds {seconds:g}")
            notes.append("py-spy recorded no samples inside the loop")
        else:
            notes.append(f"py-spy failed (exit {proc.returncode}): {proc.stderr.strip()[-300:]}")
    else:
        notes.append(how)
    proc = subprocess.run([*target_cmd, "--cprofile"], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=seconds + 600, check=False)
    if proc.returncode != 0:
        return {"error": "; ".join(notes + [f"cProfile fallback failed: {proc.stderr.strip()[-300:]}"])}
    views = parse_cprofile(stats_file.with_suffix(".pstats"))
    stats = json.loads(stats_file.read_text(encoding="utf-8"))
    return _finish(views, stats, tool="cProfile (fallback; deterministic, inflates many small calls)", notes=notes,
                   command=f".venv/bin/python -m benchmarks.profiling --target --cprofile --seconds {seconds:g}")


def _finish(views: dict[str, Any], stats: dict[str, Any], *, tool: str, notes: list[str],
            command: str) -> dict[str, Any]:
    ms_per_ad = stats["seconds"] * 1000.0 / max(stats["ads"], 1)
    for key in ("by_project_function", "inclusive_project", "leaf"):
        for row in views[key]:
            row["ms_per_ad"] = row["share"] * ms_per_ad
    return {"tool": tool, "command": command, "ads": stats["ads"], "seconds": stats["seconds"],
            "ms_per_ad": ms_per_ad, "notes": notes, **views}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profiling", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", action="store_true", help="be the profiled process")
    parser.add_argument("--cprofile", action="store_true", help="with --target: profile with cProfile")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--out", type=Path, default=WORK_DIR / "profile-stats.json")
    parser.add_argument("--model-dir", type=Path, default=DEFAULT_MODEL_DIR)
    args = parser.parse_args(argv)
    if args.target:
        target(args.seconds, args.out, args.model_dir, use_cprofile=args.cprofile)
        return 0
    result = run(args.seconds, args.model_dir)
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
