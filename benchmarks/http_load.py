"""The service under load: gunicorn with the production config on a free loopback port.

1. start ``gunicorn -c gunicorn.conf.py service.wsgi:app`` (JOBCLASS_BIND=127.0.0.1:<free port>) and
   time process start -> first 200 from ``GET /health/ready`` (start-up time);
2. load ``POST /classify`` with wrk (Debian's; installed with apt-get if missing), N connections for a
   fixed time, cycling through real ads (a Lua script reads one JSON body per line from a temp file);
3. the same against ``POST /classify/batch`` with 20 ads per request;
4. read VmRSS (and PSS) of every worker, i.e. the children of the gunicorn master;
5. SIGTERM the master and wait for it.

Only 127.0.0.1 is ever addressed; every run is bounded in time. Without wrk (and no way to get it), a
small Python load generator (threads + keep-alive http.client) stands in, and the result says so.
"""
from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from benchmarks.common import REPO, WORK_DIR, percentile, remove_dir, temp_dir

BATCH_ITEMS = 20
READY_TIMEOUT_S = 120.0

WRK_SCRIPT = r"""
-- Cycles through JSON bodies, one per line of the file given after `--`.
local bodies = {}
local idx = 0

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then bodies[#bodies + 1] = line end
  end
  -- each wrk thread starts at a different place in the list
  idx = (id or 0) * 7919 % #bodies
end

function setup(thread)
  thread:set("id", setup_count or 0)
  setup_count = (setup_count or 0) + 1
end

function request()
  idx = idx % #bodies + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, bodies[idx])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %.0f, "duration_us": %.0f, "bytes": %.0f, "connect": %.0f, "read": %.0f, ' ..
    '"write": %.0f, "status": %.0f, "timeout": %.0f, "p50_us": %.0f, "p90_us": %.0f, "p99_us": %.0f, ' ..
    '"max_us": %.0f, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
"""


# --------------------------------------------------------------------------------------------
# wrk


def ensure_wrk() -> tuple[str | None, str]:
    """Path to wrk, installing Debian's package if it is missing; (None, why) if it cannot be had."""
    found = shutil.which("wrk")
    if found:
        return found, "wrk (already installed)"
    if shutil.which("apt-get") and os.geteuid() == 0:
        for cmd in (["apt-get", "install", "-y", "-qq", "wrk"], ["apt-get", "update", "-qq"],
                    ["apt-get", "install", "-y", "-qq", "wrk"]):
            try:
                subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300, check=False,
                               env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
            except (OSError, subprocess.TimeoutExpired):
                break
            found = shutil.which("wrk")
            if found:
                return found, "wrk (installed now with apt-get)"
        return None, "wrk could not be installed with apt-get"
    return None, "wrk not found and apt-get not usable (not root?)"


def run_wrk(wrk: str, url: str, bodies_file: Path, script: Path, seconds: int, connections: int,
            threads: int) -> dict[str, Any]:
    cmd = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), url,
           "--", str(bodies_file)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=False)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("WRKJSON ")), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed (exit {proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}")
    raw = json.loads(line[len("WRKJSON "):])
    duration = raw["duration_us"] / 1e6
    socket_errors = raw["connect"] + raw["read"] + raw["write"] + raw["timeout"]
    return {
        "tool": "wrk", "command": " ".join(cmd[:-2] + ["--", "<bodies.jsonl>"]).replace(str(script), "<cycle.lua>"),
        "seconds": duration, "connections": connections, "threads": threads,
        "requests": int(raw["requests"]), "rps": raw["requests"] / duration,
        "latency_ms": {"p50": raw["p50_us"] / 1000, "p90": raw["p90_us"] / 1000, "p99": raw["p99_us"] / 1000,
                       "max": raw["max_us"] / 1000, "mean": raw["mean_us"] / 1000},
        "non_2xx": int(raw["status"]), "socket_errors": int(socket_errors),
        "socket_error_detail": {k: int(raw[k]) for k in ("connect", "read", "write", "timeout")},
        "errors": int(raw["status"] + socket_errors),
    }


# --------------------------------------------------------------------------------------------
# Python fallback load generator


def run_python_load(host: str, port: int, path: str, bodies: list[bytes], seconds: int,
                    connections: int) -> dict[str, Any]:
    """Closed-loop load: ``connections`` threads, each with one keep-alive connection."""
    deadline = time.perf_counter() + seconds
    lock = threading.Lock()
    latencies: list[float] = []
    counts = {"requests": 0, "non_2xx": 0, "socket_errors": 0}

    def worker(offset: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=10)
        i = offset
        local_lat: list[float] = []
        local = {"requests": 0, "non_2xx": 0, "socket_errors": 0}
        while time.perf_counter() < deadline:
            body = bodies[i % len(bodies)]
            i += 1
            start = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
                resp = conn.getresponse()
                resp.read()
                local_lat.append((time.perf_counter() - start) * 1000)
                local["requests"] += 1
                local["non_2xx"] += not 200 <= resp.status < 300
            except (OSError, http.client.HTTPException):
                local["socket_errors"] += 1
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=10)
        conn.close()
        with lock:
            latencies.extend(local_lat)
            for k, v in local.items():
                counts[k] += v

    start = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(k * 7919,), daemon=True) for k in range(connections)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(seconds + 30)
    duration = time.perf_counter() - start
    return {
        "tool": "python fallback (threads + http.client; wrk was not available)",
        "seconds": duration, "connections": connections, "threads": connections,
        "requests": counts["requests"], "rps": counts["requests"] / duration,
        "latency_ms": {"p50": percentile(latencies, 50), "p90": percentile(latencies, 90),
                       "p99": percentile(latencies, 99), "max": max(latencies, default=float("nan")),
                       "mean": sum(latencies) / len(latencies) if latencies else float("nan")},
        "non_2xx": counts["non_2xx"], "socket_errors": counts["socket_errors"],
        "errors": counts["non_2xx"] + counts["socket_errors"],
    }


# --------------------------------------------------------------------------------------------
# gunicorn


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 2.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _post_json(url: str, body: bytes, timeout: float = 30.0) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            kids += [int(x) for x in (task / "children").read_text().split()]
        return sorted(set(kids))
    except OSError:
        pass
    for proc in Path("/proc").iterdir():  # fallback: scan every process for its parent
        if proc.name.isdigit():
            try:
                stat = (proc / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    kids.append(int(proc.name))
            except (OSError, ValueError, IndexError):
                continue
    return sorted(kids)


def _proc_memory_mb(pid: int) -> dict[str, float | None]:
    out: dict[str, float | None] = {"rss_mb": None, "pss_mb": None}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                out["rss_mb"] = int(line.split()[1]) / 1024
    except OSError:
        pass
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                out["pss_mb"] = int(line.split()[1]) / 1024
    except OSError:
        pass
    return out


def _tail(path: Path, n: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return ""


def start_gunicorn(port: int, model_dir: Path, base_env: dict[str, str], log_path: Path,
                   ) -> tuple[subprocess.Popen, float]:
    """Start the production command; return the process and seconds until /health/ready said 200."""
    env = dict(base_env)
    env["JOBCLASS_BIND"] = f"127.0.0.1:{port}"
    env["JOBCLASS_MODEL_DIR"] = str(model_dir)
    gunicorn = Path(os.path.dirname(os.path.abspath(sys.executable))) / "gunicorn"
    cmd = [str(gunicorn), "-c", "gunicorn.conf.py", "service.wsgi:app"]
    log = log_path.open("wb")
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    log.close()
    url = f"http://127.0.0.1:{port}/health/ready"
    while True:
        elapsed = time.perf_counter() - start
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode} before ready:\n{_tail(log_path)}")
        if elapsed > READY_TIMEOUT_S:
            stop_gunicorn(proc)
            raise RuntimeError(f"gunicorn not ready after {READY_TIMEOUT_S:.0f} s:\n{_tail(log_path)}")
        try:
            status, body = _get(url, timeout=1.0)
            if status == 200:
                return proc, time.perf_counter() - start
            message = body.decode(errors="replace")
            if status == 503 and "no model loaded" in message and "loading" not in message:
                stop_gunicorn(proc)  # the model failed to load: it will never become ready
                raise RuntimeError(f"gunicorn up but not ready: {message[:300]}")
        except OSError:
            pass
        time.sleep(0.01)


def stop_gunicorn(proc: subprocess.Popen, timeout: float = 60.0) -> float:
    """SIGTERM the master (graceful shutdown) and wait; SIGKILL only if it hangs. Returns seconds."""
    if proc.poll() is not None:
        return 0.0
    start = time.perf_counter()
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
    return time.perf_counter() - start


# --------------------------------------------------------------------------------------------
# The whole HTTP benchmark


def run(ads: list[dict[str, Any]], model_dir: Path, base_env: dict[str, str], seconds: int = 30,
        connections: int = 16) -> dict[str, Any]:
    tmp = temp_dir("http")
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    log_path = WORK_DIR / "gunicorn.log"
    result: dict[str, Any] = {"seconds_requested": seconds, "connections": connections,
                              "workers_env": base_env.get("JOBCLASS_WORKERS"), "log": str(log_path)}
    proc = None
    try:
        single = [json.dumps({"text": a["text"], "title": a["title"]}) for a in ads]
        batches = [json.dumps({"items": [{"id": a["id"], "text": a["text"], "title": a["title"]}
                                         for a in ads[i:i + BATCH_ITEMS]]})
                   for i in range(0, len(ads) - BATCH_ITEMS + 1, BATCH_ITEMS)]
        (tmp / "single.jsonl").write_text("\n".join(single) + "\n", encoding="utf-8")
        (tmp / "batch.jsonl").write_text("\n".join(batches) + "\n", encoding="utf-8")
        script = tmp / "cycle.lua"
        script.write_text(WRK_SCRIPT, encoding="utf-8")
        result["bodies"] = {"classify": len(single), "batch": len(batches), "batch_items": BATCH_ITEMS}

        wrk, how = ensure_wrk()
        result["load_generator"] = how if wrk else f"python fallback: {how}"

        port = free_port()
        proc, ready_s = start_gunicorn(port, model_dir, base_env, log_path)
        result["port"] = port
        result["ready_seconds"] = ready_s
        base = f"http://127.0.0.1:{port}"
        result["workers_at_start"] = len(_children(proc.pid))

        # One request of each kind first: the load runs only make sense if these answer 200.
        status, body = _post_json(f"{base}/classify", single[0].encode())
        status_b, body_b = _post_json(f"{base}/classify/batch", batches[0].encode())
        if status != 200 or status_b != 200:
            detail = (body if status != 200 else body_b).decode(errors="replace")[:300]
            raise RuntimeError(f"smoke requests failed: /classify {status}, /classify/batch {status_b}: {detail} "
                               f"(server log: {log_path})")
        n_results = len(json.loads(body_b)["results"])
        if n_results != BATCH_ITEMS:
            raise RuntimeError(f"/classify/batch answered {n_results} results for {BATCH_ITEMS} items")

        threads = max(1, min(2, os.cpu_count() or 1, connections))
        for name, path, bodies_file in (("classify", "/classify", tmp / "single.jsonl"),
                                        ("batch", "/classify/batch", tmp / "batch.jsonl")):
            if wrk:
                res = run_wrk(wrk, base + path, bodies_file, script, seconds, connections, threads)
            else:
                bodies = [ln.encode() for ln in bodies_file.read_text(encoding="utf-8").splitlines() if ln]
                res = run_python_load("127.0.0.1", port, path, bodies, seconds, connections)
            if name == "batch":
                res["ads_per_s"] = res["rps"] * BATCH_ITEMS
            result[name] = res

        workers = _children(proc.pid)
        result["memory"] = {"master": {"pid": proc.pid, **_proc_memory_mb(proc.pid)},
                            "workers": [{"pid": pid, **_proc_memory_mb(pid)} for pid in workers]}
    finally:
        if proc is not None:
            result["shutdown_seconds"] = stop_gunicorn(proc)
            result["exit_code"] = proc.returncode
        remove_dir(tmp)
    return result
