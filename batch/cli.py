"""``jobclass-score INPUT -o OUTPUT``: classify a file of job ads (CSV, TSV, JSONL, Parquet).

Progress and the summary go to stderr; stdout stays empty, so the command composes in pipelines.
Exit status: 0 when the run finished (bad rows are in the errors file), 2 when the input cannot be
read at all, 1 when the model cannot be loaded or the output cannot be written.
"""
from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from batch.io import FORMATS, InputError
from batch.local import score_file
from batch.scoring import InputColumns
from training.artifact import ArtifactError
from training.config import MODELS_DIR

__all__ = ["format_parser", "main"]

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {number}")
    return number


def format_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    """Add the scoring arguments to ``parser`` (a new one if None) and return it."""
    parser = parser or argparse.ArgumentParser(
        prog="jobclass-score",
        description="Classify every job ad in a file: role, codes, seniority and skills, one row per ad.",
    )
    parser.add_argument("input", metavar="INPUT", help="ads to score: .csv, .tsv, .jsonl or .parquet")
    parser.add_argument("-o", "--output", required=True, metavar="OUTPUT",
                        help="where to write the results (same formats; a Parquet directory with --dask-scheduler)")
    parser.add_argument("--format", dest="input_format", choices=FORMATS, help="input format (default: by extension)")
    parser.add_argument("--output-format", choices=FORMATS, help="output format (default: by extension)")
    parser.add_argument("--id-col", default="id", metavar="NAME", help="id column; without one the row number is the id (default: id)")
    parser.add_argument("--title-col", default="title", metavar="NAME", help="title column, optional (default: title)")
    parser.add_argument("--text-col", default="text", metavar="NAME", help="text column (default: text)")
    parser.add_argument("--chunk-size", type=_positive_int, default=1000, metavar="N",
                        help="ads read, scored and written at a time; bounds memory (default: 1000)")
    parser.add_argument("--workers", type=_positive_int, default=1, metavar="N",
                        help="worker processes, each loading the model once (default: 1)")
    parser.add_argument("--errors", metavar="PATH", help="file for rows that could not be scored (default: OUTPUT.errors.csv)")
    parser.add_argument("--model-dir", default=str(MODELS_DIR), metavar="DIR",
                        help="model artifact directory, or the models folder holding current/ (default: %(default)s)")
    parser.add_argument("--dask-scheduler", metavar="ADDRESS",
                        help="score on a Dask cluster, e.g. tcp://scheduler:8786; writes a Parquet directory")
    parser.add_argument("--quiet", action="store_true", help="no progress bar and no summary line")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status."""
    args = format_parser().parse_args(argv)
    logging.basicConfig(format="%(levelname)-8s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("batch").setLevel([logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)])
    columns = InputColumns(id=args.id_col, title=args.title_col, text=args.text_col)
    try:
        if args.dask_scheduler:
            if args.output_format not in (None, "parquet"):
                raise InputError("with --dask-scheduler the output is a Parquet directory; drop --output-format")
            from batch.distributed import score_file_on_dask  # imports dask: only on this path

            summary = score_file_on_dask(args.input, args.output, scheduler=args.dask_scheduler,
                                         errors_path=args.errors, input_format=args.input_format,
                                         columns=columns, model_dir=args.model_dir)
        else:
            summary = score_file(args.input, args.output, errors_path=args.errors, input_format=args.input_format,
                                 output_format=args.output_format, columns=columns, chunk_size=args.chunk_size,
                                 workers=args.workers, model_dir=args.model_dir,
                                 progress=not args.quiet and sys.stderr.isatty())
    except InputError as exc:
        print(f"jobclass-score: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (ArtifactError, OSError) as exc:
        print(f"jobclass-score: error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if not args.quiet:
        print(summary.line(), file=sys.stderr)
    return EXIT_OK
