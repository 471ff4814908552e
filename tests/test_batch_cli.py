"""jobclass-score: bad rows go to the errors file, unreadable input fails, stdout stays clean, output is stable."""
from __future__ import annotations

import gc
import json
import multiprocessing
import sys
import threading

import pandas as pd
import pytest
from batch_ads import ADS, ERROR_COLUMNS, EXTENSIONS, as_text, read_output, write_input

from batch import local, scoring
from batch.cli import main
from batch.local import score_file
from batch.scoring import score_chunk
from training.config import MAX_TEXT_CHARS, MODELS_DIR

GOOD = ADS.iloc[:2].to_dict("records")
GOOD_TEXT = GOOD[0]["text"]

#: (case, JSONL record placed after two good ads, reason code expected in the errors file)
BAD_ROWS = [
    ("empty text", {"id": "bad", "title": "Editor", "text": ""}, "empty_text"),
    ("blank text", {"id": "bad", "text": "  \n\t "}, "empty_text"),
    ("missing text", {"id": "bad", "title": "Editor"}, "missing_text"),
    ("null text", {"id": "bad", "text": None}, "missing_text"),
    ("integer text", {"id": "bad", "text": 42}, "invalid_type"),
    ("list text", {"id": "bad", "text": ["a", "b"]}, "invalid_type"),
    ("object text", {"id": "bad", "text": {"de": "Text"}}, "invalid_type"),
    ("oversized text", {"id": "bad", "text": "Redakteur " * (MAX_TEXT_CHARS // 10) + "!"}, "text_too_long"),
    ("non-string title", {"id": "bad", "title": 12, "text": GOOD_TEXT}, "invalid_type"),
    ("lone surrogate", {"id": "bad", "text": "Redakteur \ud800 gesucht"}, "invalid_encoding"),
    ("lone surrogate after umlauts", {"id": "bad", "text": "Straße, München und Köln \udcfc"}, "invalid_encoding"),
    ("lone surrogate in the title", {"id": "bad", "title": "Redakteur \udcfc", "text": GOOD_TEXT}, "invalid_encoding"),
]

#: (case, raw bytes of an input file, extension, reason code of row 1; rows 0 and 2 are good)
UNDECODABLE = [
    ("latin-1 bytes in a CSV", b"id,text\ng1,Wir suchen eine Redakteurin\nbad,Stra\xdfe und M\xfcnchen\n"
                               b"g2,We are hiring a video editor\n", ".csv", "invalid_encoding"),
    ("latin-1 bytes in a JSONL line", b'{"id": "g1", "text": "Wir suchen eine Redakteurin"}\n'
                                      b'{"id": "bad", "text": "Stra\xdfe"}\n'
                                      b'{"id": "g2", "text": "We are hiring a video editor"}\n', ".jsonl",
     "invalid_encoding"),
    ("broken JSON line", b'{"id": "g1", "text": "Wir suchen eine Redakteurin"}\n{"id": "bad", "text": \n'
                         b'{"id": "g2", "text": "We are hiring a video editor"}\n', ".jsonl", "invalid_json"),
    ("JSON array line", b'{"id": "g1", "text": "Wir suchen eine Redakteurin"}\n["bad"]\n'
                        b'{"id": "g2", "text": "We are hiring a video editor"}\n', ".jsonl", "invalid_json"),
]


@pytest.fixture(autouse=True)
def _model(predictor):
    """Every test here scores with the trained model (skipped without one)."""


def _jsonl(path, records):
    # ASCII escapes let a lone surrogate through as JSON "\\ud800", as a real export might carry it
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.mark.parametrize(("case", "record", "code"), BAD_ROWS, ids=[c for c, _, _ in BAD_ROWS])
def test_bad_rows_go_to_the_errors_file(tmp_path, capsys, case, record, code):
    source = _jsonl(tmp_path / "ads.jsonl", [*GOOD, record, GOOD[0] | {"id": "after"}])
    assert main([str(source), "-o", str(tmp_path / "out.csv")]) == 0
    errors = read_output(tmp_path / "out.csv.errors.csv")
    assert errors.to_dict("records") == [{"id": "bad", "row": "2", "reason": errors["reason"][0]}]
    assert errors["reason"][0].startswith(f"{code}: ")
    assert read_output(tmp_path / "out.csv")["id"].tolist() == [GOOD[0]["id"], GOOD[1]["id"], "after"]
    assert "scored 3 ads, 1 errors" in capsys.readouterr().err


@pytest.mark.parametrize(("case", "raw", "ext", "code"), UNDECODABLE, ids=[c for c, *_ in UNDECODABLE])
def test_undecodable_rows_go_to_the_errors_file(tmp_path, case, raw, ext, code):
    source = tmp_path / f"ads{ext}"
    source.write_bytes(raw)
    errors_path = tmp_path / "refused.csv"
    assert main([str(source), "-o", str(tmp_path / "out.jsonl"), "--errors", str(errors_path), "--quiet"]) == 0
    errors = read_output(errors_path)
    assert errors["row"].tolist() == ["1"] and errors["reason"][0].startswith(f"{code}: ")
    assert read_output(tmp_path / "out.jsonl")["id"].tolist() == ["g1", "g2"]


def test_errors_file_names_the_rows_in_input_order(tmp_path):
    records = [GOOD[0], {"id": "e1", "text": ""}, GOOD[1], {"text": 7}, {"id": "e3"}]
    source = _jsonl(tmp_path / "ads.jsonl", records)
    summary = score_file(source, tmp_path / "out.parquet", chunk_size=2, model_dir=MODELS_DIR)
    errors = read_output(tmp_path / "out.parquet.errors.csv")
    assert list(errors.columns) == ERROR_COLUMNS
    # a row without an id is named by its row number
    assert errors[["id", "row"]].values.tolist() == [["e1", "1"], ["3", "3"], ["e3", "4"]]
    assert (summary.rows, summary.scored, summary.errors) == (5, 2, 3)


@pytest.mark.parametrize(("case", "make_args", "message"), [
    ("missing file", lambda d: [str(d / "nope.csv")], "does not exist"),
    ("unknown input extension", lambda d: [str(_csv(d, "ads.xlsx"))], "cannot tell the format"),
    ("unknown output extension", lambda d: [str(_csv(d)), "-o", str(d / "out.txt")], "cannot tell the format"),
    ("no text column (CSV)", lambda d: [str(_csv(d)), "--text-col", "body"], "no text column 'body'"),
    ("no text column (Parquet)", lambda d: [str(write_input(ADS[["id"]], d / "a.parquet", "parquet"))],
     "no text column 'text'"),
    ("no text column (JSONL)", lambda d: [str(_jsonl(d / "a.jsonl", [{"id": "x", "body": "..."}]))],
     "no text column 'text'"),
    ("empty CSV", lambda d: [str(_empty(d / "empty.csv"))], "cannot read"),
    ("not Parquet", lambda d: [str(_csv(d)), "--format", "parquet"], "cannot read"),
    ("unclosed quote in a CSV", lambda d: [str(_write(d / "a.csv", 'id,text\na,fine\nb,"open\n'))],
     "EOF inside string"),
    ("too many fields in a CSV", lambda d: [str(_write(d / "a.csv", "id,text\na,fine\nb,x,y,z\n"))],
     "Expected 2 fields in line 3, saw 4"),
])
def test_unreadable_input_exits_non_zero(tmp_path, capsys, case, make_args, message):
    args = make_args(tmp_path)
    if "-o" not in args:
        args += ["-o", str(tmp_path / "out.csv")]
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("jobclass-score: error: ") and message in captured.err
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_model_that_cannot_be_loaded_exits_non_zero(tmp_path, capsys, workers):
    argv = [str(_csv(tmp_path)), "-o", str(tmp_path / "out.csv"), "--model-dir", str(tmp_path), "--workers", workers]
    assert main(argv) == 1
    assert "no model card" in capsys.readouterr().err


@pytest.mark.parametrize("extra", [[], ["-vv"], ["--quiet"]])
def test_nothing_on_stdout(tmp_path, capsys, extra):
    assert main([str(_csv(tmp_path)), "-o", str(tmp_path / "out.parquet"), *extra]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    summary = f"scored {len(ADS)} ads, 0 errors"
    assert (summary in captured.err) != ("--quiet" in extra)


def test_progress_bar_goes_to_stderr(tmp_path, capsys):
    score_file(_csv(tmp_path), tmp_path / "out.csv", chunk_size=3, progress=True, model_dir=MODELS_DIR)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{len(ADS)}/{len(ADS)}" in captured.err and "ads/s" in captured.err


def _mixed_input(tmp_path):
    """Good ads with bad rows in between, as JSONL."""
    records = ADS.to_dict("records")
    records[2:2] = [{"id": "e1", "text": ""}]
    records[6:6] = [{"id": "e2", "text": 3.5}]
    return _jsonl(tmp_path / "mixed.jsonl", [{k: v for k, v in r.items() if v is not None} for r in records])


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_two_workers_write_what_one_writes(tmp_path, monkeypatch, method):
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} on this platform")
    monkeypatch.setattr(local, "start_method", lambda: method)
    source = _mixed_input(tmp_path)
    outputs = {}
    for workers in (1, 2):
        out = tmp_path / f"out{workers}.csv"
        assert main([str(source), "-o", str(out), "--workers", str(workers), "--chunk-size", "2", "--quiet"]) == 0
        outputs[workers] = (out.read_bytes(), (tmp_path / f"out{workers}.csv.errors.csv").read_bytes())
    assert outputs[1] == outputs[2]
    assert outputs[1][1].count(b"\n") == 3  # header and the two bad rows


def test_workers_are_forked_only_from_a_process_without_other_threads():
    if not sys.platform.startswith("linux"):
        assert local.start_method() == "spawn"
        return
    assert local.start_method() == ("fork" if threading.active_count() == 1 else "spawn")
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert local.start_method() == "spawn"
    finally:
        stop.set()
        other.join()


def test_chunk_size_does_not_change_the_output(tmp_path):
    source = _mixed_input(tmp_path)
    outputs = []
    for chunk_size in (1, 4, 1000):
        out = tmp_path / f"out{chunk_size}.jsonl"
        assert main([str(source), "-o", str(out), "--chunk-size", str(chunk_size), "--quiet"]) == 0
        outputs.append((out.read_bytes(), (tmp_path / f"{out.name}.errors.csv").read_bytes()))
    assert outputs[0] == outputs[1] == outputs[2]


@pytest.mark.parametrize("fmt", list(EXTENSIONS))
def test_rerun_gives_byte_identical_output(tmp_path, fmt):
    source = _mixed_input(tmp_path)
    runs = []
    for run in range(2):
        out = tmp_path / f"run{run}{EXTENSIONS[fmt]}"
        assert main([str(source), "-o", str(out), "--chunk-size", "3", "--quiet"]) == 0
        runs.append((out.read_bytes(), (tmp_path / f"{out.name}.errors.csv").read_bytes()))
    assert runs[0] == runs[1]


@pytest.mark.parametrize(("input_name", "flags", "output_name", "written_as"), [
    ("ads.txt", ["--format", "tsv"], "scored.csv", "csv"),
    ("ads.tsv", ["--output-format", "jsonl"], "scored.out", "jsonl"),
    ("ads.data", ["--format", "tsv", "--output-format", "parquet"], "scored", "parquet"),
])
def test_format_overrides(tmp_path, input_name, flags, output_name, written_as):
    source = write_input(ADS, tmp_path / input_name, "tsv")
    out = tmp_path / output_name
    assert main([str(source), "-o", str(out), "--quiet", *flags]) == 0
    assert read_output(out, written_as)["id"].tolist() == ADS["id"].tolist()


@pytest.mark.parametrize("argv", [["a.csv"], ["a.csv", "-o", "b.csv", "--workers", "0"],
                                  ["a.csv", "-o", "b.csv", "--chunk-size", "x"]])
def test_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2 and capsys.readouterr().out == ""


def _csv(directory, name="ads.csv"):
    return write_input(ADS, directory / name, "csv")


def _empty(path):
    return _write(path, "")


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_output_is_the_same_as_scoring_in_memory(tmp_path, predictor):
    source = _mixed_input(tmp_path)
    assert main([str(source), "-o", str(tmp_path / "out.parquet"), "--quiet"]) == 0
    results, errors = score_chunk(pd.read_json(source, lines=True, dtype=False), predictor)
    pd.testing.assert_frame_equal(read_output(tmp_path / "out.parquet"), as_text(results))
    assert read_output(tmp_path / "out.parquet.errors.csv")["id"].tolist() == errors["id"].tolist()


def test_the_json_column_is_compact_utf8_json_of_the_result(predictor):
    # Written with orjson for speed: the bytes must be those of the standard library's compact, non-ASCII form.
    results, _ = score_chunk(ADS, predictor)
    written = results["result_json"].tolist()
    assert written == [json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":")) for text in written]
    assert [json.loads(text)["role"]["id"] for text in written] == results["role"].tolist()
    assert any(not text.isascii() for text in written)  # umlauts and dashes are written as they are


class _FailingPredictor:
    """The real predictor, except that it raises on ads containing ``poison`` (all ads if ``poison`` is '')."""

    def __init__(self, real, poison):
        self.real, self.poison, self.version = real, poison, real.version

    def classify_batch(self, items):
        if any(self.poison in text for text, _ in items):
            raise RuntimeError("the parser choked")
        return self.real.classify_batch(items)

    def classify(self, text, title=None):
        return self.classify_batch([(text, title)])[0]


def test_an_ad_the_model_fails_on_becomes_an_error_row(predictor):
    chunk = ADS.iloc[:3].assign(text=lambda d: d["text"].where(d.index != 1, "Redakteur POISON gesucht"))
    results, errors = score_chunk(chunk, _FailingPredictor(predictor, "POISON"))
    assert results["id"].tolist() == [ADS["id"][0], ADS["id"][2]]
    assert errors["row"].tolist() == [1]
    assert errors["reason"][0] == "model_error: RuntimeError: the parser choked"


def test_a_model_failing_on_every_ad_stops_the_run(predictor):
    # then the model or the code is broken, not the data: an errors file full of it would hide that
    with pytest.raises(RuntimeError, match="choked"):
        score_chunk(ADS.iloc[:3], _FailingPredictor(predictor, ""))


def test_loading_the_model_sets_the_garbage_collector_up_for_scoring():
    # The model is frozen out of the collector's way and young objects are collected less often (benchmarks).
    scoring.load_predictor(MODELS_DIR)
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[0] == scoring._GC_YOUNG_THRESHOLD
