"""Training data: join the project's labels with the real ad texts, and validate all of it.

Three kinds of rows end up in one table (:data:`COLUMNS`):

* ``real_labelled``: the labelled real ads of ``<data dir>/labelled/`` with their labels as they
  are, except for corrections recorded with a reason in ``corrections.jsonl``;
* ``real_corpus``: ads of ``<data dir>/corpus/`` that this project labelled
  (``corpus_labels/*.jsonl``: labels keyed by id, the text is read from the data directory);
* ``authored``: ads the project wrote itself (``authored/*.jsonl``, text included). Training only.

Real texts are never copied into the repository; :func:`load_dataset` reads them at run time from
the data directory (``JOBCLASS_DATA_DIR``, default ``../shared/data``).
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from training.config import MAX_TEXT_CHARS, PROJECT_DATA_DIR, data_dir
from training.taxonomy import OTHER, SPEC_ROLE_IDS, SPEC_SENIORITY_IDS, SPEC_SKILL_IDS, Taxonomy, load_taxonomy
from training.text import normalize

__all__ = [
    "COLUMNS",
    "DataDirError",
    "Issue",
    "load_dataset",
    "load_inputs",
    "validate",
    "dataset_fingerprint",
    "duplicate_groups",
]

COLUMNS = ["id", "source", "provenance", "lang", "title", "text", "role", "roles_ok", "seniority", "skills", "note"]
LABEL_KEYS = {"id", "lang", "role", "roles_ok", "seniority", "skills", "note"}
AUTHORED_KEYS = LABEL_KEYS | {"source", "provenance", "format", "company_type", "title", "text"}
CORRECTION_KEYS = {"id", "field", "value", "reason"}
DUPLICATE_KEYS = {"ids", "reason"}
MIN_TEXT_CHARS = 80
#: Jaccard similarity of word 3-gram shingles above which two ads count as near-duplicates.
NEAR_DUPLICATE_JACCARD = 0.8


class DataDirError(FileNotFoundError):
    """The real-ad data directory is missing or incomplete."""


@dataclass(frozen=True)
class Issue:
    """One problem found in the data, located by file and line (line 0: the file as a whole)."""

    path: str
    line: int
    id: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.id or '-'}: {self.message}"


# --------------------------------------------------------------------------------------------
# Reading


def _read_jsonl(path: Path, issues: list[Issue]) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                issues.append(Issue(str(path), lineno, "", f"not valid JSON: {exc.msg}"))
                continue
            if not isinstance(obj, dict):
                issues.append(Issue(str(path), lineno, "", "expected a JSON object"))
                continue
            yield lineno, obj


def _require_data_dir(root: Path) -> None:
    if not (root / "labelled").is_dir() or not (root / "corpus").is_dir():
        raise DataDirError(
            f"real ad data not found at {root} (expected {root}/labelled/ and {root}/corpus/). "
            "The real texts stay outside the repository: put ../shared beside the checkout "
            "or set JOBCLASS_DATA_DIR to the data directory."
        )


def _corpus_index(root: Path) -> dict[str, dict[str, Any]]:
    index: dict[str, dict[str, Any]] = {}
    for path in sorted((root / "corpus").glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                row["_file"] = path.name
                index[row["id"]] = row
    return index


def _label_issues(obj: dict[str, Any], allowed: set[str]) -> list[str]:
    """What is wrong with one row's labels, as messages (empty when fine)."""
    problems = []
    missing = sorted(allowed - {"note"} - set(obj))
    if missing:
        problems.append(f"missing field(s) {missing}")
    unknown = sorted(set(obj) - allowed - {"url", "text", "title"})
    if unknown:
        problems.append(f"unknown field(s) {unknown}")
    role, skills = obj.get("role"), obj.get("skills")
    if "role" in obj and role not in SPEC_ROLE_IDS:
        problems.append(f"unknown role {role!r}")
    if "seniority" in obj and obj["seniority"] not in SPEC_SENIORITY_IDS:
        problems.append(f"unknown seniority {obj['seniority']!r}")
    if "lang" in obj and obj["lang"] not in ("de", "en"):
        problems.append(f"lang must be 'de' or 'en', got {obj['lang']!r}")
    roles_ok = obj.get("roles_ok", [])
    if not isinstance(roles_ok, list) or any(r not in SPEC_ROLE_IDS for r in roles_ok):
        problems.append(f"roles_ok must list role ids, got {roles_ok!r}")
    elif role in roles_ok:
        problems.append("roles_ok contains the primary role")
    if role == OTHER and skills is not None:
        problems.append("skills on role 'other' (must be null: not labelled)")
    if role not in (OTHER, None) and "role" in obj:
        if not isinstance(skills, list):
            problems.append("a communication role needs a skills list")
        else:
            bad = [s for s in skills if s not in SPEC_SKILL_IDS]
            if bad:
                problems.append(f"unknown skill(s) {bad}")
            if len(set(skills)) != len(skills):
                problems.append("repeated skill id")
    return problems


def _text_issues(text: Any) -> list[str]:
    if not isinstance(text, str) or not text.strip():
        return ["empty text"]
    if len(text.strip()) < MIN_TEXT_CHARS:
        return [f"text too short ({len(text.strip())} < {MIN_TEXT_CHARS} characters)"]
    if len(text) > MAX_TEXT_CHARS:
        return [f"text too long ({len(text)} > {MAX_TEXT_CHARS} characters)"]
    return []


def _collect(root: Path, project_dir: Path, issues: list[Issue]) -> list[dict[str, Any]]:
    """Read every source into rows of :data:`COLUMNS`, appending problems to ``issues``."""
    _require_data_dir(root)
    rows: list[dict[str, Any]] = []
    seen: dict[str, str] = {}

    def add(row: dict[str, Any], where: str, lineno: int) -> None:
        if row["id"] in seen:
            issues.append(Issue(where, lineno, row["id"], f"duplicate id (first in {seen[row['id']]})"))
            return
        seen[row["id"]] = f"{where}:{lineno}"
        row["_where"] = (where, lineno)
        rows.append(row)

    corrections = _load_corrections(project_dir / "corrections.jsonl", issues)
    for path in sorted((root / "labelled").glob("*.jsonl")):
        for lineno, obj in _read_jsonl(path, issues):
            obj_id = str(obj.get("id", ""))
            for field, (value, _reason) in corrections.pop(obj_id, {}).items():
                obj[field] = value
            problems = _label_issues(obj, LABEL_KEYS) + _text_issues(obj.get("text"))
            for p in problems:
                issues.append(Issue(str(path), lineno, obj_id, p))
            if problems:
                continue
            provenance = f"shared/data/labelled/{path.name}" + (f" ({obj['url']})" if obj.get("url") else "")
            add(_row(obj, "real_labelled", provenance, obj.get("title", ""), obj["text"]), str(path), lineno)
    for obj_id in corrections:
        issues.append(Issue(str(project_dir / "corrections.jsonl"), 0, obj_id, "correction for an unknown id"))

    corpus = _corpus_index(root)
    for path in sorted((project_dir / "corpus_labels").glob("*.jsonl")):
        for lineno, obj in _read_jsonl(path, issues):
            obj_id = str(obj.get("id", ""))
            problems = _label_issues(obj, LABEL_KEYS)
            src = corpus.get(obj_id)
            if src is None:
                problems.append(f"id does not resolve to an ad in {root}/corpus/")
            else:
                problems += _text_issues(src.get("text"))
            for p in problems:
                issues.append(Issue(str(path), lineno, obj_id, p))
            if problems:
                continue
            provenance = f"shared/data/corpus/{src['_file']} ({src.get('source_repo', '?')}@{str(src.get('commit', ''))[:10]})"
            add(_row(obj, "real_corpus", provenance, src.get("title") or "", src["text"]), str(path), lineno)

    for path in sorted((project_dir / "authored").glob("*.jsonl")):
        for lineno, obj in _read_jsonl(path, issues):
            obj_id = str(obj.get("id", ""))
            problems = _label_issues(obj, AUTHORED_KEYS) + _text_issues(obj.get("text"))
            if obj.get("source") != "authored":
                problems.append("authored rows need source: authored")
            if not obj_id.startswith("authored:"):
                problems.append("authored ids start with 'authored:'")
            for p in problems:
                issues.append(Issue(str(path), lineno, obj_id, p))
            if problems:
                continue
            add(_row(obj, "authored", obj.get("provenance", ""), obj.get("title", ""), obj["text"]), str(path), lineno)
    return rows


def _row(obj: dict[str, Any], source: str, provenance: str, title: str, text: str) -> dict[str, Any]:
    return {
        "id": str(obj["id"]),
        "source": source,
        "provenance": provenance,
        "lang": obj["lang"],
        "title": title or "",
        "text": text,
        "role": obj["role"],
        "roles_ok": list(obj.get("roles_ok") or []),
        "seniority": obj["seniority"],
        "skills": None if obj["role"] == OTHER else list(obj["skills"]),
        "note": obj.get("note", ""),
    }


def _load_corrections(path: Path, issues: list[Issue]) -> dict[str, dict[str, tuple[Any, str]]]:
    """Corrections to real labels, each with a reason: ``{id: {field: (value, reason)}}``."""
    out: dict[str, dict[str, tuple[Any, str]]] = {}
    if not path.exists():
        return out
    for lineno, obj in _read_jsonl(path, issues):
        if set(obj) != CORRECTION_KEYS or not str(obj.get("reason", "")).strip():
            issues.append(Issue(str(path), lineno, str(obj.get("id", "")), f"a correction needs exactly {sorted(CORRECTION_KEYS)} with a reason"))
            continue
        if obj["field"] not in {"role", "roles_ok", "seniority", "skills", "lang"}:
            issues.append(Issue(str(path), lineno, obj["id"], f"cannot correct field {obj['field']!r}"))
            continue
        out.setdefault(obj["id"], {})[obj["field"]] = (obj["value"], obj["reason"])
    return out


# --------------------------------------------------------------------------------------------
# Duplicates

_TOKEN = re.compile(r"\w+")


def _shingles(text: str, n: int = 3) -> set[str]:
    words = _TOKEN.findall(normalize(text))
    return {" ".join(words[i : i + n]) for i in range(max(1, len(words) - n + 1))}


def _near_duplicate_pairs(texts: list[str]) -> list[tuple[int, int, float]]:
    """Pairs ``(i, j, jaccard)`` of texts whose word 3-gram sets overlap at least the threshold."""
    vocab: dict[str, int] = {}
    indptr, indices = [0], []
    for text in texts:
        for sh in _shingles(text):
            indices.append(vocab.setdefault(sh, len(vocab)))
        indptr.append(len(indices))
    b = sparse.csr_matrix((np.ones(len(indices), dtype=np.float32), indices, indptr), shape=(len(texts), len(vocab)))
    b.data[:] = 1.0  # a shingle repeated in one text counts once
    b.sum_duplicates()
    b.data[:] = 1.0
    sizes = np.asarray(b.sum(axis=1)).ravel()
    inter = (b @ b.T).tocoo()
    pairs = []
    for i, j, v in zip(inter.row, inter.col, inter.data, strict=True):
        if i < j:
            jac = v / (sizes[i] + sizes[j] - v)
            if jac >= NEAR_DUPLICATE_JACCARD:
                pairs.append((int(i), int(j), float(jac)))
    return sorted(pairs)


def _known_duplicates(path: Path, issues: list[Issue]) -> list[set[str]]:
    groups = []
    if path.exists():
        for lineno, obj in _read_jsonl(path, issues):
            if set(obj) != DUPLICATE_KEYS or len(obj["ids"]) < 2 or not obj["reason"]:
                issues.append(Issue(str(path), lineno, "", f"a duplicate group needs {sorted(DUPLICATE_KEYS)}"))
                continue
            groups.append(set(obj["ids"]))
    return groups


def duplicate_groups(df: pd.DataFrame) -> np.ndarray:
    """A group number per row: near-duplicate ads share a group, so CV keeps them in one fold."""
    parent = list(range(len(df)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j, _ in _near_duplicate_pairs((df["title"] + "\n" + df["text"]).tolist()):
        parent[find(i)] = find(j)
    return np.array([find(i) for i in range(len(df))])


# --------------------------------------------------------------------------------------------
# Public API


def validate(root: Path | None = None, project_dir: Path = PROJECT_DATA_DIR) -> tuple[pd.DataFrame, list[Issue]]:
    """Join and check all training data. Returns the rows that passed and every issue found.

    Raises:
        DataDirError: when the real-ad data directory is missing.
    """
    root = Path(root) if root is not None else data_dir()
    issues: list[Issue] = []
    rows = _collect(root, project_dir, issues)
    known = _known_duplicates(project_dir / "known_duplicates.jsonl", issues)
    texts = [r["title"] + "\n" + r["text"] for r in rows]
    for i, j, jac in _near_duplicate_pairs(texts):
        a, b = rows[i], rows[j]
        kind = "exact duplicate" if jac >= 0.999 else f"near-duplicate (Jaccard {jac:.2f})"
        if "authored" in (a["source"], b["source"]) and a["source"] != b["source"]:
            msg = f"{kind} of real ad {a['id'] if a['source'] != 'authored' else b['id']}: authored text must not copy real ads"
        elif a["source"] == b["source"] == "authored":
            msg = f"{kind} of authored ad {a['id']}: write each ad fresh"
        elif any({a["id"], b["id"]} <= g for g in known):
            continue
        else:
            msg = f"{kind} of {a['id']}; list the pair in known_duplicates.jsonl (kept in one CV fold) or drop one"
        where, lineno = b["_where"]
        issues.append(Issue(where, lineno, b["id"], msg))
    bad_ids = {i.id for i in issues}
    df = pd.DataFrame([{k: r[k] for k in COLUMNS} for r in rows if r["id"] not in bad_ids], columns=COLUMNS)
    return df, issues


def load_inputs(root: Path | None = None) -> tuple[Taxonomy, pd.DataFrame]:
    """The validated taxonomy and training table that training and evaluation start from.

    Raises:
        DataDirError, ValueError (incl. TaxonomyError): with a message for the user.
    """
    return load_taxonomy(), load_dataset(root)


def load_dataset(root: Path | None = None, project_dir: Path = PROJECT_DATA_DIR, *, strict: bool = True) -> pd.DataFrame:
    """All training rows as a DataFrame of :data:`COLUMNS`.

    With ``strict`` (the default) any data issue raises ``ValueError`` listing them, so a model is
    never trained on data that the check would refuse.
    """
    df, issues = validate(root, project_dir)
    if strict and issues:
        listing = "\n".join(str(i) for i in issues[:50])
        raise ValueError(f"{len(issues)} data issue(s); run `python -m training.data check`:\n{listing}")
    return df


def dataset_fingerprint(df: pd.DataFrame) -> str:
    """sha256 over ids, labels and texts in a canonical order: changes whenever the data does."""
    h = hashlib.sha256()
    for row in df.sort_values("id").itertuples(index=False):
        h.update(json.dumps([row.id, row.role, row.roles_ok, row.seniority, row.skills, row.title, row.text],
                            ensure_ascii=False).encode("utf-8"))
    return h.hexdigest()
