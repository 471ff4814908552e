"""``python -m batch`` = ``jobclass-score``."""
from __future__ import annotations

from batch.cli import main

# The guard matters: spawned worker processes import this module under another name.
if __name__ == "__main__":
    raise SystemExit(main())
