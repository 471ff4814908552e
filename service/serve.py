"""``jobclass-serve``: start gunicorn with the project's config (what ``make run`` does)."""
from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path


def main(argv: Sequence[str] | None = None) -> int:
    config = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"
    args = ["gunicorn", "-c", str(config), *(argv if argv is not None else sys.argv[1:]), "service.wsgi:app"]
    os.execvp(args[0], args)
    return 0  # not reached


if __name__ == "__main__":
    raise SystemExit(main())
