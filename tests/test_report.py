"""helpers.report: a notebook's results printed beside the book's and saved as JSON for make bench."""
from __future__ import annotations

import json

import numpy as np
import pytest

from helpers import config, report
from tools import run_notebooks


@pytest.fixture
def results_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DLCV_RESULTS_DIR", str(tmp_path / "results"))
    return tmp_path / "results"


def test_save_results_prints_and_writes_json(results_dir, capsys):
    cfg = config.Config(smoke=True, seed=0, data_dir=results_dir, log_dir=results_dir, model_dir=results_dir)
    path = report.save_results(cfg, "04", {"mAP": np.float32(0.5), "boxes": 3, "bad": float("nan")},
                               {"mAP": "21 to 37 (Table 4-1)"})
    assert path == results_dir / "04.json"
    record = json.loads(path.read_text())
    assert record["mode"] == "smoke" and record["budget"] == "smoke" and record["chapter"] == "04"
    assert record["results"] == {"mAP": 0.5, "boxes": 3, "bad": None}
    assert record["book"] == {"mAP": "21 to 37 (Table 4-1)"}
    out = capsys.readouterr().out
    assert "mode: smoke" in out and "0.5" in out and "book: 21 to 37 (Table 4-1)" in out
    assert report.load_results(results_dir)["04"]["results"]["boxes"] == 3


@pytest.mark.parametrize("args, match", [
    (("4", {"a": 1}), "two digits"),
    (("04", {}), "non-empty"),
])
def test_save_results_rejects_bad_input(results_dir, args, match):
    cfg = config.Config(smoke=False, seed=0, data_dir=results_dir, log_dir=results_dir, model_dir=results_dir)
    with pytest.raises(ValueError, match=match):
        report.save_results(cfg, *args)
    assert not (results_dir / "04.json").exists()


def test_book_numbers_without_a_result_are_listed(results_dir, capsys):
    cfg = config.Config(smoke=True, seed=0, data_dir=results_dir, log_dir=results_dir, model_dir=results_dir)
    path = report.save_results(cfg, "05", {"Dice": 0.9}, {"Dice": "0.73 (Kaggle)", "mIoU on VOC": "79.7"})
    assert "mIoU on VOC" in capsys.readouterr().out and json.loads(path.read_text())["book"]["mIoU on VOC"] == "79.7"


def test_bench_markdown_lists_each_chapter_beside_the_book(results_dir):
    cfg = config.Config(smoke=True, seed=0, data_dir=results_dir, log_dir=results_dir, model_dir=results_dir,
                        budget="full")
    report.save_results(cfg, "02", {"test accuracy": 0.9876}, {"test accuracy": "99% (full MNIST)"}, quiet=True)
    runs = [run_notebooks.Result("02_image_classification.ipynb", "smoke", 61.5, "ok"),
            run_notebooks.Result("03_image_retrieval.ipynb", "smoke", 12.0, "failed", "boom")]
    text = run_notebooks.results_markdown(runs, results_dir)
    assert "mode smoke, budgets full, 61.5 s" in text
    assert "| test accuracy | 0.9876 | 99% (full MNIST) |" in text
    assert "## 03_image_retrieval.ipynb\n\nno results saved (failed)" in text


@pytest.mark.parametrize("value, shown", [
    (0.123456789, "0.1235"), (np.float32(0.123456789), "0.1235"), (np.float64(12345.678), "1.235e+04"),
    (np.float16(0.5), "0.5"), (3, "3"), (np.int64(7), "7"), (True, "True"), ("text", "text"),
    ((np.float32(0.91234567), 0.5, 12), "(0.9123, 0.5, 12)"), ([np.float64(1 / 3)], "[0.3333]"), ((0.25,), "(0.25,)"),
])
def test_format_value_rounds_every_kind_of_float(value, shown):
    assert report.format_value(value) == shown
