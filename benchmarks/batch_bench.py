"""Batch scoring throughput and memory: 100,000 ads (the real ads repeated) with 1 and 2 workers.

    python benchmarks/batch_bench.py                      # markdown table (takes tens of minutes)
    python benchmarks/batch_bench.py --ads 5000 --workers 1 2
    python benchmarks/batch_bench.py --profile 1000       # where the time goes (cProfile, in-process)

Each configuration runs ``python -m batch`` in a fresh process on a Parquet input (row groups of
10,000) written to a temporary directory, never into the repository: the real texts are read from
the data directory at run time. Time is end to end (start-up and model loading included).

Memory: psutil samples the resident set size of the scoring process plus its worker processes
every 0.1 s; "peak RSS" is the largest sum seen, "RSS at 10 %" the largest in the first tenth of
the run. The two being close while the input is hundreds of MB is what "flat" means. Without
psutil, ``resource.getrusage(RUSAGE_CHILDREN)`` gives the largest single process instead.
CPU time (user + system, from ``getrusage``) is reported too: on a shared machine ads/s depends on
the other load, ads per CPU-second much less.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from training.config import MODELS_DIR
from training.data import load_dataset

try:
    import psutil
except ImportError:  # the batch extra brings it (through distributed); the fallback is coarser
    psutil = None

N_ADS = 100_000
WORKERS = (1, 2)
CHUNK_SIZE = 1000
TARGET_ADS_PER_S = 2000
_SAMPLE_SECONDS = 0.1


def build_input(n_ads: int, directory: Path) -> Path:
    """``n_ads`` ads made by repeating the real ads in order, as Parquet in ``directory``."""
    ads = load_dataset()[["title", "text"]]
    picked = ads.iloc[np.resize(np.arange(len(ads)), n_ads)].reset_index(drop=True)
    picked.insert(0, "id", [f"ad-{i:06d}" for i in range(n_ads)])
    path = directory / f"ads-{n_ads}.parquet"
    picked.to_parquet(path, index=False, row_group_size=10_000)
    return path


class _RssSampler(threading.Thread):
    """Samples the summed RSS of a process and its children until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.samples: list[tuple[float, int]] = []
        self._done = threading.Event()

    def run(self) -> None:
        start = time.perf_counter()
        while not self._done.is_set():
            try:
                procs = [self.process, *self.process.children(recursive=True)]
                rss = sum(p.memory_info().rss for p in procs if p.is_running())
            except psutil.Error:  # a worker exited between listing and reading
                continue
            self.samples.append((time.perf_counter() - start, rss))
            self._done.wait(_SAMPLE_SECONDS)

    def stop(self) -> tuple[float, float]:
        """``(peak MB, peak MB in the first tenth of the run)``."""
        self._done.set()
        self.join()
        if not self.samples:
            return float("nan"), float("nan")
        end = self.samples[-1][0]
        early = [rss for t, rss in self.samples if t <= end / 10] or [self.samples[0][1]]
        return max(rss for _, rss in self.samples) / 1e6, max(early) / 1e6


def measure(source: Path, output: Path, workers: int, *, chunk_size: int = CHUNK_SIZE) -> dict[str, Any]:
    """Score ``source`` with ``workers`` processes in a fresh ``python -m batch``; time and memory."""
    cmd = [sys.executable, "-m", "batch", str(source), "-o", str(output), "--workers", str(workers),
           "--chunk-size", str(chunk_size), "--model-dir", str(MODELS_DIR), "--quiet"]
    cpu_before = _children_cpu_seconds()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = _RssSampler(proc.pid) if psutil else None
    if sampler:
        sampler.start()
    _, stderr = proc.communicate()
    seconds = time.perf_counter() - start
    cpu = _children_cpu_seconds() - cpu_before
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited with {proc.returncode}: {stderr.decode()[-2000:]}")
    if sampler:
        peak, early = sampler.stop()
    else:  # largest single process among the children waited for so far; ru_maxrss is in kB on Linux
        peak, early = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1e3, float("nan")
    rows = pd.read_parquet(output, columns=["id"]).shape[0]
    return {"workers": workers, "rows": rows, "seconds": round(seconds, 1), "ads_per_s": round(rows / seconds, 1),
            "cpu_seconds": round(cpu, 1), "ads_per_cpu_s": round(rows / cpu, 1),
            "peak_rss_mb": round(peak), "rss_at_10pct_mb": round(early) if early == early else None,
            "load_avg_1min_after": round(os.getloadavg()[0], 2)}


def _children_cpu_seconds() -> float:
    # user + system time of finished children, workers included (the scorer waits for its pool)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(n_ads: int = N_ADS, workers: Sequence[int] = WORKERS, *, chunk_size: int = CHUNK_SIZE) -> dict[str, Any]:
    """Build the input, score it with each number of workers; returns the figures."""
    with tempfile.TemporaryDirectory(prefix="jobclass-batch-bench-") as tmp:
        source = build_input(n_ads, Path(tmp))
        runs = [measure(source, Path(tmp) / f"scored-{w}.parquet", w, chunk_size=chunk_size) for w in workers]
        input_mb = source.stat().st_size / 1e6
        text_mb = pd.read_parquet(source, columns=["text"])["text"].str.len().sum() / 1e6
    return {"n_ads": n_ads, "input_parquet_mb": round(input_mb, 1), "input_text_mchars": round(text_mb, 1),
            "chunk_size": chunk_size, "target_ads_per_s": TARGET_ADS_PER_S,
            "rss_method": ("psutil: RSS of the scorer and its workers summed, sampled every 0.1 s" if psutil
                           else "resource.getrusage(RUSAGE_CHILDREN): largest single process"),
            "runs": runs}


def profile(n_ads: int, top: int = 25) -> str:
    """cProfile of scoring ``n_ads`` in this process (one worker): the top functions by cumulative time."""
    from batch.local import score_file
    from batch.scoring import load_predictor

    load_predictor(MODELS_DIR)  # loading is not what we are after
    with tempfile.TemporaryDirectory(prefix="jobclass-batch-profile-") as tmp:
        source = build_input(n_ads, Path(tmp))
        profiler = cProfile.Profile()
        profiler.enable()
        score_file(source, Path(tmp) / "out.parquet", model_dir=MODELS_DIR)
        profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def table(result: dict[str, Any]) -> str:
    """The figures as a small markdown table."""
    lines = [f"Batch scoring, {result['n_ads']:,} ads ({result['input_parquet_mb']} MB Parquet, "
             f"{result['input_text_mchars']}M characters of text), chunks of {result['chunk_size']}; "
             f"target {result['target_ads_per_s']:,} ads/s on 2 cores",
             "",
             "| workers | seconds | ads/s | CPU s | ads per CPU s | peak RSS (MB) | RSS at 10 % (MB) | load after |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in result["runs"]:
        lines.append(f"| {r['workers']} | {r['seconds']:,} | {r['ads_per_s']:,} | {r['cpu_seconds']:,} | "
                     f"{r['ads_per_cpu_s']:,} | {r['peak_rss_mb']:,} | "
                     f"{r['rss_at_10pct_mb'] if r['rss_at_10pct_mb'] is not None else '-'} | "
                     f"{r['load_avg_1min_after']} |")
    lines += ["", f"RSS: {result['rss_method']}. CPU s: user + system time of the scorer and its workers; "
              "ads per CPU s does not depend on what else the machine runs, ads/s does "
              "(load after: 1-minute load average when the run ended)."]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ads", type=int, default=N_ADS, help="number of ads (default: %(default)s)")
    parser.add_argument("--workers", type=int, nargs="+", default=list(WORKERS), help="worker counts to run")
    parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE)
    parser.add_argument("--profile", type=int, metavar="N", help="instead: profile scoring N ads in-process")
    args = parser.parse_args(argv)
    if args.profile:
        print(profile(args.profile))
    else:
        print(table(run(args.ads, args.workers, chunk_size=args.chunk_size)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
