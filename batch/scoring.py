"""Scoring one chunk of ads: a pandas DataFrame in, a results frame and an errors frame out.

This is the one place where rows are checked and turned into output columns; the local runner
(:mod:`batch.local`), the Dask path (:mod:`batch.distributed`) and a Spark ``mapInPandas`` all call
:func:`score_combined` / :func:`score_chunk`, so every path writes the same rows.

>>> results, errors = score_chunk(df, load_predictor("models"))   # doctest: +SKIP
"""
from __future__ import annotations

import gc
import logging
import math
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import pandas as pd
import pyarrow as pa

from training.artifact import resolve_model_dir
from training.config import MAX_TEXT_CHARS

if TYPE_CHECKING:  # the model's modules load scikit-learn: imported by load_predictor, in the workers
    from training.predictor import Predictor

__all__ = ["InputColumns", "DEFAULT_COLUMNS", "RESULT_SCHEMA", "ERROR_SCHEMA", "COMBINED_SCHEMA", "empty_frame", "combined_meta",
           "load_predictor",
           "score_chunk", "score_combined", "split_combined", "ROW_COLUMN", "READ_ERROR_COLUMN"]

logger = logging.getLogger(__name__)

#: Optional input column with each row's 0-based position in the whole input (readers add it).
ROW_COLUMN = "_row"
#: Optional input column with a reason the reader could not decode the row (e.g. a broken JSON line).
READ_ERROR_COLUMN = "_read_error"

#: One row per scored ad. ``skills`` holds comma-separated skill ids in every format, so a CSV and a
#: Parquet output of the same input hold the same values.
RESULT_SCHEMA = pa.schema([
    ("id", pa.string()),
    ("role", pa.string()),
    ("role_confidence", pa.float64()),
    ("isco08", pa.string()),
    ("kldb2010", pa.string()),
    ("esco", pa.string()),
    ("is_digital_communication", pa.bool_()),
    ("seniority", pa.string()),
    ("skills", pa.string()),
    ("result_json", pa.string()),
    ("model_version", pa.string()),
])
#: One row per ad that could not be scored; ``row`` is its 0-based position in the input.
ERROR_SCHEMA = pa.schema([("id", pa.string()), ("row", pa.int64()), ("reason", pa.string())])
#: Results and errors in one frame (``reason`` is null for scored rows): what a Dask partition or a
#: Spark batch returns, so that one pass over the data yields both.
COMBINED_SCHEMA = pa.schema([*ERROR_SCHEMA, *(f for f in RESULT_SCHEMA if f.name != "id")])

# object, not pandas' "str": pandas 2 turns None into the text "None" on astype(str), and lone
# surrogates (undecodable input) cannot live in pyarrow-backed strings.
_PANDAS_DTYPES = {pa.string(): "object", pa.float64(): "float64", pa.bool_(): "bool", pa.int64(): "int64"}
# In the combined frame error rows have no booleans: the nullable dtype keeps them missing, not False.
_COMBINED_DTYPES = {"is_digital_communication": "boolean"}



def _undecodable(text: str) -> bool:
    """Whether ``text`` holds a lone surrogate (what undecodable input bytes become), which UTF-8 cannot encode.

    Encoding is a C loop over the text, several times faster than a regex search for the surrogate range
    (measured: 10 -> 2 us for an ad); ASCII text is known to have none.
    """
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


@dataclass(frozen=True)
class InputColumns:
    """Names of the input columns. Without an ``id`` column the row number is the id."""

    id: str = "id"
    title: str = "title"
    text: str = "text"


#: ``id`` / ``title`` / ``text``.
DEFAULT_COLUMNS = InputColumns()


def empty_frame(schema: pa.Schema, overrides: dict[str, str] | None = None) -> pd.DataFrame:
    """An empty DataFrame with the pandas dtypes of ``schema`` (Dask's ``meta``)."""
    overrides = overrides or {}
    return pd.DataFrame({f.name: pd.Series(dtype=overrides.get(f.name, _PANDAS_DTYPES[f.type])) for f in schema})


def combined_meta() -> pd.DataFrame:
    """An empty frame with the dtypes :func:`score_combined` returns."""
    return empty_frame(COMBINED_SCHEMA, _COMBINED_DTYPES)


# -- the model, once per process ----------------------------------------------------------------
_PREDICTORS: dict[str, Predictor] = {}
_LOAD_LOCK = threading.Lock()
#: Allocations between two collections of the youngest generation (Python's default: 700).
_GC_YOUNG_THRESHOLD = 20_000


def load_predictor(model_dir: str | Path) -> Predictor:
    """The verified model in ``model_dir``, loaded once per process and then reused.

    Worker processes (a local pool, Dask workers, Spark executors) call this for every chunk; the
    key is the resolved artifact directory, so pointing ``models/current`` at a new version loads it.
    """
    key = str(resolve_model_dir(model_dir))
    with _LOAD_LOCK:  # threaded Dask workers would otherwise load the same artifact twice
        if key not in _PREDICTORS:
            from training.predictor import Predictor

            logger.info("loading model from %s", key)
            _PREDICTORS[key] = Predictor.load(key)
            # The model lives as long as the process: move its objects out of the garbage
            # collector's way. Each full collection otherwise walks all of them (~80 ms, measured
            # as 7-10 % of scoring time).
            gc.freeze()
            # Scoring allocates millions of short-lived lists and tuples, few of them in cycles:
            # collecting the young generation every 700 allocations cost another ~8 %
            # (benchmarks: 1.19 -> 1.08 ms per ad; with the collector off, 1.07).
            gc.set_threshold(_GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
        return _PREDICTORS[key]


# -- checking rows ------------------------------------------------------------------------------
def _missing(value: Any) -> bool:
    # pd.isna would answer with an array for a list-valued JSON field
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _type_name(value: Any) -> str:
    return {dict: "an object", list: "an array", bool: "a boolean", int: "an integer",
            float: "a number"}.get(type(value), type(value).__name__)


def _text_problem(text: Any, max_chars: int) -> str | None:
    """Why ``text`` cannot be scored, as ``code: explanation`` (codes as in the HTTP API), or None."""
    if _missing(text):
        return "missing_text: the row has no text"
    if not isinstance(text, str):
        return f"invalid_type: text must be a string, got {_type_name(text)}"
    if not text or text.isspace():
        return "empty_text: the text is empty or only whitespace"
    if len(text) > max_chars:
        return f"text_too_long: the text has {len(text)} characters; the limit is {max_chars}"
    if _undecodable(text):
        return "invalid_encoding: the text is not valid UTF-8; re-encode the input as UTF-8"
    return None


def _title(title: Any) -> tuple[str | None, str | None]:
    """``(title, problem)``: a missing or blank title is no title, not an error."""
    if _missing(title) or (isinstance(title, str) and not title.strip()):
        return None, None
    if not isinstance(title, str):
        return None, f"invalid_type: title must be a string, got {_type_name(title)}"
    if _undecodable(title):
        return None, "invalid_encoding: the title is not valid UTF-8; re-encode the input as UTF-8"
    return title, None


def _row_id(value: Any, row: int) -> str:
    if _missing(value) or (isinstance(value, str) and not value.strip()):
        return str(row)
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a numeric id column with gaps arrives as float: keep "7", not "7.0"
    out = str(value)
    # an undecodable id must still be writable as UTF-8
    return out.encode("utf-8", "backslashreplace").decode("utf-8") if _undecodable(out) else out


# -- scoring ------------------------------------------------------------------------------------
def _result_columns(result: dict[str, Any], version: str) -> dict[str, Any]:
    role = result["role"]
    codes = role.get("codes") or {}
    return {
        "role": role["id"],
        "role_confidence": role["confidence"],
        "isco08": codes.get("isco08"),
        "kldb2010": codes.get("kldb2010"),
        "esco": codes.get("esco"),
        "is_digital_communication": result["is_digital_communication"],
        "seniority": result["seniority"]["id"],
        "skills": ",".join(s["id"] for s in result["skills"]),
        "result_json": orjson.dumps(result).decode(),  # compact UTF-8, as json.dumps(ensure_ascii=False)
        "model_version": version,
    }


def _classify(predictor: Predictor, items: list[tuple[str, str | None]]) -> list[dict[str, Any] | str]:
    """Results for ``items`` (vectorised), or for an item the model fails on, the reason.

    Raises:
        Exception: whatever the model raised, when it fails on every ad of the chunk: then the model
            or the code is broken, not the data, and a file of errors would hide it.
    """
    if not items:
        return []
    try:
        return predictor.classify_batch(items)
    except Exception as exc:  # one odd ad must not sink its chunk: retry one by one to find it
        batch_error = exc
    logger.warning("the model failed on a chunk of %d ads (%s); retrying them one by one", len(items), batch_error)
    out: list[dict[str, Any] | str] = []
    for text, title in items:
        try:
            out.append(predictor.classify(text, title))
        except Exception as exc:
            out.append(f"model_error: {type(exc).__name__}: {exc}")
    if all(isinstance(o, str) for o in out):
        raise batch_error
    return out


def score_combined(chunk: pd.DataFrame, predictor: Predictor, *, columns: InputColumns = DEFAULT_COLUMNS,
                   max_chars: int = MAX_TEXT_CHARS, start_row: int = 0) -> pd.DataFrame:
    """Score a chunk into one frame of :data:`COMBINED_SCHEMA`, in input order.

    Rows that cannot be scored keep their id and row number and carry a ``reason``; the others a
    null reason and the result columns. Row numbers come from the chunk's ``_row`` column when the
    reader added one, else ``start_row`` plus the position in the chunk.

    Raises:
        KeyError: the chunk has no text column.
    """
    n = len(chunk)
    texts = chunk[columns.text].tolist()
    titles = chunk[columns.title].tolist() if columns.title in chunk else [None] * n
    ids = chunk[columns.id].tolist() if columns.id in chunk else [None] * n
    rows = chunk[ROW_COLUMN].tolist() if ROW_COLUMN in chunk else list(range(start_row, start_row + n))
    read_errors = chunk[READ_ERROR_COLUMN].tolist() if READ_ERROR_COLUMN in chunk else [None] * n

    reasons: list[str | None] = []
    items: list[tuple[str, str | None]] = []
    for text, raw_title, read_error in zip(texts, titles, read_errors, strict=True):
        title, title_problem = _title(raw_title)
        reason = (read_error if not _missing(read_error) else None) or _text_problem(text, max_chars) or title_problem
        reasons.append(reason)
        if reason is None:
            items.append((text, title))

    outcomes = iter(_classify(predictor, items))
    records = []
    for raw_id, row, reason in zip(ids, rows, reasons, strict=True):
        record: dict[str, Any] = {"id": _row_id(raw_id, int(row)), "row": int(row), "reason": reason}
        if reason is None:
            outcome = next(outcomes)
            if isinstance(outcome, str):
                record["reason"] = outcome
            else:
                record.update(_result_columns(outcome, predictor.version))
        records.append(record)
    return _frame(records, COMBINED_SCHEMA, _COMBINED_DTYPES)


def split_combined(combined: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(results, errors)`` from a combined frame; works on pandas and Dask frames alike."""
    ok = combined["reason"].isna()
    results = combined[ok][RESULT_SCHEMA.names].astype({"is_digital_communication": "bool"})
    errors = combined[~ok][ERROR_SCHEMA.names]
    return results, errors


def score_chunk(chunk: pd.DataFrame, predictor: Predictor, *, columns: InputColumns = DEFAULT_COLUMNS,
                max_chars: int = MAX_TEXT_CHARS, start_row: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score a chunk of ads: ``(results, errors)`` with the columns of :data:`RESULT_SCHEMA` and
    :data:`ERROR_SCHEMA`, each in input order and with a fresh 0-based index.

    Bad rows (missing, empty, non-string, oversized or undecodable text) go to ``errors`` with the
    reason; they never raise. See :func:`score_combined` for the arguments.
    """
    combined = score_combined(chunk, predictor, columns=columns, max_chars=max_chars, start_row=start_row)
    results, errors = split_combined(combined)
    return results.reset_index(drop=True), errors.reset_index(drop=True)


def _frame(records: list[dict[str, Any]], schema: pa.Schema, overrides: dict[str, str]) -> pd.DataFrame:
    dtypes = {f.name: overrides.get(f.name, _PANDAS_DTYPES[f.type]) for f in schema}
    return pd.DataFrame({name: pd.Series([r.get(name) for r in records], dtype=dtype)
                         for name, dtype in dtypes.items()})
