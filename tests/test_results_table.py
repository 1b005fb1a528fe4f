"""README's offline results table: built only from build/results/*.json and timings.json, never from a smoke run."""
from __future__ import annotations

import json
import re

import pytest

from tools import results_table
from tools.badges import CHAPTERS, ROOT


def _fake_run(tmp_path, budget="full", skip=None):
    results, executed = tmp_path / "results", tmp_path / "executed"
    results.mkdir()
    executed.mkdir()
    timings = {}
    for number, notebook, _ in CHAPTERS:
        chapter = f"{number:02d}"
        if chapter == skip:
            continue
        record = {"chapter": chapter, "mode": "smoke", "budget": budget, "finished": f"2026-12-0{number % 2 + 5}T03:00:00+00:00",
                  "results": {"accuracy | top-1": 0.91234 + number / 1000, "notebook wall time (s)": 60.0 * number},
                  "book": {"accuracy | top-1": "about 0.9"}}
        (results / f"{chapter}.json").write_text(json.dumps(record))
        timings[notebook] = {"mode": "smoke", "seconds": 61.0 * number, "status": "ok", "load": "1.0 1.1 1.2",
                             "cpu_seconds": 100.0 * number if number > 1 else None}
    (executed / "timings.json").write_text(json.dumps(timings))
    return results, executed / "timings.json"


def test_table_from_the_files(tmp_path):
    results, timings = _fake_run(tmp_path)
    rows, problems = results_table.collect(results, timings, "full")
    assert problems == [] and len(rows) == 10
    block = results_table.render(rows, "full", "2 CPU cores", {"08": "ran before the sampler fix."})
    summary = [line for line in block.splitlines() if line.startswith("| [")]
    assert len(summary) == 10
    assert "| [1](notebooks/01_getting_started.ipynb) | 61 s | not recorded | offline, full |" in summary[0]
    assert "| 10.2 min | 16.7 min |" in summary[-1]  # 610 s from timings.json, not the notebook's own clock
    assert "\nChapter 8: ran before the sampler fix.\n" in block
    assert "accuracy \\| top-1: **0.9133** (book: about 0.9)" in summary[0]
    assert block.startswith("Run of 2026-12-05 to 2026-12-06: `make bench BUDGET=full`")
    assert block.count("<details>") == 10


@pytest.mark.parametrize("case", ["missing", "smoke budget", "failed run"])
def test_refuses_a_partial_or_smoke_run(tmp_path, case, capsys):
    results, timings = _fake_run(tmp_path, budget="smoke" if case == "smoke budget" else "full",
                                 skip="07" if case == "missing" else None)
    if case == "failed run":
        data = json.loads(timings.read_text())
        data["08_generative_models.ipynb"]["status"] = "timeout"
        timings.write_text(json.dumps(data))
    readme = tmp_path / "README.md"
    readme.write_text(f"a\n{results_table.START}\nold\n{results_table.END}\nb\n")
    code = results_table.main(["--results", str(results), "--timings", str(timings), "--readme", str(readme)])
    assert code == 1 and "old" in readme.read_text()
    err = capsys.readouterr().err
    assert {"missing": "07: no", "smoke budget": "not full", "failed run": "08: no successful run"}[case] in err


def test_rewrites_only_the_block_and_is_idempotent(tmp_path):
    results, timings = _fake_run(tmp_path)
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{results_table.START}\nold\n{results_table.END}\noutro\n")
    args = ["--results", str(results), "--timings", str(timings), "--readme", str(readme)]
    assert results_table.main(args) == 0
    first = readme.read_text()
    assert first.startswith("intro\n") and first.endswith("\noutro\n") and "old" not in first
    assert results_table.main(args) == 0 and readme.read_text() == first


def test_readme_has_the_full_budget_results_of_all_ten():
    text = (ROOT / "README.md").read_text()
    assert results_table.START in text and results_table.END in text
    block = text.split(results_table.START, 1)[1].split(results_table.END, 1)[0]
    rows = re.findall(r"^\| \[(\d+)\]\(notebooks/(\S+?\.ipynb)\) \| [^|]+ \| [^|]+ \| (offline|downloaded), (\w+) \|", block, re.MULTILINE)
    assert [int(r[0]) for r in rows] == list(range(1, 11))
    assert all(r[3] == "full" for r in rows), rows
    assert all((ROOT / "notebooks" / r[1]).is_file() for r in rows)
