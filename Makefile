# Every target sets itself up: the first one you run creates .venv and installs the project.
#   make lab                  JupyterLab on notebooks/
#   make test                 unit tests, notebook hygiene, every notebook in smoke mode
#   make run NB=02 SMOKE=0    execute notebooks headless (NB: name prefix, SMOKE=0: full mode)
#   make bench [BUDGET=full]  time every notebook in smoke mode, with their results -> build/bench.md
#   make student              student copies without solutions -> build/student/
#   make badges               rewrite badges, Colab setup cells and README's table from pyproject.toml
#   make mirror DEST=dir [TFDS=1] [FROM=url]  download every file of the course into a mirror folder (DLCV_MIRROR)
#   make sources [ONLY=cifar10,lfw] [SAMPLE=bytes]  check every download host (status, size, time), a week before a course
#   make clean                remove build/ and caches (keeps .venv and the data cache)

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NB ?=
SMOKE ?= 1
PYTEST_ARGS ?=
BUDGET ?=

.DEFAULT_GOAL := help
.PHONY: help venv lab run test student badges bench clean chromium mirror

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

# The interpreter exists only after `python3 -m venv`; the stamp is newer than pyproject.toml
# only after a successful install, so editing pyproject.toml re-runs the install.
$(PY):
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "Could not create $(VENV) with $(PYTHON) (Debian/Ubuntu: apt install python3-venv)."; exit 1; }

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

lab: $(STAMP)
	cd notebooks && $(abspath $(PY)) -m jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root)

run: $(STAMP)
	$(PY) tools/run_notebooks.py --nb '$(NB)' --smoke '$(SMOKE)'

# The browser test needs Debian's Chromium; as root (CI) install it, otherwise say how (the test then skips).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium for the browser test"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is not installed (sudo apt-get install chromium): the browser test will be skipped"; fi; }

test: $(STAMP) chromium
	DLCV_SMOKE=1 MPLBACKEND=Agg $(PY) -m pytest -q --durations=15 $(PYTEST_ARGS)

student: $(STAMP)
	$(PY) tools/student.py --out build/student

badges: $(STAMP)
	$(PY) tools/badges.py

bench: $(STAMP)
	$(PY) tools/run_notebooks.py --smoke 1 --budget '$(BUDGET)' --markdown build/bench.md

mirror: $(STAMP)
	@test -n "$(DEST)" || { echo "usage: make mirror DEST=folder"; exit 2; }
	$(PY) tools/mirror.py '$(DEST)' $(if $(TFDS),--tfds) $(if $(FROM),--from '$(FROM)')

sources: $(STAMP)
	$(PY) tools/sources.py $(if $(ONLY),--only '$(ONLY)') $(if $(SAMPLE),--sample '$(SAMPLE)')

clean:
	rm -rf build .pytest_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} + \
	       -o -name .ipynb_checkpoints -type d -prune -exec rm -rf {} +
