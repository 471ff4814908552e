"""Batch I/O: every input and output format round-trips, readers stream in chunks, formats by extension."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from batch_ads import ADS, ERROR_COLUMNS, EXTENSIONS, RESULT_COLUMNS, as_text, read_output, write_input

from batch.io import ChunkReader, ChunkWriter, InputError, detect_format
from batch.local import score_file
from batch.scoring import ERROR_SCHEMA, RESULT_SCHEMA, InputColumns, score_chunk
from training.config import MODELS_DIR

FORMATS = list(EXTENSIONS)


@pytest.fixture(scope="module")
def reference(predictor) -> pd.DataFrame:
    """The synthetic ads scored in memory: what every file round trip must give back."""
    results, errors = score_chunk(ADS, predictor)
    assert errors.empty
    return as_text(results)


@pytest.mark.parametrize("input_format", FORMATS)
@pytest.mark.parametrize("output_format", FORMATS)
def test_each_format_round_trips(tmp_path, reference, input_format, output_format):
    source = write_input(ADS, tmp_path / f"ads{EXTENSIONS[input_format]}", input_format)
    target = tmp_path / f"scored{EXTENSIONS[output_format]}"
    summary = score_file(source, target, chunk_size=3, model_dir=MODELS_DIR)
    back = read_output(target)
    assert list(back.columns) == RESULT_COLUMNS
    assert back["id"].tolist() == ADS["id"].tolist()  # "007" stays text, order is input order
    pd.testing.assert_frame_equal(back, reference)
    assert (summary.rows, summary.scored, summary.errors) == (len(ADS), len(ADS), 0)
    errors = read_output(tmp_path / f"scored{EXTENSIONS[output_format]}.errors.csv")
    assert list(errors.columns) == ERROR_COLUMNS and errors.empty


def test_result_columns_hold_documented_values(reference):
    first = reference.iloc[0]
    assert first["role"] == "social_media_manager" and first["is_digital_communication"] == "True"
    assert first["isco08"].isdigit() and first["esco"].startswith("http")
    assert set(first["skills"].split(",")) <= {s["id"] for s in json.loads(first["result_json"])["skills"]}
    other = reference[reference["role"] == "other"]
    assert (other["isco08"] == "").all() and (other["skills"] == "").all()
    assert reference["model_version"].nunique() == 1


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("chunk_size", [1, 3, 100])
def test_reader_streams_chunks_with_row_numbers(tmp_path, fmt, chunk_size):
    path = write_input(ADS, tmp_path / f"ads{EXTENSIONS[fmt]}", fmt, row_group_size=2)
    chunks = list(ChunkReader(path, chunk_size=chunk_size))
    assert all(len(c) <= chunk_size for c in chunks)
    joined = pd.concat(chunks, ignore_index=True)
    assert joined["_row"].tolist() == list(range(len(ADS)))
    assert joined["id"].tolist() == ADS["id"].tolist()
    assert joined["text"].tolist() == ADS["text"].tolist()
    assert ChunkReader(path).count_rows() == len(ADS)


def test_parquet_reader_memory_does_not_grow_with_the_file(tmp_path):
    # pyarrow's pre_buffer cached every row group read until the file closed: memory grew with the
    # file. Random hex does not compress: the file is ~4 MB, and holding it is plain to see.
    rng = np.random.default_rng(0)
    texts = [rng.bytes(1000).hex() for _ in range(2000)]
    path = write_input(pd.DataFrame({"id": range(2000), "text": texts}), tmp_path / "big.parquet", "parquet",
                       row_group_size=100)
    base = pa.total_allocated_bytes()
    held = [pa.total_allocated_bytes() - base for _ in ChunkReader(path, chunk_size=100)]
    assert len(held) == 20
    assert max(held) < path.stat().st_size / 3  # a row group or two, not the file


@pytest.mark.parametrize("fmt", FORMATS)
def test_without_id_column_the_row_number_is_the_id(tmp_path, predictor, fmt):
    path = write_input(ADS.drop(columns=["id"]), tmp_path / f"ads{EXTENSIONS[fmt]}", fmt)
    results, _ = score_chunk(pd.concat(ChunkReader(path)), predictor)
    assert results["id"].tolist() == [str(i) for i in range(len(ADS))]


def test_jsonl_fields_may_differ_from_line_to_line(tmp_path, predictor):
    path = tmp_path / "ads.jsonl"
    lines = [{"text": ADS["text"][0]}, {"id": "b", "title": ADS["title"][1], "text": ADS["text"][1], "extra": 1}]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    chunk = pd.concat(ChunkReader(path))
    assert chunk["title"].tolist() == [None, ADS["title"][1]]
    results, _ = score_chunk(chunk, predictor)
    assert results["id"].tolist() == ["0", "b"]


def test_custom_column_names(tmp_path, predictor):
    renamed = ADS.rename(columns={"id": "ref", "title": "headline", "text": "body"})
    path = write_input(renamed, tmp_path / "ads.parquet", "parquet")
    columns = InputColumns(id="ref", title="headline", text="body")
    results, errors = score_chunk(pd.concat(ChunkReader(path, columns=columns)), predictor, columns=columns)
    assert results["id"].tolist() == ADS["id"].tolist() and errors.empty


def test_numeric_parquet_ids_become_text(tmp_path, predictor):
    path = write_input(ADS.assign(id=range(10, 10 + len(ADS))), tmp_path / "ads.parquet", "parquet")
    results, _ = score_chunk(pd.concat(ChunkReader(path)), predictor)
    assert results["id"].tolist() == [str(i) for i in range(10, 10 + len(ADS))]


@pytest.mark.parametrize(("name", "override", "expected"), [
    ("ads.csv", None, "csv"),
    ("ADS.CSV", None, "csv"),
    ("ads.tsv", None, "tsv"),
    ("ads.tab", None, "tsv"),
    ("ads.jsonl", None, "jsonl"),
    ("ads.ndjson", None, "jsonl"),
    ("ads.parquet", None, "parquet"),
    ("ads.pq", None, "parquet"),
    ("ads.txt", "tsv", "tsv"),
    ("export", "jsonl", "jsonl"),
])
def test_detect_format(name, override, expected):
    assert detect_format(name, override) == expected


@pytest.mark.parametrize(("name", "override", "match"), [
    ("ads.txt", None, "cannot tell the format"),
    ("ads", None, "cannot tell the format"),
    ("ads.csv", "xlsx", "format must be one of"),
])
def test_detect_format_refuses(name, override, match):
    with pytest.raises(InputError, match=match):
        detect_format(name, override)


@pytest.mark.parametrize("fmt", FORMATS)
def test_writer_writes_schema_even_without_rows(tmp_path, fmt):
    path = tmp_path / f"empty{EXTENSIONS[fmt]}"
    with ChunkWriter(path, ERROR_SCHEMA):
        pass
    assert path.exists() and not (tmp_path / f"{path.name}.partial").exists()
    if fmt != "jsonl":  # an empty JSONL file has no header to read back
        assert list(read_output(path).columns) == ERROR_COLUMNS


def test_writer_leaves_no_file_after_a_failure(tmp_path):
    path = tmp_path / "out.csv"
    with pytest.raises(RuntimeError), ChunkWriter(path, RESULT_SCHEMA):
        raise RuntimeError("scoring failed")
    assert list(tmp_path.iterdir()) == []
