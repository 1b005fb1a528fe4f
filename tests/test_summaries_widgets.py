"""helpers.summaries (TensorBoard event files read back, TensorBoard started and stopped) and helpers.widgets."""
import contextlib
import os
import shlex
import signal
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import keras  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from helpers import summaries, widgets  # noqa: E402


def teardown_function():
    plt.close("all")


def test_scalars_round_trip(tmp_path):
    writer = summaries.file_writer(tmp_path / "train")
    for step in range(5):
        summaries.log_scalars(writer, {"loss": 1.0 / (step + 1), "acc": step / 10}, step)
    data = summaries.read_scalars(tmp_path)
    steps, values = data["train/loss"]
    assert list(steps) == [0, 1, 2, 3, 4]
    assert np.allclose(values, [1, 0.5, 1 / 3, 0.25, 0.2])
    assert np.allclose(data["train/acc"][1], [0, 0.1, 0.2, 0.3, 0.4])
    fig = summaries.plot_scalars(tmp_path)
    assert sorted(ax.get_title() for ax in fig.axes) == ["acc", "loss"]


def test_histograms_and_images_read_back(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path / "train"))
    images = np.zeros((3, 4, 5, 1), np.float32)
    images[1] = 1.0
    with writer.as_default():
        for step in (0, 10):
            tf.summary.histogram("w", np.arange(10.0) + step, step=step, buckets=5)
        tf.summary.image("imgs", images, step=3, max_outputs=2)
    writer.flush()
    assert summaries.read_scalars(tmp_path) == {}
    with pytest.raises(ValueError, match="no scalar"):
        summaries.plot_scalars(tmp_path)
    hists = summaries.read_histograms(tmp_path)
    assert list(hists) == ["train/w"] and [s for s, _ in hists["train/w"]] == [0, 10]
    buckets = hists["train/w"][1][1]
    assert buckets.shape == (5, 3) and buckets[:, 2].sum() == 10
    assert buckets[0, 0] == pytest.approx(10.0) and buckets[-1, 1] == pytest.approx(19.0)
    imgs = summaries.read_images(tmp_path)
    step, decoded = imgs["train/imgs"][0]
    assert step == 3 and len(decoded) == 2  # max_outputs
    assert decoded[0].shape == (4, 5, 1) and decoded[0].max() == 0 and decoded[1].min() == 255
    with pytest.raises(ValueError, match="does not exist"):
        summaries.read_histograms(tmp_path / "missing")


def test_a_graph_written_with_summary_graph_is_read_back_and_drawn(tmp_path):
    @tf.function
    def add(x, y):
        return tf.add(x, y, name="sum")

    writer = tf.summary.create_file_writer(str(tmp_path))
    with writer.as_default():
        tf.summary.graph(add.get_concrete_function(tf.constant(1.0), tf.constant(2.0)).graph)
    writer.flush()
    graph_def = summaries.read_graph(tmp_path)
    ops = {n.name: n.op for n in graph_def.node}
    assert ops["sum"] == "AddV2"
    assert set(next(n for n in graph_def.node if n.name == "sum").input) == {"x", "y"}
    ax = summaries.plot_graph(graph_def)
    assert any("sum" in t.get_text() for t in ax.texts)


def test_trace_on_export_graph_is_read_back(tmp_path):
    @tf.function
    def double(x):
        return tf.multiply(x, 2.0, name="twice")

    writer = tf.summary.create_file_writer(str(tmp_path))
    tf.summary.trace_on(graph=True, profiler=False)
    double(tf.constant(3.0))
    with writer.as_default():
        tf.summary.trace_export(name="double", step=0)
    writer.flush()
    assert "twice" in {n.name for n in summaries.read_graph(tmp_path).node}
    assert summaries.read_graph(tmp_path / "nothing_here") is None


def test_show_tensorboard_static_fallback(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("DLCV_INTERACTIVE", "0")
    called = []
    logdir = tmp_path / "My Drive" / "logs"
    summaries.show_tensorboard(logdir, static=lambda: called.append(True))
    out = capsys.readouterr().out
    assert called and "static view" in out
    hint = out.split("%tensorboard ", 1)[1].strip().rstrip(")")
    assert shlex.split(hint) == ["--logdir", str(logdir.resolve())]  # the magic as printed works with the space


def test_show_tensorboard_passes_a_folder_with_spaces_as_one_argument(tmp_path, monkeypatch):
    import importlib

    notebook = importlib.import_module("tensorboard.notebook")  # the module, not tensorboard's lazy proxy

    monkeypatch.setenv("DLCV_INTERACTIVE", "1")
    started = []
    monkeypatch.setattr(notebook, "start", started.append)
    logdir = tmp_path / "My Drive" / "logs"
    summaries.show_tensorboard(logdir, static=lambda: pytest.fail("interactive runs show TensorBoard"))
    assert [shlex.split(a) for a in started] == [["--logdir", str(logdir.resolve())]]


def test_tensorboard_started_for_a_folder_is_stopped(tmp_path, monkeypatch, capsys):
    """The real thing: TensorBoard on a folder with a space in its name, then stopped by stop_tensorboard."""
    from tensorboard import manager

    monkeypatch.setenv("DLCV_INTERACTIVE", "1")
    monkeypatch.setenv("TENSORBOARD_BINARY", str(Path(sys.executable).parent / "tensorboard"))
    logdir = tmp_path / "My Drive" / "logs"
    logdir.mkdir(parents=True)
    summaries.show_tensorboard(logdir)
    mine = [i for i in manager.get_all() if Path(i.logdir) == logdir.resolve()]
    try:
        assert len(mine) == 1, capsys.readouterr().out
        assert summaries.stop_tensorboard(tmp_path / "elsewhere") == []
        assert summaries.stop_tensorboard(logdir) == [mine[0].pid]
        deadline = time.monotonic() + 30
        while any(i.pid == mine[0].pid for i in manager.get_all()) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(i.pid == mine[0].pid for i in manager.get_all()), "TensorBoard is still running"
    finally:
        for info in mine:
            with contextlib.suppress(ProcessLookupError):
                os.kill(info.pid, signal.SIGKILL)


def test_interactive_or_static_static_path(capsys):
    calls = []
    out = widgets.interactive_or_static(lambda a, b=0: calls.append((a, b)) or a + b, {"a": (0, 5)},
                                        static=[{"a": 1}, {"a": 2, "b": 3}], interactive=False)
    assert calls == [(1, 0), (2, 3)] and out == [1, 5]
    with pytest.raises(ValueError):
        widgets.interactive_or_static(lambda: None, {}, static=[])


def test_interactive_or_static_builds_widget():
    import ipywidgets

    w = widgets.interactive_or_static(lambda a: a * 2, {"a": ipywidgets.IntSlider(3, 0, 5)}, static=[{"a": 1}],
                                      interactive=True)
    assert isinstance(w, ipywidgets.interactive) and w.result == 6


def test_gradient_descent_static_returns_final_losses():
    def loss(x, y):
        return x ** 2 + y ** 2

    def descend(lr, steps):
        p = np.array([1.0, 1.0])
        path = [p]
        for _ in range(steps):
            p = p - lr * 2 * p
            path.append(p)
        return np.array(path)

    finals = widgets.gradient_descent(loss, descend, static_rates=(0.1, 1.1), steps=10, interactive=False)
    assert finals[0] == pytest.approx(2 * 0.8 ** 20)
    assert finals[1] > 2  # the too-large rate diverges


def test_gradient_descent_and_playground_build_live_widgets():
    import ipywidgets

    w = widgets.gradient_descent(lambda x, y: x ** 2 + y ** 2, lambda lr, steps: np.zeros((steps + 1, 2)),
                                 interactive=True)
    assert isinstance(w, ipywidgets.interactive) and w.result == 0.0
    w = widgets.playground(lambda kind, noise: (np.zeros((4, 2)), np.zeros(4)), lambda **kw: None, interactive=True)
    assert isinstance(w, ipywidgets.interactive)
    assert {c.description for c in w.children[:8]} >= {"data", "noise", "activation", "learning rate", "L2"}
    assert w.manual_button is not None and w.manual_button.description == "Train"


def test_playground_static_trains_and_scores():
    from helpers import synthetic

    def build(hidden_layers, units, activation, l2, learning_rate):
        model = keras.Sequential([keras.Input((2,))] + [keras.layers.Dense(units, activation=activation)
                                                        for _ in range(hidden_layers)]
                                 + [keras.layers.Dense(1, activation="sigmoid")])
        model.compile(keras.optimizers.Adam(learning_rate), "binary_crossentropy")
        return model

    keras.utils.set_random_seed(0)
    scores = widgets.playground(lambda kind, noise: synthetic.toy_2d(kind, n=200, noise=noise, seed=0), build,
                                static=[{"kind": "gaussians", "hidden_layers": 1, "epochs": 30,
                                         "learning_rate": 0.05}], interactive=False)
    assert scores[0]["accuracy"] > 0.9 and scores[0]["loss"] < 0.4
