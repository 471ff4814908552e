"""Scoring a ``dask.dataframe`` on a Dask cluster: the same rows as the local path, as partitioned Parquet.

Each partition is scored by :func:`batch.scoring.score_combined` on a worker, which loads the model
from ``model_dir`` once per worker process (:func:`batch.scoring.load_predictor` caches it in a
module-level dict keyed by the artifact directory). The path must be readable on every worker:
a shared filesystem or the same path baked into the worker image.

>>> from distributed import Client                                               # doctest: +SKIP
>>> import dask.dataframe as dd
>>> client = Client("tcp://scheduler:8786")
>>> ddf = dd.read_parquet("s3://bucket/ads/")
>>> results, errors = score_dask(ddf, "/models/current")                        # lazy
>>> summary = write_parquet(results, errors, "s3://bucket/scored/", "errors.csv")  # one pass
"""
from __future__ import annotations

import time
from pathlib import Path

import dask
import dask.dataframe as dd
import pandas as pd

from batch.io import ChunkWriter, InputError, detect_format
from batch.local import Summary, default_errors_path
from batch.scoring import (
    DEFAULT_COLUMNS,
    ERROR_SCHEMA,
    RESULT_SCHEMA,
    ROW_COLUMN,
    InputColumns,
    combined_meta,
    load_predictor,
    score_combined,
    split_combined,
)
from training.config import MAX_TEXT_CHARS, MODELS_DIR

__all__ = ["score_dask", "write_parquet", "read_dask", "score_file_on_dask"]

#: Byte size of a JSONL partition; CSV and TSV are read one partition per file (see :func:`read_dask`).
JSONL_BLOCKSIZE = "64MB"


def _score_partition(df: pd.DataFrame, model_dir: str, columns: InputColumns, max_chars: int) -> pd.DataFrame:
    return score_combined(df, load_predictor(model_dir), columns=columns, max_chars=max_chars)


def score_dask(ddf: dd.DataFrame, model_dir: str | Path = MODELS_DIR, *, columns: InputColumns = DEFAULT_COLUMNS,
               max_chars: int = MAX_TEXT_CHARS) -> tuple[dd.DataFrame, dd.DataFrame]:
    """Lazy ``(results, errors)`` frames for the ads of ``ddf``, with the local path's columns.

    Both come from one ``map_partitions`` over ``ddf``: compute them together (as
    :func:`write_parquet` does) and each partition is scored once. Row numbers in ``errors`` are
    positions in ``ddf`` as a whole (a running count over partitions).

    Args:
        ddf: the ads; needs ``columns.text``, and uses ``columns.id`` / ``columns.title`` if present.
        model_dir: artifact directory (or the ``models/`` folder) as seen from the workers.
    """
    if columns.text not in ddf.columns:
        raise InputError(f"no text column {columns.text!r} (columns: {', '.join(map(repr, ddf.columns))})")
    # A running count gives each row its position in the whole input without a pass ahead.
    ddf = ddf.assign(**{ROW_COLUMN: 1})
    ddf = ddf.assign(**{ROW_COLUMN: ddf[ROW_COLUMN].cumsum() - 1})
    combined = ddf.map_partitions(_score_partition, str(model_dir), columns, max_chars,
                                  meta=combined_meta())
    return split_combined(combined)


def write_parquet(results: dd.DataFrame, errors: dd.DataFrame, output_dir: str | Path,
                  errors_path: str | Path) -> Summary:
    """Write ``results`` as a Parquet directory (replacing it) and ``errors`` as one local file.

    Errors are gathered on the client: there are few of them, and one file is what people open.
    """
    started = time.perf_counter()
    write = results.to_parquet(str(output_dir), write_index=False, schema=RESULT_SCHEMA, overwrite=True,
                               compute=False)
    n_scored = results.map_partitions(len).sum()
    _, scored, error_rows = dask.compute(write, n_scored, errors)
    with ChunkWriter(errors_path, ERROR_SCHEMA) as err:
        err.write(error_rows)
    return Summary(rows=int(scored) + len(error_rows), scored=int(scored), errors=len(error_rows),
                   seconds=time.perf_counter() - started, output=str(output_dir), errors_output=str(errors_path))


def read_dask(path: str | Path, *, fmt: str | None = None, columns: InputColumns = DEFAULT_COLUMNS) -> dd.DataFrame:
    """Read an input with ``dask.dataframe`` as the local reader would (ids stay text).

    Parquet is split by row groups and JSONL by bytes. CSV and TSV are read one partition per file,
    because ad texts hold quoted newlines that byte ranges would cut: convert big CSVs to Parquet.
    """
    fmt = detect_format(path, fmt)
    try:
        if fmt == "parquet":
            ddf = dd.read_parquet(str(path))
        elif fmt == "jsonl":
            ddf = dd.read_json(str(path), lines=True, blocksize=JSONL_BLOCKSIZE, dtype=False)
        else:
            # object columns, as in the local reader: pyarrow strings cannot hold the lone surrogates
            # that undecodable bytes become, and those rows must reach the check as invalid_encoding
            with dask.config.set({"dataframe.convert-string": False}):
                ddf = dd.read_csv(str(path), sep="," if fmt == "csv" else "\t", blocksize=None, dtype=object,
                                  keep_default_na=False, encoding="utf-8-sig", encoding_errors="surrogateescape")
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read {str(path)!r} as {fmt}: {exc}") from None
    if columns.text not in ddf.columns:
        raise InputError(f"no text column {columns.text!r} in {str(path)!r} "
                         f"(columns: {', '.join(map(repr, ddf.columns))}); name it with --text-col")
    return ddf[[c for c in (columns.id, columns.title, columns.text) if c in ddf.columns]]


def score_file_on_dask(input_path: str | Path, output_dir: str | Path, *, scheduler: str,
                       errors_path: str | Path | None = None, input_format: str | None = None,
                       columns: InputColumns = DEFAULT_COLUMNS, model_dir: str | Path = MODELS_DIR,
                       max_chars: int = MAX_TEXT_CHARS) -> Summary:
    """The CLI's ``--dask-scheduler`` path: connect, read, score, write a Parquet directory."""
    from distributed import Client  # only this path needs it

    ddf = read_dask(input_path, fmt=input_format, columns=columns)
    errors_path = errors_path or default_errors_path(output_dir)
    with Client(scheduler):
        results, errors = score_dask(ddf, model_dir, columns=columns, max_chars=max_chars)
        return write_parquet(results, errors, output_dir, errors_path)
