"""Notebook hygiene (conventions of DESIGN.md section 4) and smoke-mode execution of every notebook.

Each hygiene rule is a function ``check_*(nb, name, ctx) -> list of problems``; ``test_hygiene`` runs
every rule on every notebook in notebooks/, and ``test_check_*`` tests below run the rules on
generated notebooks that follow or break them, so the rules themselves are tested.

tests/sections.json is the repository's copy of the syllabus's section table (the team keeps the
syllabus outside this repository, so no test reads it); regenerate it with
``python -m tests.test_notebooks path/to/SECTIONS.md`` (from the repository root) when the syllabus changes.
"""
from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from tools import badges, run_notebooks, student

ROOT = badges.ROOT

SECTIONS_JSON = Path(__file__).resolve().parent / "sections.json"
EXECUTED = ROOT / "build" / "executed"
NOTEBOOK_TIMEOUT = 600  # s: the run is stopped here
NOTEBOOK_LIMIT = 240    # s: the test fails above this
NOTEBOOK_TARGET = 180   # s: the budget of DESIGN.md section 6
MIN_EXERCISES = 3
SUMMARY_WITHIN_LAST = 5  # cells

REMOVED_APIS = [r"tf\.Session\b", r"tf\.placeholder", r"tf\.compat\.v1", r"ImageDataGenerator",
                r"fit_generator", r"tf\.contrib"]
SMOKE_LINE = re.compile(r"^SMOKE\s*=\s*None\s*(#.*)?$", re.M)
SETUP_CALL = re.compile(r"helpers\.setup\(\s*(smoke\s*=\s*)?SMOKE\b")
SUMMARY_HEADING = re.compile(r"^#{1,4}\s.*\bsummary\b", re.M | re.I)


def parse_sections_md(text: str) -> dict[str, list[str]]:
    """The table of SECTIONS.md as {notebook file: [section numbers in order]}; ValueError if odd."""
    result: dict[str, list[str]] = {}
    for line in text.splitlines():
        m = re.match(r"^\|\s*`([^`]+\.ipynb)`\s*\|(.*)\|\s*$", line)
        if not m:
            continue
        name, body = m.groups()
        chapter = int(name[:2])
        numbers = re.findall(r"(?<![\w.])(\d+(?:\.\d+)+)(?![\w.])", body)
        if not numbers or any(not n.startswith(f"{chapter}.") for n in numbers):
            raise ValueError(f"{name}: section numbers {numbers} do not all belong to chapter {chapter}")
        result[name] = list(dict.fromkeys(numbers))
    return result


def heading_pattern(number: str) -> re.Pattern[str]:
    """A markdown heading line for section ``number`` ('1.1' is not satisfied by '1.1.1')."""
    return re.compile(rf"^#{{1,4}}[ \t]+{re.escape(number)}(?=\s|$)", re.M)


# ----------------------------------------------------------------------------- the rules

@dataclass
class Context:
    """What a rule needs besides the notebook."""

    cfg: badges.RepoConfig
    sections: list[str] | None  # None: the notebook is not in sections.json
    raw: dict | None = None     # the file's JSON as stored, when read from disk


def _code(nb):
    return [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def check_format(nb, name, ctx) -> list[str]:
    """Valid nbformat 4."""
    version = (ctx.raw or nb).get("nbformat")
    if version != 4:
        return [f"nbformat {version}, expected 4"]
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as e:
        return [f"not a valid notebook: {e.message}"]
    return []


def check_stripped(nb, name, ctx) -> list[str]:
    """No outputs, no execution counts, no saved widget state."""
    problems = [f"cell {i}: outputs or execution_count not stripped" for i, c in _code(nb)
                if c.get("outputs") or c.get("execution_count") is not None]
    if "widgets" in nb.metadata:
        problems.append("notebook metadata holds saved widget state ('widgets')")
    return problems


def check_title(nb, name, ctx) -> list[str]:
    """Cell 0 is markdown and starts with '# Chapter N: Title', N from the file name."""
    if not nb.cells or nb.cells[0].cell_type != "markdown":
        return ["cell 0 is not a markdown title cell"]
    first = nb.cells[0].source.partition("\n")[0].strip()
    m = badges.TITLE.match(first)
    if not m:
        return [f"cell 0 starts with {first!r}, expected '# Chapter N: Title'"]
    if name[:2].isdigit() and int(m.group(1)) != int(name[:2]):
        return [f"title says chapter {m.group(1)}, the file name says {int(name[:2])}"]
    return []


def check_badges(nb, name, ctx) -> list[str]:
    """Cell 0 holds the badge row tools/badges.py writes from pyproject.toml."""
    if not nb.cells or nb.cells[0].cell_type != "markdown":
        return ["cell 0 is not markdown, so it has no badge row"]
    source = nb.cells[0].source
    if badges.BADGES_START not in source or badges.BADGES_END not in source:
        return ["cell 0 has no badge row (<!-- badges:start --> ... <!-- badges:end -->); run `make badges`"]
    if badges.with_badges(source, badges.badge_block(ctx.cfg, name)) != source:
        return ["the badge row differs from pyproject.toml [tool.dlcv]; run `make badges`"]
    return []


def check_setup_cell(nb, name, ctx) -> list[str]:
    """Cell 1 is the generated Colab setup cell, tagged 'setup'."""
    if len(nb.cells) < 2 or nb.cells[1].cell_type != "code":
        return ["cell 1 is not the code setup cell; run `make badges`"]
    cell = nb.cells[1]
    problems = []
    if badges.SETUP_TAG not in _tags(cell):
        problems.append("cell 1 is not tagged 'setup'")
    if cell.source != badges.setup_source(ctx.cfg):
        problems.append("cell 1 differs from the generated Colab setup cell; run `make badges`")
    return problems


def check_parameters(nb, name, ctx) -> list[str]:
    """One code cell tagged 'parameters' with 'SMOKE = None', before the helpers.setup call."""
    tagged = [(i, c) for i, c in enumerate(nb.cells) if "parameters" in _tags(c)]
    if len(tagged) != 1:
        return [f"{len(tagged)} cells tagged 'parameters', expected 1"]
    index, cell = tagged[0]
    problems = []
    if cell.cell_type != "code":
        problems.append(f"cell {index} tagged 'parameters' is not a code cell")
    if not SMOKE_LINE.search(cell.source):
        problems.append(f"cell {index} tagged 'parameters' has no line 'SMOKE = None'")
    setup = [i for i, c in _code(nb) if SETUP_CALL.search(c.source)]
    if setup and setup[0] < index:
        problems.append(f"helpers.setup is called in cell {setup[0]}, before the parameters cell {index}")
    return problems


def check_helpers_setup(nb, name, ctx) -> list[str]:
    """A code cell calls helpers.setup(smoke=SMOKE)."""
    if any(SETUP_CALL.search(c.source) for _, c in _code(nb)):
        return []
    return ["no code cell calls helpers.setup(smoke=SMOKE)"]


def check_removed_apis(nb, name, ctx) -> list[str]:
    """No TF1 / Keras 2 APIs in code cells."""
    return [f"cell {i}: uses a removed TF1/Keras 2 API ({pattern})"
            for i, c in _code(nb) for pattern in REMOVED_APIS if re.search(pattern, c.source)]


def check_sections(nb, name, ctx) -> list[str]:
    """A heading for every section number of the chapter, in the book's order."""
    if ctx.sections is None:
        return [f"{name} is not listed in tests/sections.json"]
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    found = {n: m.start() for n in ctx.sections if (m := heading_pattern(n).search(markdown))}
    problems = []
    missing = [n for n in ctx.sections if n not in found]
    if missing:
        problems.append("no heading for section(s) " + ", ".join(missing)
                        + " (a line like '## 1.1 Title' in a markdown cell)")
    order = [n for n in ctx.sections if n in found]
    for before, after in zip(order, order[1:]):
        if found[after] < found[before]:
            problems.append(f"section {after} comes before section {before}")
    return problems


def check_solutions(nb, name, ctx) -> list[str]:
    """At least 3 exercises with solutions between matched BEGIN/END SOLUTION lines."""
    problems = []
    for i, c in _code(nb):
        try:
            student.strip_solutions(c.source)
        except ValueError as e:
            problems.append(f"cell {i}: {e}")
    count = student.count_solutions(nb)
    if count < MIN_EXERCISES:
        problems.append(f"{count} solution block(s) ({student.BEGIN} ... {student.END}), "
                        f"expected at least {MIN_EXERCISES}")
    return problems


def check_nbgrader(nb, name, ctx) -> list[str]:
    """Every exercise is an nbgrader assignment: solution cell + locked, autograded self-check cell."""
    try:
        expected = student.tag_exercises(nb, Path(name).stem)
    except ValueError as e:
        return [str(e)]
    problems = []
    for i, (have, want) in enumerate(zip(nb.cells, expected.cells)):
        if have.metadata.get("nbgrader") != want.metadata.get("nbgrader"):
            problems.append(f"cell {i}: nbgrader metadata {have.metadata.get('nbgrader')} should be "
                            f"{want.metadata.get('nbgrader')}")
    if problems:
        problems.append("run `python tools/student.py --tag` to write it")
    return problems


def check_summary(nb, name, ctx) -> list[str]:
    """A markdown cell with a Summary heading among the last few cells."""
    tail = nb.cells[-SUMMARY_WITHIN_LAST:]
    if any(c.cell_type == "markdown" and SUMMARY_HEADING.search(c.source) for c in tail):
        return []
    return [f"no markdown cell with a 'Summary' heading among the last {SUMMARY_WITHIN_LAST} cells"]


CHECKS = {f.__name__.removeprefix("check_"): f for f in [
    check_format, check_stripped, check_title, check_badges, check_setup_cell, check_parameters,
    check_helpers_setup, check_removed_apis, check_sections, check_solutions, check_nbgrader, check_summary]}


def problems_of(nb, name: str, sections: dict[str, list[str]], cfg: badges.RepoConfig,
                raw: dict | None = None) -> dict[str, list[str]]:
    """Every rule's problems with ``nb`` (only rules that found some)."""
    ctx = Context(cfg, sections.get(name), raw)
    return {k: p for k, f in CHECKS.items() if (p := f(nb, name, ctx))}


# ----------------------------------------------------------------------------- real notebooks

@pytest.fixture(scope="module")
def cfg() -> badges.RepoConfig:
    return badges.load_config(ROOT)


def test_every_chapter_has_its_notebook(notebooks):
    """notebooks/ holds exactly the ten chapters of tools/badges.py CHAPTERS (test_notebook_name checks the
    other direction for each file), so a missing or renamed chapter fails here, not by running fewer tests."""
    assert [p.name for p in notebooks] == [name for _, name, _ in badges.CHAPTERS]


@pytest.mark.parametrize("check", list(CHECKS))
def test_hygiene(notebook_path, check, sections, cfg):
    text = notebook_path.read_text(encoding="utf-8")
    nb = nbformat.reads(text, as_version=4)
    ctx = Context(cfg, sections.get(notebook_path.name), json.loads(text))
    problems = CHECKS[check](nb, notebook_path.name, ctx)
    assert not problems, f"{notebook_path.name} ({CHECKS[check].__doc__})\n" + "\n".join(
        f"  - {p}" for p in problems)


def test_notebook_name(notebook_path, sections):
    name = notebook_path.name
    assert badges.NOTEBOOK_NAME.match(name), f"{name}: expected NN_lower_snake_case.ipynb"
    assert name in sections, f"{name} is not listed in tests/sections.json"
    assert name in {c[1] for c in badges.CHAPTERS}, f"{name} is not a chapter in tools/badges.py CHAPTERS"


def test_sections_json_names(sections):
    """sections.json: ten chapters, conventional names, numbers that belong to their chapter."""
    bad = [n for n in sections if not badges.NOTEBOOK_NAME.match(n)]
    assert not bad, f"tests/sections.json: names not of the form NN_lower_snake_case.ipynb: {bad}"
    assert list(sections) == [c[1] for c in badges.CHAPTERS], \
        "tests/sections.json and tools/badges.py CHAPTERS list different notebooks"
    for name, numbers in sections.items():
        assert numbers and all(n.startswith(f"{int(name[:2])}.") for n in numbers), name
        assert len(set(numbers)) == len(numbers), f"{name}: repeated section numbers"


def test_badges_and_readme_agree_with_pyproject():
    stale = badges.run(ROOT, check=True)
    assert not stale, f"run `make badges`; these disagree with pyproject.toml: {stale}"


@pytest.mark.notebook
def test_executes_in_smoke_mode(notebook_path):
    result = run_notebooks.execute(notebook_path, EXECUTED, smoke=True, timeout=NOTEBOOK_TIMEOUT)
    run_notebooks.save_timings([result], EXECUTED)
    print(f"{notebook_path.name}: {result.status} in {result.seconds:.1f} s")
    assert result.status == "ok", (f"{notebook_path.name} {result.status} after {result.seconds:.0f} s: "
                                   f"{result.error}\n{result.output}")
    executed = nbformat.read(EXECUTED / notebook_path.name, as_version=4)
    errors = [f"cell {i}: {o.get('ename')}: {o.get('evalue')}" for i, c in _code(executed)
              for o in c.outputs if o.get("output_type") == "error"]
    assert not errors, f"error outputs in {EXECUTED / notebook_path.name}: {errors}"
    # This execution is also the autograding of the source notebook: nbgrader's own rule scores each
    # self-check cell (an error or anything on stderr is zero), and the solutions must earn full marks.
    from nbgrader.utils import determine_grade, is_grade

    scores = {c.metadata.nbgrader["grade_id"]: determine_grade(c) for c in executed.cells if is_grade(c)}
    assert scores and all(got == total for got, total in scores.values()), f"autograde of the solutions: {scores}"
    assert result.seconds <= NOTEBOOK_LIMIT, (
        f"{notebook_path.name} took {result.seconds:.0f} s in smoke mode; the limit is {NOTEBOOK_LIMIT} s "
        f"and the target {NOTEBOOK_TARGET} s per notebook on 2 CPU cores")


# ----------------------------------------------------------------------------- the rules, tested

def conforming_notebook(name: str, numbers: list[str], cfg: badges.RepoConfig) -> nbformat.NotebookNode:
    """A small notebook that follows every rule."""
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    chapter = int(name[:2])
    cells = [md(f"# Chapter {chapter}: Test chapter\n\n{badges.badge_block(cfg, name)}\n\nWhat you will learn."),
             code(badges.setup_source(cfg), metadata={"tags": ["setup"]}),
             code("SMOKE = None  # None: read DLCV_SMOKE\nEPOCHS = None", metadata={"tags": ["parameters"]}),
             code("import helpers\ncfg = helpers.setup(smoke=SMOKE)")]
    for number in numbers:
        level = "#" * (number.count(".") + 1)
        cells += [md(f"{level} {number} Section {number}\n\nText."), code("x = 1 + 1")]
    cells.append(md("## Exercises"))
    for k in range(MIN_EXERCISES):
        cells.append(code(f"def exercise_{k}():\n    ### BEGIN SOLUTION\n    return {k}\n    ### END SOLUTION\n"))
        cells.append(code(f"assert exercise_{k}() == {k}"))
    cells.append(md(f"## {chapter}.9 Summary\n\nNumbers measured in this run."))
    nb = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}})
    return student.tag_exercises(nb, Path(name).stem)


NAME = "01_getting_started.ipynb"
NUMBERS = ["1.1", "1.1.1", "1.1.2", "1.2", "1.3"]


@pytest.fixture
def good(tmp_path, cfg):
    """A conforming notebook, written to and read back from a temporary folder."""
    path = tmp_path / NAME
    badges.write_notebook(conforming_notebook(NAME, NUMBERS, cfg), path)
    return nbformat.read(path, as_version=4)


def _problems(nb, cfg):
    return problems_of(nb, NAME, {NAME: NUMBERS}, cfg)


def test_conforming_notebook_passes_every_rule(good, cfg):
    assert _problems(good, cfg) == {}


def _set(cell_index, **fields):
    def mutate(nb):
        nb.cells[cell_index].update(fields)
    return mutate


def _edit(cell_index, old, new):
    def mutate(nb):
        assert old in nb.cells[cell_index].source
        nb.cells[cell_index].source = nb.cells[cell_index].source.replace(old, new)
    return mutate


def _append_code(source):
    def mutate(nb):
        nb.cells.insert(5, nbformat.v4.new_code_cell(source))
    return mutate


def _delete(predicate):
    def mutate(nb):
        nb.cells = [c for c in nb.cells if not predicate(c)]
    return mutate


def _bad_format(nb):
    nb.cells[2]["bogus"] = 1


def _output(nb):
    nb.cells[3].outputs = [nbformat.v4.new_output("stream", name="stdout", text="hi\n")]


def _heading_only_in_code(nb):
    _edit(4, "## 1.1 Section", "## One")(nb)
    nb.cells.insert(4, nbformat.v4.new_code_cell("## 1.1 Section, as a comment in code"))


BROKEN = {
    "format": [_bad_format],
    "stripped": [_output, _set(3, execution_count=4), lambda nb: nb.metadata.update(widgets={"state": {}})],
    "title": [_edit(0, "# Chapter 1: ", "# "), _edit(0, "# Chapter 1: ", "# Chapter 2: "),
              lambda nb: nb.cells.insert(0, nbformat.v4.new_code_cell("1"))],
    "badges": [_edit(0, "/blob/main/", "/blob/dev/"), _edit(0, "<!-- badges:end -->", ""),
               _edit(0, "/notebooks/01_getting_started.ipynb)\n[", "/notebooks/02_x.ipynb)\n[")],
    "setup_cell": [_set(1, metadata={}), _edit(1, "--no-deps ", ""),
                   lambda nb: nb.cells.pop(1)],
    "parameters": [_set(2, metadata={}), _edit(2, "SMOKE = None", "SMOKE = True"),
                   lambda nb: nb.cells.insert(2, nb.cells.pop(3))],
    "helpers_setup": [_edit(3, "helpers.setup(smoke=SMOKE)", "helpers.setup()")],
    "removed_apis": [_append_code("sess = tf.Session()"), _append_code("x = tf.placeholder(tf.float32)"),
                     _append_code("import tensorflow.compat.v1 as v1\nv1 = tf.compat.v1"),
                     _append_code("from keras.preprocessing.image import ImageDataGenerator"),
                     _append_code("model.fit_generator(gen)"), _append_code("tf.contrib.layers")],
    "sections": [_edit(4, "## 1.1 Section", "## 1.1.0 Section"),  # '1.1' is not satisfied by '1.1.1'
                 _edit(4, "## 1.1 Section", "1.1 Section"),        # not a heading
                 _edit(4, "## 1.1 Section", "## 1.1. Section"),
                 lambda nb: nb.cells.insert(4, nb.cells.pop(12)),  # 1.3 before 1.1
                 _heading_only_in_code],
    "solutions": [_delete(lambda c: "def exercise_0" in c.source),
                  _edit(-3, "    ### END SOLUTION\n", ""),
                  _edit(-3, "    ### BEGIN SOLUTION\n", "")],
    "nbgrader": [lambda nb: nb.cells[-2].metadata.pop("nbgrader"),
                 lambda nb: nb.cells[-3].metadata["nbgrader"].update(points=5),
                 _delete(lambda c: c.source == "assert exercise_2() == 2")],
    "summary": [_delete(lambda c: "Summary" in c.source),
                lambda nb: nb.cells.extend(nbformat.v4.new_code_cell(str(i)) for i in range(SUMMARY_WITHIN_LAST))],
}
CASES = [(rule, i, mutate) for rule, mutations in BROKEN.items() for i, mutate in enumerate(mutations)]


def test_every_rule_has_a_failing_case():
    assert set(BROKEN) == set(CHECKS)


@pytest.mark.parametrize("rule,mutate", [(r, m) for r, _, m in CASES], ids=[f"{r}-{i}" for r, i, _ in CASES])
def test_rule_catches_a_broken_notebook(good, cfg, rule, mutate):
    mutate(good)
    problems = _problems(good, cfg)
    assert rule in problems, f"rule {rule!r} missed it; found {problems}"


def test_section_numbers_must_be_followed_by_a_space():
    assert heading_pattern("1.1").search("## 1.1 Understanding deep learning")
    assert heading_pattern("1.1").search("#### 1.1\n")
    assert not heading_pattern("1.1").search("### 1.1.1 The perceptron")
    assert not heading_pattern("1.1").search("## 11.1 Other")
    assert not heading_pattern("1.1").search("##### 1.1 Too deep")
    assert not heading_pattern("1.1").search("text ## 1.1 inline")


def test_sections_in_an_unlisted_notebook_are_reported(good, cfg):
    problems = problems_of(good, NAME, {}, cfg)
    assert "not listed in tests/sections.json" in problems["sections"][0]


def test_stale_setup_cell_is_caught_after_pyproject_changes(good, cfg):
    other = badges.RepoConfig("someone", "fork", "dev", cfg.colab_packages)
    problems = problems_of(good, NAME, {NAME: NUMBERS}, other)
    assert set(problems) == {"badges", "setup_cell"}


def test_parse_sections_md():
    text = ("| notebook | sections |\n| --- | --- |\n"
            "| `01_getting_started.ipynb` | 1.1 deep learning: 1.1.1 perceptron, 1.1.2 activations (ReLU, "
            "tanh); 1.2 vision with Keras 3; 1.3 summary |\n"
            "| `08_generative_models.ipynb` | 8.1 applications: 8.1.12 3D from photos; 8.2 word2vec |\n")
    assert parse_sections_md(text) == {
        "01_getting_started.ipynb": ["1.1", "1.1.1", "1.1.2", "1.2", "1.3"],
        "08_generative_models.ipynb": ["8.1", "8.1.12", "8.2"]}
    with pytest.raises(ValueError, match="chapter 1"):
        parse_sections_md("| `01_a.ipynb` | 1.1 TF 2.21 |")


if __name__ == "__main__":  # regenerate tests/sections.json from the syllabus
    if len(sys.argv) != 2:
        sys.exit("usage: python -m tests.test_notebooks path/to/syllabus/SECTIONS.md")
    source = Path(sys.argv[1])
    table = parse_sections_md(source.read_text(encoding="utf-8"))
    SECTIONS_JSON.write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {SECTIONS_JSON}: {len(table)} notebooks, {sum(map(len, table.values()))} sections")
