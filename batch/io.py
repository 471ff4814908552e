"""Reading ads and writing results chunk by chunk: CSV, TSV, JSONL and Parquet, told apart by extension.

Memory stays flat whatever the file size: readers yield DataFrames of at most ``chunk_size`` rows
(Parquet by record batches with pyarrow), writers append each chunk to the open file. Every chunk
carries ``_row``, each row's 0-based position in the input, for the errors file.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from batch.scoring import DEFAULT_COLUMNS, READ_ERROR_COLUMN, ROW_COLUMN, InputColumns

__all__ = ["FORMATS", "InputError", "detect_format", "ChunkReader", "ChunkWriter"]

FORMATS = ("csv", "tsv", "jsonl", "parquet")
_EXTENSIONS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl",
               ".parquet": "parquet", ".pq": "parquet"}
_SEPARATORS = {"csv": ",", "tsv": "\t"}
# The CSV parser reads whole files in these encodings; a byte that is not UTF-8 becomes a lone
# surrogate that the row check reports as "invalid_encoding", instead of the whole read failing.
_CSV_ENCODING = {"encoding": "utf-8-sig", "encoding_errors": "surrogateescape"}


class InputError(ValueError):
    """The input cannot be read at all: missing file, unknown format, no text column."""


def detect_format(path: str | Path, override: str | None = None) -> str:
    """The format of ``path``: ``override`` if given, else from the extension."""
    if override:
        if override not in FORMATS:
            raise InputError(f"format must be one of {', '.join(FORMATS)}; got {override!r}")
        return override
    fmt = _EXTENSIONS.get(Path(path).suffix.lower())
    if fmt is None:
        raise InputError(f"cannot tell the format of {str(path)!r} from its extension; use one of "
                         f"{', '.join(sorted(_EXTENSIONS))} or pass the format ({', '.join(FORMATS)})")
    return fmt


# -- reading -------------------------------------------------------------------------------------
class ChunkReader:
    """Chunks of an input file, checked when constructed so a bad input fails before any work.

    Yields DataFrames with the id / title / text columns that exist, plus ``_row`` and, for JSONL
    lines that are not JSON objects, ``_read_error``.

    Raises:
        InputError: the file does not exist, its format is unknown, or it has no text column.
    """

    def __init__(self, path: str | Path, *, fmt: str | None = None, columns: InputColumns = DEFAULT_COLUMNS,
                 chunk_size: int = 1000) -> None:
        self.path = Path(path)
        self.fmt = detect_format(self.path, fmt)
        self.columns = columns
        self.chunk_size = chunk_size
        if not self.path.is_file():
            raise InputError(f"input file {str(self.path)!r} does not exist or is not a file")
        found = self._column_names()
        if columns.text not in found:
            shown = ", ".join(map(repr, found[:20])) or "none"
            raise InputError(f"no text column {columns.text!r} in {str(self.path)!r} (columns: {shown}); "
                             "name it with --text-col")
        wanted = [columns.id, columns.title, columns.text]
        # JSONL objects may each have other fields: take all three, a missing one reads as null
        self._selected = wanted if self.fmt == "jsonl" else [c for c in wanted if c in found]

    def _column_names(self) -> list[str]:
        try:
            if self.fmt == "parquet":
                return pq.read_schema(self.path).names
            if self.fmt == "jsonl":
                first = next((r for r, _ in _jsonl_records(self.path) if r is not None), None)
                return list(first) if first else []
            return list(pd.read_csv(self.path, sep=_SEPARATORS[self.fmt], nrows=0, **_CSV_ENCODING).columns)
        except (OSError, ValueError, pa.ArrowException) as exc:
            raise InputError(f"cannot read {str(self.path)!r} as {self.fmt}: {exc}") from None

    def __iter__(self) -> Iterator[pd.DataFrame]:
        return {"parquet": self._parquet, "jsonl": self._jsonl}.get(self.fmt, self._csv)()

    def count_rows(self) -> int:
        """The number of rows (for the progress bar's ETA): metadata for Parquet, a pass otherwise."""
        if self.fmt == "parquet":
            return pq.read_metadata(self.path).num_rows
        if self.fmt == "jsonl":
            return sum(1 for _ in _jsonl_lines(self.path))
        # quoted newlines inside ad texts make line counts wrong: let the parser count
        return sum(len(c) for c in self._csv())

    def _csv(self) -> Iterator[pd.DataFrame]:
        # All columns, not usecols: with usecols pandas would silently shift a row with too many
        # fields instead of refusing it. Object dtype and no NA guessing: ids stay "007", and an ad
        # reading "NA" stays text.
        with pd.read_csv(self.path, sep=_SEPARATORS[self.fmt], dtype=object, keep_default_na=False,
                         chunksize=self.chunk_size, **_CSV_ENCODING) as reader:
            start = 0
            while True:
                try:
                    chunk = next(reader)
                except StopIteration:
                    return
                except pd.errors.ParserError as exc:  # a broken quote or field count: no way to resync
                    raise InputError(f"cannot read {str(self.path)!r} after row {start}: {exc}; "
                                     "fix the file or convert it to JSONL or Parquet") from None
                yield _numbered(chunk[self._selected].reset_index(drop=True), start)
                start += len(chunk)

    def _parquet(self) -> Iterator[pd.DataFrame]:
        # pre_buffer keeps every row group's compressed bytes cached until the file is closed, so
        # memory grew with the file (measured: ~1.2 KB per ad over 100,000 ads); off, it stays flat.
        with pq.ParquetFile(self.path, pre_buffer=False) as pf:
            start = 0
            for batch in pf.iter_batches(batch_size=self.chunk_size, columns=self._selected):
                if self.columns.id in batch.schema.names and batch.schema.field(self.columns.id).type != pa.string():
                    i = batch.schema.get_field_index(self.columns.id)
                    batch = batch.set_column(i, self.columns.id, pc.cast(batch.column(i), pa.string()))
                chunk = batch.to_pandas()
                yield _numbered(chunk, start)
                start += len(chunk)

    def _jsonl(self) -> Iterator[pd.DataFrame]:
        buffer: list[dict[str, Any]] = []
        for row, (record, problem) in enumerate(_jsonl_records(self.path)):
            entry = {c: record.get(c) for c in self._selected} if record is not None else {}
            entry[ROW_COLUMN] = row
            entry[READ_ERROR_COLUMN] = problem
            buffer.append(entry)
            if len(buffer) == self.chunk_size:
                yield _records_frame(buffer, self._selected)
                buffer = []
        if buffer:
            yield _records_frame(buffer, self._selected)


def _numbered(chunk: pd.DataFrame, start: int) -> pd.DataFrame:
    return chunk.assign(**{ROW_COLUMN: range(start, start + len(chunk))})


def _records_frame(records: list[dict[str, Any]], selected: list[str]) -> pd.DataFrame:
    # object columns keep JSON values as they are (an integer text stays an integer, to be refused)
    names = [*selected, ROW_COLUMN, READ_ERROR_COLUMN]
    return pd.DataFrame({n: pd.Series([r.get(n) for r in records],
                                      dtype="int64" if n == ROW_COLUMN else "object") for n in names})


def _jsonl_lines(path: Path) -> Iterator[bytes]:
    """Non-blank lines as bytes; blank lines are not rows (a trailing newline is common)."""
    with path.open("rb") as fh:
        for line in fh:
            if line.strip():
                yield line


def _jsonl_records(path: Path) -> Iterator[tuple[dict[str, Any] | None, str | None]]:
    """``(record, None)`` per good line, ``(None, reason)`` per line that is not a UTF-8 JSON object."""
    for line in _jsonl_lines(path):
        try:
            record = json.loads(line.decode("utf-8"))
        except UnicodeDecodeError as exc:
            yield None, f"invalid_encoding: the line is not valid UTF-8 (byte {exc.start}); re-encode the input"
            continue
        except json.JSONDecodeError as exc:
            yield None, f"invalid_json: {exc.msg} at column {exc.colno}"
            continue
        if not isinstance(record, dict):
            yield None, f"invalid_json: the line holds a JSON {type(record).__name__}, not an object"
            continue
        yield record, None


# -- writing -------------------------------------------------------------------------------------
class ChunkWriter:
    """Appends DataFrames with the columns of ``schema`` to a CSV, TSV, JSONL or Parquet file.

    Writes go to ``<path>.partial`` and are renamed on :meth:`close`, so a file under the final
    name is always complete; an empty run still writes the header (CSV/TSV) or schema (Parquet).
    """

    def __init__(self, path: str | Path, schema: pa.Schema, *, fmt: str | None = None) -> None:
        self.path = Path(path)
        self.fmt = detect_format(self.path, fmt)
        self.schema = schema
        self._tmp = self.path.with_name(self.path.name + ".partial")
        self.rows = 0
        self._text: TextIO | None = None
        self._parquet: pq.ParquetWriter | None = None
        if self.fmt == "parquet":
            self._parquet = pq.ParquetWriter(self._tmp, schema)
        else:
            self._text = self._tmp.open("w", encoding="utf-8", newline="")
            if self.fmt in _SEPARATORS:
                self._text.write(_SEPARATORS[self.fmt].join(schema.names) + "\n")

    def write(self, df: pd.DataFrame) -> None:
        """Append ``df`` (its columns in schema order)."""
        df = df[self.schema.names]
        self.rows += len(df)
        if self._parquet is not None:
            self._parquet.write_table(pa.Table.from_pandas(df, schema=self.schema, preserve_index=False))
        elif self.fmt == "jsonl":
            for record in df.astype(object).where(df.notna(), None).to_dict("records"):
                self._text.write(json.dumps(record, ensure_ascii=False, allow_nan=False) + "\n")
        else:
            df.to_csv(self._text, sep=_SEPARATORS[self.fmt], header=False, index=False, lineterminator="\n")

    def close(self) -> None:
        """Finish the file and move it to its final name."""
        self._finish()
        os.replace(self._tmp, self.path)

    def abort(self) -> None:
        """Drop the partial file (after a failure)."""
        self._finish()
        self._tmp.unlink(missing_ok=True)

    def _finish(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
        if self._text is not None:
            self._text.close()

    def __enter__(self) -> ChunkWriter:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()
