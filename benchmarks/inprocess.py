"""In-process cost of ``Predictor.classify``: per-ad latency and batch throughput, one thread.

Run by ``benchmarks.run`` in a child process whose environment caps OpenMP/OpenBLAS/MKL at one
thread (``threadpoolctl`` caps them again here, in case a library ignores the variables):

    python -m benchmarks.inprocess --out result.json [--quick] [--model-dir models/current]

Latency: every real ad once, in id order, after a warm-up of 50 ads and
one batch, timed with ``perf_counter`` around ``classify(text, title)``. Throughput: the same ads in
``classify_batch`` calls of 100, three passes (``--quick``: one); ads per second over all passes.
The JSON holds per-ad milliseconds keyed by ad id (no texts) so other runs can compare the same ads.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import DEFAULT_MODEL_DIR, THREAD_VARS, load_real_ads, summarize_ms

BATCH_SIZE = 100
WARMUP_ADS = 50


def measure(model_dir: Path, quick: bool = False) -> dict[str, Any]:
    from threadpoolctl import threadpool_info, threadpool_limits

    from training.predictor import Predictor

    t0 = time.perf_counter()
    predictor = Predictor.load(model_dir)
    load_s = time.perf_counter() - t0

    ads = load_real_ads()
    items = [(a["text"], a["title"]) for a in ads]

    with threadpool_limits(limits=1):
        pools = [{k: p.get(k) for k in ("internal_api", "num_threads", "version", "architecture")}
                 for p in threadpool_info()]
        for text, title in items[:WARMUP_ADS]:
            predictor.classify(text, title)
        predictor.classify_batch(items[:BATCH_SIZE])

        gc.collect()
        per_ad: dict[str, float] = {}
        correct = 0
        for ad, (text, title) in zip(ads, items, strict=True):
            start = time.perf_counter()
            result = predictor.classify(text, title)
            per_ad[ad["id"]] = (time.perf_counter() - start) * 1000.0
            correct += result["role"]["id"] == ad["role"]

        passes = 1 if quick else 3
        pass_rates = []
        total_time = 0.0
        for _ in range(passes):
            gc.collect()
            start = time.perf_counter()
            for i in range(0, len(items), BATCH_SIZE):
                predictor.classify_batch(items[i:i + BATCH_SIZE])
            elapsed = time.perf_counter() - start
            total_time += elapsed
            pass_rates.append(len(items) / elapsed)

    lengths = sorted(len(a["text"]) for a in ads)
    return {
        "model_dir": str(Path(model_dir).resolve()),
        "model_version": predictor.version,
        "load_seconds": load_s,
        "n_ads": len(ads),
        "chars_median": lengths[len(lengths) // 2],
        "chars_max": lengths[-1],
        "latency_ms": summarize_ms(list(per_ad.values())),
        "per_ad_ms": per_ad,
        # jobclass was fitted on these very ads: this is training-set accuracy, not a quality figure.
        "in_sample_role_accuracy": correct / len(ads),
        "batch": {"size": BATCH_SIZE, "passes": passes, "ads_per_s": passes * len(items) / total_time,
                  "pass_ads_per_s": pass_rates},
        "threadpools": pools,
        "thread_env": {k: os.environ.get(k) for k in THREAD_VARS},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.inprocess", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--model-dir", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    result = measure(args.model_dir, quick=args.quick)
    args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    lat = result["latency_ms"]
    print(f"in-process: {result['n_ads']} ads, p50 {lat['p50']:.2f} ms, p99 {lat['p99']:.2f} ms, "
          f"batch {result['batch']['ads_per_s']:.0f} ads/s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
