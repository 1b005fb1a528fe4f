# Every target sets itself up: the first one you run creates .venv and installs what it needs, at the
# versions in constraints.txt (CONSTRAINTS= installs without them).
#   make lab                  JupyterLab on notebooks/ (students: the course alone)
#   make instructor-lab       JupyterLab with nbgrader (instructors)
#   make instructor           install nbgrader into .venv; then `source .venv/bin/activate` for nbgrader ...
#   make test                 unit tests, notebook hygiene, every notebook in smoke mode, full-mode and Colab rehearsals
#   make colab                only the Colab rehearsal: every notebook at Colab's versions (colab/versions.txt)
#   make run NB=02 SMOKE=0    execute notebooks headless (NB: name prefix, SMOKE=0: full mode)
#   make bench [BUDGET=full]  time every notebook in smoke mode, with their results -> build/bench.md
#   make book                 the published edition (static HTML) of the executed notebooks -> build/book/
#   make student              student copies without solutions -> build/student/
#   make badges               rewrite badges, Colab setup cells and README's table from pyproject.toml
#   make mirror DEST=dir [TFDS=1] [FROM=url]  download every file of the course into a mirror folder (DLCV_MIRROR)
#   make lock                 upgrade .venv to the newest versions pyproject.toml allows; write constraints.txt
#   make sources [ONLY=cifar10,lfw] [SAMPLE=bytes]  check every download host (status, size, time), a week before a course
#   make clean                remove build/ and caches (keeps .venv and the data cache)

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CONSTRAINTS ?= constraints.txt
PIP_C := $(if $(CONSTRAINTS),-c $(CONSTRAINTS))
NB ?=
SMOKE ?= 1
PYTEST_ARGS ?=
BUDGET ?=

.DEFAULT_GOAL := help
.PHONY: help venv lab instructor instructor-lab run test colab student badges bench book clean chromium mirror lock sources

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

# The interpreter exists only after `python3 -m venv`; a stamp is newer than pyproject.toml and constraints.txt
# only after a successful install, so editing either re-runs the install.
#  * .installed             the course (students: make lab)
#  * .installed-run         + papermill (make run, make bench)
#  * .installed-instructor  + nbgrader (make student, make instructor, make instructor-lab)
#  * .installed-dev         + both, pytest and Playwright (make test)
$(PY):
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "Could not create $(VENV) with $(PYTHON) (Debian/Ubuntu: apt install python3-venv)."; exit 1; }

$(STAMP): pyproject.toml $(CONSTRAINTS) | $(PY)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install $(PIP_C) -e .
	touch $(STAMP)

$(STAMP)-%: pyproject.toml $(CONSTRAINTS) | $(PY)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install $(PIP_C) -e '.[$*]'
	touch $@

venv: $(STAMP)

lab: $(STAMP)
	cd notebooks && $(abspath $(PY)) -m jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root)

instructor: $(STAMP)-instructor
	@echo "nbgrader is in $(VENV). Put it (and alembic, which nbgrader runs) on PATH: source $(VENV)/bin/activate"

instructor-lab: $(STAMP)-instructor
	cd notebooks && PATH="$(abspath $(VENV))/bin:$$PATH" $(abspath $(PY)) -m jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root)

run: $(STAMP)-run
	$(PY) tools/run_notebooks.py --nb '$(NB)' --smoke '$(SMOKE)'

# The browser test needs Debian's Chromium; as root (CI) install it, otherwise say how (the test then skips).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium for the browser test"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is not installed (sudo apt-get install chromium): the browser test will be skipped"; fi; }

# tests/test_book.py builds the book with Jupyter Book, installed here (from PyPI) before the tests run
test: $(STAMP)-dev chromium
	$(PY) tools/book.py --install-only
	DLCV_SMOKE=1 MPLBACKEND=Agg $(PY) -m pytest -q --durations=15 $(PYTEST_ARGS)

colab: $(STAMP)-dev
	DLCV_SMOKE=1 MPLBACKEND=Agg $(PY) -m pytest -q --durations=15 -m colab $(PYTEST_ARGS)

student: $(STAMP)-instructor
	$(PY) tools/student.py --out build/student

badges: $(STAMP)
	$(PY) tools/badges.py

# full budgets on 2 cores take many minutes per notebook: an hour each before one is called stuck
bench: $(STAMP)-run
	$(PY) tools/run_notebooks.py --smoke 1 --budget '$(BUDGET)' --markdown build/bench.md \
	  --timeout $(if $(filter full,$(BUDGET)),3600,600)

# HTML from what make bench (or make test) executed; never executes a notebook. tools/book.py installs
# Jupyter Book 1 into its own venv, build/book-venv (why not Jupyter Book 2: see its docstring).
book: $(STAMP)
	$(PY) tools/book.py

mirror: $(STAMP)
	@test -n "$(DEST)" || { echo "usage: make mirror DEST=folder"; exit 2; }
	$(PY) tools/mirror.py '$(DEST)' $(if $(TFDS),--tfds) $(if $(FROM),--from '$(FROM)')

# The newest versions pyproject.toml allows, in .venv, written to constraints.txt. Then `make test`, and commit
# constraints.txt when it passes: that file is what students, CI and environment.yml install.
lock: | $(PY)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install --upgrade --upgrade-strategy eager -e '.[dev]'
	{ echo "# The exact versions make test passed with; make and environment.yml install with them (pip -c)."; \
	  echo "# Written by make lock on $$($(PY) -c 'import platform; print("Python", platform.python_version(), platform.system(), platform.machine())'); refresh: make lock && make test."; \
	  $(PY) -m pip list --format=freeze --exclude-editable | grep -viE '^(pip|setuptools|wheel|dlcv[-_]helpers)=='; \
	} > constraints.txt.tmp && mv constraints.txt.tmp constraints.txt
	touch $(STAMP) $(wildcard $(STAMP)-*)
	@echo "wrote constraints.txt; now run make test, and commit constraints.txt if it passes"

sources: $(STAMP)
	$(PY) tools/sources.py $(if $(ONLY),--only '$(ONLY)') $(if $(SAMPLE),--sample '$(SAMPLE)')

clean:
	rm -rf build .pytest_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} + \
	       -o -name .ipynb_checkpoints -type d -prune -exec rm -rf {} +
