"""training.data: the committed training data is valid; broken copies are reported by file and line.

Real ad texts are never written here: they are read at test time from the data directory, and
only copied into temporary directories.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from training.config import PROJECT_DATA_DIR, data_dir
from training.data import COLUMNS, DataDirError, Issue, dataset_fingerprint, load_dataset, validate
from training.data.cli import main
from training.taxonomy import OTHER, SPEC_ROLE_IDS, SPEC_SENIORITY_IDS, SPEC_SKILL_IDS

MIN_EXAMPLES_PER_ROLE = 25
MIN_REAL_OTHER = 300
LABELS_FILE = "corpus_labels_c1.jsonl"
AUTHORED_FILE = "authored_a1.jsonl"

#: A synthetic authored ad (our own words) used as the base of the broken authored rows.
SYNTHETIC_TEXT = (
    "Content Manager (m/w/d)\n"
    "Die Testfirma Beispiel GmbH sucht Verstärkung für den Blog.\n"
    "Aufgaben\n- Du schreibst Fachartikel über Fahrradreparatur und pflegst den Redaktionsplan.\n"
    "Profil\n- Du formulierst sicher und hast Freude an Schraubenschlüsseln."
)
AUTHORED_ROW = {
    "id": "authored:test:valid", "source": "authored", "provenance": "written for the test suite", "lang": "de",
    "format": "plain", "company_type": "corporate", "title": "Content Manager (m/w/d)", "text": SYNTHETIC_TEXT,
    "role": "content_manager", "roles_ok": [], "seniority": "professional",
    "skills": ["content_creation", "editorial_planning"], "note": "",
}
LABEL_ROW = {"lang": "de", "role": OTHER, "roles_ok": [], "seniority": "professional", "skills": None, "note": "test"}


@pytest.fixture(scope="module")
def dataset() -> pd.DataFrame:
    return load_dataset()


@pytest.fixture(scope="module")
def unlabelled_ids(dataset) -> list[str]:
    """Corpus ids with a usable text that the project has not labelled (read at run time)."""
    labelled = set(dataset["id"])
    out = []
    for path in sorted((data_dir() / "corpus").glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                if row["id"] not in labelled and len((row.get("text") or "").strip()) >= 200:
                    out.append(row["id"])
    assert len(out) >= 10
    return out


def _append(path: Path, rows: dict[str, str]) -> dict[str, int]:
    """Append raw lines to a JSONL file; returns the line number of each, by name."""
    text = path.read_text(encoding="utf-8")
    if text and not text.endswith("\n"):
        text += "\n"
    first = len(text.splitlines()) + 1
    path.write_text(text + "".join(line + "\n" for line in rows.values()), encoding="utf-8")
    return {name: first + i for i, name in enumerate(rows)}


@pytest.fixture(scope="module")
def broken(tmp_path_factory, dataset, unlabelled_ids):
    """A copy of the project data dir with bad lines appended.

    Returns (project dir, {case: (path, line)}, {"real_ad": copied real id, "valid_label": id of the good row}).
    """
    project = tmp_path_factory.mktemp("project") / "data"
    shutil.copytree(PROJECT_DATA_DIR, project, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    labels = project / "corpus_labels" / LABELS_FILE
    authored = project / "authored" / AUTHORED_FILE
    first_label = labels.read_text(encoding="utf-8").splitlines()[0]
    fresh = iter(unlabelled_ids)
    missing_seniority = {"id": next(fresh), **LABEL_ROW}
    del missing_seniority["seniority"]
    label_lines = {
        "invalid_json": '{"id": "de_jobsites:0001", "role": ',
        "not_an_object": '["de_jobsites:0001"]',
        "unknown_id": json.dumps({"id": "de_arbeitnow_api_raw:no-such-ad-0", **LABEL_ROW}),
        "unknown_role": json.dumps({"id": next(fresh), **LABEL_ROW, "role": "tiktok_wizard"}),
        "unknown_seniority": json.dumps({"id": next(fresh), **LABEL_ROW, "seniority": "intern"}),
        "skills_on_other": json.dumps({"id": next(fresh), **LABEL_ROW, "skills": ["seo_sea"]}),
        "unknown_skill": json.dumps({"id": next(fresh), **LABEL_ROW, "role": "content_manager",
                                     "skills": ["juggling"]}),
        "comm_role_without_skills": json.dumps({"id": next(fresh), **LABEL_ROW, "role": "content_manager"}),
        "missing_field": json.dumps(missing_seniority),
        "duplicate_id": first_label,
        "valid_label": json.dumps({"id": (valid_id := next(fresh)), **LABEL_ROW}),
    }
    real_ads = dataset[dataset["source"] == "real_labelled"]
    real = real_ads.iloc[0]
    long_real = real_ads[real_ads["text"].str.len() > 1500].iloc[-1]
    authored_lines = {
        "empty_text": json.dumps({**AUTHORED_ROW, "id": "authored:test:empty", "text": ""}),
        "short_text": json.dumps({**AUTHORED_ROW, "id": "authored:test:short", "text": "Zu kurz."}),
        "copies_real_ad": json.dumps({**AUTHORED_ROW, "id": "authored:test:copy", "title": real["title"],
                                      "text": real["text"]}),
        "edits_real_ad": json.dumps({**AUTHORED_ROW, "id": "authored:test:edit", "title": "Eigener Titel",
                                     "text": long_real["text"] + "\nErgänzt vom Testteam."}),
        "wrong_source": json.dumps({**AUTHORED_ROW, "id": "authored:test:source", "source": "real_corpus",
                                    "text": SYNTHETIC_TEXT.replace("Fahrrad", "Kajak")}),
        "wrong_id_prefix": json.dumps({**AUTHORED_ROW, "id": "test:prefix",
                                       "text": SYNTHETIC_TEXT.replace("Fahrrad", "Segelboot")}),
        "valid_authored": json.dumps(AUTHORED_ROW),
    }
    where = {name: (labels, line) for name, line in _append(labels, label_lines).items()}
    where |= {name: (authored, line) for name, line in _append(authored, authored_lines).items()}
    return project, where, {"real_ad": real["id"], "valid_label": valid_id}


@pytest.fixture(scope="module")
def broken_result(broken):
    project, _, _ = broken
    return validate(project_dir=project)


# --------------------------------------------------------------------------------------------
# The committed data


def test_validate_passes_on_committed_data():
    df, issues = validate()
    assert [str(i) for i in issues] == []
    assert list(df.columns) == COLUMNS
    assert len(df) > 1000


def test_check_command_exits_0_on_committed_data(capsys):
    assert main(["check"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert re.search(r"\d+ rows ok .*; 0 issue\(s\)", captured.err)


@pytest.mark.parametrize("role", SPEC_ROLE_IDS)
def test_every_role_has_enough_examples(dataset, role):
    assert (dataset["role"] == role).sum() >= MIN_EXAMPLES_PER_ROLE


def test_other_has_enough_real_examples(dataset):
    real_other = dataset[(dataset["role"] == OTHER) & (dataset["source"] != "authored")]
    assert len(real_other) >= MIN_REAL_OTHER


def test_labels_use_spec_ids_only(dataset):
    assert set(dataset["role"]) <= set(SPEC_ROLE_IDS)
    assert set(dataset["seniority"]) <= set(SPEC_SENIORITY_IDS)
    assert set(dataset["skills"].dropna().explode().dropna()) <= set(SPEC_SKILL_IDS)
    assert dataset.loc[dataset["role"] == OTHER, "skills"].isna().all()
    assert dataset.loc[dataset["role"] != OTHER, "skills"].map(lambda s: isinstance(s, list)).all()
    assert dataset["id"].is_unique


def test_authored_rows_never_appear_among_real_sources(dataset):
    authored = dataset[dataset["source"] == "authored"]
    real = dataset[dataset["source"] != "authored"]
    assert set(dataset["source"]) == {"real_labelled", "real_corpus", "authored"}
    assert len(authored) > 0
    assert authored["id"].str.startswith("authored:").all()
    assert not real["id"].str.startswith("authored:").any()
    assert real["provenance"].str.startswith("shared/data/").all()
    assert not authored["provenance"].str.startswith("shared/data/").any()
    assert not set(authored["text"]) & set(real["text"])


def test_fingerprint_changes_with_a_label(dataset):
    sample = dataset.head(50).copy()
    before = dataset_fingerprint(sample)
    assert dataset_fingerprint(sample.sample(frac=1, random_state=0)) == before  # order does not matter
    sample.loc[sample.index[0], "seniority"] = "lead" if sample.iloc[0]["seniority"] != "lead" else "entry"
    assert dataset_fingerprint(sample) != before


# --------------------------------------------------------------------------------------------
# A broken copy of the project's data is reported by file and line

BROKEN_CASES = [
    ("invalid_json", r"not valid JSON"),
    ("not_an_object", r"expected a JSON object"),
    ("unknown_id", r"id does not resolve to an ad in .*corpus"),
    ("unknown_role", r"unknown role 'tiktok_wizard'"),
    ("unknown_seniority", r"unknown seniority 'intern'"),
    ("skills_on_other", r"skills on role 'other'"),
    ("unknown_skill", r"unknown skill\(s\) \['juggling'\]"),
    ("comm_role_without_skills", r"a communication role needs a skills list"),
    ("missing_field", r"missing field\(s\) \['seniority'\]"),
    ("duplicate_id", r"duplicate id \(first in .*corpus_labels_c1\.jsonl:1\)"),
    ("empty_text", r"empty text"),
    ("short_text", r"text too short"),
    ("copies_real_ad", r"^exact duplicate of real ad \S+: authored text must not copy real ads"),
    ("edits_real_ad", r"^near-duplicate \(Jaccard 0\.\d\d\) of real ad \S+: authored text must not copy real ads"),
    ("wrong_source", r"authored rows need source: authored"),
    ("wrong_id_prefix", r"authored ids start with 'authored:'"),
]


@pytest.mark.parametrize(("case", "message"), BROKEN_CASES)
def test_broken_line_reported_by_file_and_line(broken, broken_result, case, message):
    _, where, _ = broken
    _, issues = broken_result
    path, line = where[case]
    here = [i for i in issues if Path(i.path) == path and i.line == line]
    assert here, f"no issue reported for {path.name}:{line}"
    assert any(re.search(message, i.message) for i in here), [i.message for i in here]
    assert str(here[0]).startswith(f"{path}:{line}: ")


def test_copied_real_ad_is_named(broken, broken_result):
    _, where, ids = broken
    _, issues = broken_result
    path, line = where["copies_real_ad"]
    (issue,) = [i for i in issues if Path(i.path) == path and i.line == line]
    assert issue.id == "authored:test:copy"
    assert ids["real_ad"] in issue.message


def test_broken_copy_reports_nothing_else(broken, broken_result):
    _, where, ids = broken
    df, issues = broken_result
    reported = {(Path(i.path), i.line) for i in issues}
    expected = {where[case] for case, _ in BROKEN_CASES}
    assert reported == expected
    assert all(isinstance(i, Issue) for i in issues)
    # Good rows appended beside the bad ones still pass; bad ones never reach the table.
    assert {"authored:test:valid", ids["valid_label"]} <= set(df["id"])
    assert not {"authored:test:copy", "authored:test:empty", "test:prefix"} & set(df["id"])


def test_check_command_exits_1_on_broken_copy(broken, capsys):
    project, where, _ = broken
    assert main(["check", "--project-dir", str(project)]) == 1
    out = capsys.readouterr().out
    for case, _ in BROKEN_CASES:
        path, line = where[case]
        assert f"{path}:{line}: " in out, case
    for case in ("valid_label", "valid_authored"):
        path, line = where[case]
        assert f"{path}:{line}: " not in out, case


def test_load_dataset_refuses_data_with_issues(broken_result, monkeypatch):
    import training.data

    monkeypatch.setattr(training.data, "validate", lambda root, project_dir: broken_result)
    n_issues = len(broken_result[1])
    with pytest.raises(ValueError, match=rf"^{n_issues} data issue\(s\); run `python -m training.data check`:\n.*:\d+: "):
        load_dataset()
    assert len(load_dataset(strict=False)) == len(broken_result[0])


# --------------------------------------------------------------------------------------------
# Missing data directory


def test_validate_without_data_dir_says_where_data_is_expected(tmp_path):
    with pytest.raises(DataDirError, match=re.escape(f"real ad data not found at {tmp_path}")) as info:
        validate(root=tmp_path)
    assert "JOBCLASS_DATA_DIR" in str(info.value)
    assert isinstance(info.value, FileNotFoundError)


def test_data_dir_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("JOBCLASS_DATA_DIR", str(tmp_path))
    assert data_dir() == tmp_path
    with pytest.raises(DataDirError, match=re.escape(f"expected {tmp_path}/labelled/ and {tmp_path}/corpus/")):
        load_dataset()


def test_data_dir_with_only_one_subdirectory_is_refused(tmp_path):
    (tmp_path / "labelled").mkdir()
    with pytest.raises(DataDirError, match="real ad data not found"):
        validate(root=tmp_path)


@pytest.mark.parametrize("argv", [["check"], ["card"]])
def test_cli_without_data_dir_exits_2(tmp_path, monkeypatch, capsys, argv):
    monkeypatch.setenv("JOBCLASS_DATA_DIR", str(tmp_path))
    assert main(argv) == 2
    assert f"error: real ad data not found at {tmp_path}" in capsys.readouterr().err
