# jobclass: two commands for a newcomer, `make run` and `make test`; everything else builds on them.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
MODEL  := models/current/model.joblib
IMAGE  ?= jobclass:latest

.PHONY: run test lint train evaluate data-check data-card bench image clean help

help:
	@echo "make run       set up, train if no model is present, serve on http://$(HOST):$(PORT)"
	@echo "make test      set up with dev tools, lint, train if needed, run the whole test suite"
	@echo "make train     train on all data and write models/<version>/ (+ models/current)"
	@echo "make evaluate  5-fold cross-validation on real ads; writes reports/"
	@echo "make data-check / data-card   validate the training data / regenerate its counts"
	@echo "make bench     latency, throughput, memory, start-up and training time"
	@echo "make image     train, then build the Docker image"

# The stamp files make set-up idempotent: reinstall only when pyproject.toml changes.
$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(BIN)/.installed-dev: $(BIN)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

$(MODEL): | $(BIN)/.installed
	$(BIN)/python -m training.train

train: $(BIN)/.installed
	$(BIN)/python -m training.train

run: $(BIN)/.installed $(MODEL)
	JOBCLASS_BIND=$(HOST):$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py service.wsgi:app

lint: $(BIN)/.installed-dev
	$(BIN)/ruff check .

test: $(BIN)/.installed-dev $(MODEL) lint
	$(BIN)/python -m training.data check
	$(BIN)/pytest

evaluate: $(BIN)/.installed-dev
	$(BIN)/python -m training.evaluate

data-check: $(BIN)/.installed
	$(BIN)/python -m training.data check

data-card: $(BIN)/.installed
	$(BIN)/python -m training.data card

bench: $(BIN)/.installed-dev $(MODEL)
	$(BIN)/python -m benchmarks.run

image: train
	docker build -t $(IMAGE) .

clean:
	rm -rf $(VENV) models/*/ models/current .pytest_cache .ruff_cache
