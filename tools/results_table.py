"""README's "Results with the offline data" table, from ``build/results/*.json`` and ``timings.json``.

``make bench BUDGET=full`` runs every notebook on the offline data with the full budgets; each notebook's
summary cell writes its numbers to ``build/results/NN.json`` (helpers.report.save_results) and the
harness writes the wall time of each run to ``build/executed/timings.json``.  Those files are the only
source of the table: this script copies them into README.md between ``<!-- results:start -->`` and
``<!-- results:end -->`` and refuses when a chapter's record is missing, failed, or came from another
budget than the one asked for (so a smoke number is never shown as a full-budget one).

Usage::

    python tools/results_table.py              # rewrite README.md's block (budget "full")
    python tools/results_table.py --budget smoke --print   # the table of a smoke bench, to stdout
"""
from __future__ import annotations

import argparse
import datetime
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helpers.report import format_value, load_results  # noqa: E402
from tools.badges import CHAPTERS  # noqa: E402

START, END = "<!-- results:start -->", "<!-- results:end -->"
WALL = "notebook wall time (s)"
DATA = {"smoke": "offline", "full": "downloaded"}  # smoke mode = the offline data sets; full mode downloads

# The results shown in the summary table, per chapter (the rest are in each chapter's details block):
# the experiments each chapter is about, beside the book's number where the book gives one.
HEADLINES: dict[str, list[str]] = {
    "01": ["perceptron accuracy on XOR", "playground accuracy, circles, 2x6 tanh",
           "gradient ratio layer1/layer10 (sigmoid)"],
    "02": ["low-level CNN test accuracy", "Keras CNN test accuracy",
           "cats vs dogs: baseline CNN val accuracy", "cats vs dogs: VGG16 bottleneck + dense head val accuracy"],
    "03": ["MNIST CNN test accuracy", "retrieval mAP, raw pixels", "retrieval mAP, CNN features, cosine",
           "FGSM accuracy at eps=0.1: A white box / B transfer"],
    "04": ["regression: mean IoU / label accuracy (one digit, 48x48)",
           "pedestrian AP@0.5 on the test half, HOG + learned box correction",
           "mini-YOLO mAP@0.5 all-point / VOC 11-point"],
    "05": ["nerve mask, predict all background: pixel accuracy", "U-Net val Dice", "FCN val mean IoU"],
    "06": ["siamese + contrastive, unseen digits: test AUC / MAP@R",
           "triplet semi-hard (P x K), unseen digits: test AUC / MAP@R / ARI",
           "plain softmax (control), unseen digits: test AUC / MAP@R / ARI",
           "ArcFace head (s=16, m=0.3), unseen digits: test AUC / MAP@R / ARI"],
    "07": ["retrieval recall@1 image->caption / caption->image", "Show and Tell: exact match / BLEU-4 (greedy)",
           "Show, Attend and Tell: exact match / BLEU-4 (greedy)", "Transformer: exact match / BLEU-4 (greedy)"],
    "08": ["super-resolution x2 PSNR bicubic / CNN (dB)", "Frechet distance real / DCGAN / cGAN / noise",
           "toy ring: modes at the end per seed, GAN / WGAN-GP", "Frechet distance DCGAN / diffusion (same classifier)"],
    "09": ["direction task: single frame (middle)", "direction task: 3-D CNN (C3D-lite)",
           "direction task: CNN(Flatten) + LSTM", "direction task: two-stream, averaged softmax"],
    "10": ["small CNN LiteRT full int8: bytes, accuracy, p50 ms", "MobileNet 1.0-224 M MACs / M params (ours)"],
}


def headline_keys(chapter: str, record: dict) -> list[str]:
    """The chosen results that this record has; else (renamed keys) the ones with a book number, else the first."""
    results = record.get("results", {})
    keys = [k for k in HEADLINES.get(chapter, []) if k in results]
    if not keys:
        keys = [k for k in results if k in record.get("book", {}) and k != WALL][:3]
    return keys or [k for k in results if k != WALL][:3]


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds >= 90 else f"{seconds:.0f} s"


def collect(results_dir: Path, timings_path: Path, budget: str) -> tuple[list[tuple[str, str, dict, dict]], list[str]]:
    """(chapter, notebook, record, timing) for every chapter, and the problems that forbid a table."""
    records = load_results(results_dir)
    try:
        timings = json.loads(timings_path.read_text())
    except (OSError, ValueError):
        timings = {}
    rows, problems = [], []
    for number, notebook, _ in CHAPTERS:
        chapter = f"{number:02d}"
        record, timing = records.get(chapter), timings.get(notebook, {})
        if record is None:
            problems.append(f"{chapter}: no {results_dir / (chapter + '.json')} (run make bench BUDGET={budget})")
            continue
        if record.get("budget") != budget:
            problems.append(f"{chapter}: results are from the {record.get('budget')} budgets, not {budget}")
        if timing.get("status") != "ok":
            problems.append(f"{chapter}: no successful run of {notebook} in {timings_path}")
        rows.append((chapter, notebook, record, timing))
    return rows, problems


def render(rows: list[tuple[str, str, dict, dict]], budget: str, machine: str,
           notes: dict[str, str] | None = None) -> str:
    """The markdown block: one summary row per chapter, then every result of each chapter in a details block."""
    finished = sorted(r[2]["finished"][:10] for r in rows)
    total = sum(float(r[3].get("seconds", 0)) for r in rows)
    cpu_total = sum(float(r[3].get("cpu_seconds") or 0) for r in rows)
    loads = [r[3].get("load", "") for r in rows]
    lines = [
        f"Run of {finished[0]}{'' if finished[0] == finished[-1] else ' to ' + finished[-1]}: "
        f"`make bench BUDGET={budget}` (offline data: smoke mode's data sets; {budget} budgets), {machine}. "
        f"All ten: {total / 60:.0f} minutes of wall time, {cpu_total / 60:.0f} minutes of CPU time. "
        f"Load averages (1 min) at the end of each run: {', '.join((l or '?').split()[0] for l in loads)}: "
        "above 2, other jobs shared the two cores, so the wall time is longer than on an idle machine; the CPU time "
        "(papermill and the kernel) hardly depends on the load, and on an idle 2-core machine no run can take less "
        "than half its CPU time.",
        "",
        "| Ch. | wall time | CPU time | data, budgets | headline results: this run (book) |",
        "| --- | ---: | ---: | --- | --- |",
    ]
    for chapter, notebook, record, timing in rows:
        parts = []
        for key in headline_keys(chapter, record):
            value = format_value(record["results"][key])
            book = record.get("book", {}).get(key)
            parts.append(f"{key}: **{value}**" + (f" (book: {book})" if book else ""))
        seconds = float(timing.get("seconds", record["results"].get(WALL, 0)) or 0)
        cpu = timing.get("cpu_seconds")
        lines.append(f"| [{int(chapter)}](notebooks/{notebook}) | {_minutes(seconds)} | "
                     f"{_minutes(float(cpu)) if cpu else 'not recorded'} | "
                     f"{DATA.get(record['mode'], record['mode'])}, {record['budget']} | {_cell('; '.join(parts))} |")
    lines.append("")
    for chapter, text in sorted((notes or {}).items()):
        lines += [f"Chapter {int(chapter)}: {text}", ""]
    for chapter, notebook, record, timing in rows:
        lines += ["<details>", f"<summary>Chapter {int(chapter)}: every result of this run</summary>", "",
                  "| result | this run | book |", "| --- | --- | --- |"]
        for key, value in record["results"].items():
            book = record.get("book", {}).get(key, "")
            lines.append(f"| {_cell(key)} | {_cell(format_value(value))} | {_cell(book)} |")
        lines += ["", "</details>"]
    return "\n".join(lines)


def replace_block(text: str, block: str) -> str:
    if START not in text or END not in text:
        raise ValueError(f"README.md has no {START} ... {END} block")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{block}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=ROOT / "build" / "results")
    parser.add_argument("--timings", type=Path, default=ROOT / "build" / "executed" / "timings.json")
    parser.add_argument("--budget", default="full", choices=["full", "smoke"])
    parser.add_argument("--readme", type=Path, default=ROOT / "README.md")
    parser.add_argument("--machine", default="",
                        help="where it ran, e.g. '2 CPU cores, no GPU' (default: the timings file's machine line)")
    parser.add_argument("--print", action="store_true", help="print the block instead of writing README")
    parser.add_argument("--note", action="append", default=[], metavar="NN=TEXT",
                        help="a sentence under the table about chapter NN's run (repeatable)")
    args = parser.parse_args(argv)
    rows, problems = collect(args.results, args.timings, args.budget)
    if problems:
        print("cannot write the results table:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    machine = args.machine or next((t.get("machine") for *_, t in rows if t.get("machine")), "") \
        or "Linux, 2 CPU cores, no GPU"
    notes = {}
    for item in args.note:
        chapter, sep, text = item.partition("=")
        if not sep or len(chapter) != 2 or not chapter.isdigit() or not text.strip():
            parser.error(f"--note {item!r}: expected NN=TEXT, e.g. 08='ran before commit abc1234'")
        notes[chapter] = text.strip()
    block = render(rows, args.budget, machine, notes)
    if args.print:
        print(block)
        return 0
    text = args.readme.read_text()
    new = replace_block(text, block)
    if new != text:
        args.readme.write_text(new)
        print(f"rewrote the results block of {args.readme} ({datetime.date.today()})")
    else:
        print(f"{args.readme}: results block already up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
