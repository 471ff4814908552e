"""Tiny synthetic ads and file helpers shared by the batch tests (written for the tests, not real ads)."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

#: Eight short ads, German and English, communication roles and others.
ADS = pd.DataFrame([
    ("ad-001", "Social Media Manager (m/w/d)",
     "Du planst unsere Kanäle auf Instagram, TikTok und LinkedIn, erstellst Redaktionspläne und wertest "
     "Reichweite und Engagement aus. Erste Berufserfahrung im Social Media Marketing setzen wir voraus."),
    ("ad-002", "Accountant",
     "We are looking for an accountant to prepare monthly statements, reconcile ledgers and support the "
     "annual audit. A degree in accounting and three years of experience are required."),
    ("007", "Content Manager Website",
     "Als Content Manager schreibst du Texte für Website und Newsletter, pflegst das CMS und optimierst "
     "Inhalte für Suchmaschinen (SEO)."),
    ("ad-004", "Community Manager Gaming",
     "Moderate our Discord and forum communities, answer player questions, organise community events and "
     "report sentiment to the product team."),
    ("ad-005", "Pflegefachkraft (m/w/d)",
     "Für unsere Station suchen wir eine examinierte Pflegefachkraft im Schichtdienst. Wir bieten "
     "Tarifvertrag und Fortbildungen."),
    ("ad-006", "Senior Corporate Communications Manager",
     "Lead press relations and internal communications, write press releases and speeches for the board, "
     "and manage crisis communication. Ten years of experience in corporate communications."),
    ("ad-007", "Videoredakteur / Video Content Creator",
     "Du drehst und schneidest Kurzvideos für YouTube, Reels und TikTok, entwickelst Formate und arbeitest "
     "mit Premiere Pro und After Effects."),
    ("ad-008", None,
     "Online Marketing Manager gesucht: Du steuerst SEA-Kampagnen in Google Ads, betreust Newsletter-"
     "Automationen und berichtest KPIs an die Geschäftsführung."),
], columns=["id", "title", "text"])

#: Documented output columns, in order.
RESULT_COLUMNS = ["id", "role", "role_confidence", "isco08", "kldb2010", "esco", "is_digital_communication",
                  "seniority", "skills", "result_json", "model_version"]
ERROR_COLUMNS = ["id", "row", "reason"]

EXTENSIONS = {"csv": ".csv", "tsv": ".tsv", "jsonl": ".jsonl", "parquet": ".parquet"}


def write_input(df: pd.DataFrame, path: Path, fmt: str, **parquet_kwargs) -> Path:
    """Write ads as an input file of format ``fmt``."""
    if fmt in ("csv", "tsv"):
        df.to_csv(path, sep="," if fmt == "csv" else "\t", index=False)
    elif fmt == "jsonl":
        with path.open("w", encoding="utf-8") as fh:
            for record in df.to_dict("records"):
                clean = {k: v for k, v in record.items() if not (isinstance(v, float) and v != v)}
                fh.write(json.dumps(clean, ensure_ascii=False) + "\n")
    else:
        df.to_parquet(path, index=False, **parquet_kwargs)
    return path


def read_output(path: Path, fmt: str | None = None) -> pd.DataFrame:
    """Read a result or errors file back, every value as text ('' for missing) to compare across formats."""
    fmt = fmt or {v: k for k, v in EXTENSIONS.items()}[path.suffix]
    if fmt == "parquet":
        df = pd.read_parquet(path)
    elif fmt == "jsonl":
        df = pd.read_json(path, lines=True, dtype=False, precise_float=True)
    else:
        df = pd.read_csv(path, sep="," if fmt == "csv" else "\t", dtype=object, keep_default_na=False)
    return as_text(df)


def as_text(df: pd.DataFrame) -> pd.DataFrame:
    """Every value as text, '' for missing: frames from different formats compare equal."""
    return df.astype(object).where(df.notna(), "").astype(str)
