"""Command line for the training data: ``check`` validates, ``card`` writes the counts of the data card."""
from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from training.config import PROJECT_DATA_DIR
from training.data import DataDirError, validate

logger = logging.getLogger(__name__)

CARD = PROJECT_DATA_DIR / "README.md"
_BEGIN, _END = "<!-- counts:begin (python -m training.data card) -->", "<!-- counts:end -->"


def format_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    parser = parser or argparse.ArgumentParser(prog="python -m training.data", description=__doc__)
    parser.add_argument("command", choices=["check", "card"], help="check: validate; card: regenerate counts")
    parser.add_argument("--data-dir", type=Path, default=None, help="real-ad data (default: JOBCLASS_DATA_DIR or ../shared/data)")
    parser.add_argument("--project-dir", type=Path, default=PROJECT_DATA_DIR, help="the project's labels and authored ads")
    return parser


def _markdown(table: pd.DataFrame, index_name: str) -> str:
    """A DataFrame as a Markdown table (pandas' own needs the optional 'tabulate' package)."""
    header = [index_name, *map(str, table.columns)]
    rows = [[str(i), *(str(v) for v in row)] for i, row in zip(table.index, table.to_numpy(), strict=True)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def counts_markdown(df: pd.DataFrame) -> str:
    """The data card's tables: role x language x source, seniority, skills."""
    table = pd.crosstab(df["role"], [df["source"], df["lang"]], margins=True, margins_name="total")
    table.columns = [" ".join(c).strip() if isinstance(c, tuple) else c for c in table.columns]
    seniority = pd.crosstab(df["seniority"], df["source"], margins=True, margins_name="total")
    skills = df["skills"].dropna().explode().value_counts().rename_axis("skill").to_frame("ads")
    real_skills = df.loc[df["source"] != "authored", "skills"].dropna().explode().value_counts()
    skills["of which real"] = real_skills.reindex(skills.index).fillna(0).astype(int)
    return "\n\n".join([
        f"{len(df)} ads: {(df['source'] != 'authored').sum()} real, {(df['source'] == 'authored').sum()} authored.",
        "### Role x source x language\n\n" + _markdown(table, "role"),
        "### Seniority x source\n\n" + _markdown(seniority, "seniority"),
        "### Skills (communication ads)\n\n" + _markdown(skills, "skill"),
    ])


def main(argv: Sequence[str] | None = None) -> int:
    args = format_parser().parse_args(argv)
    try:
        df, issues = validate(args.data_dir, args.project_dir)
    except DataDirError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.command == "check":
        for issue in issues:
            print(issue)
        by_source = df["source"].value_counts().to_dict()
        print(f"{len(df)} rows ok ({by_source}); {len(issues)} issue(s)", file=sys.stderr)
        return 1 if issues else 0
    if issues:
        print(f"{len(issues)} data issue(s): run `check` first", file=sys.stderr)
        return 1
    text = CARD.read_text(encoding="utf-8")
    head, _, rest = text.partition(_BEGIN)
    _, _, tail = rest.partition(_END)
    CARD.write_text(f"{head}{_BEGIN}\n{counts_markdown(df)}\n{_END}{tail}", encoding="utf-8")
    print(f"wrote counts to {CARD}")
    return 0
