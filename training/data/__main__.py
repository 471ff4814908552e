"""``python -m training.data check|card``: validate the training data, or regenerate the data card."""
from training.data.cli import main

raise SystemExit(main())
