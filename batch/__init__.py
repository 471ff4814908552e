"""Batch scoring of job-ad files: ``jobclass-score INPUT -o OUTPUT`` and its Python API.

- :func:`batch.local.score_file`: a file on this machine, streamed in chunks, optionally over worker processes;
- :func:`batch.scoring.score_chunk`: one pandas DataFrame of ads -> ``(results, errors)``;
- :func:`batch.distributed.score_dask`: a ``dask.dataframe`` on a Dask cluster (imported on demand).

See batch/README.md for formats, columns and the errors file.
"""
from __future__ import annotations

from batch.local import Summary, score_file
from batch.scoring import InputColumns, load_predictor, score_chunk

__all__ = ["InputColumns", "Summary", "load_predictor", "score_chunk", "score_file"]
