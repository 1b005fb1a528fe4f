"""helpers.summaries (TensorBoard event files written and read back) and helpers.widgets."""
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


def test_histograms_and_images_are_not_scalars(tmp_path):
    writer = summaries.file_writer(tmp_path)
    summaries.log_histograms(writer, {"w": np.arange(10.0)}, 0)
    summaries.log_images(writer, "imgs", np.zeros((2, 4, 4), np.uint8), 0)
    assert summaries.read_scalars(tmp_path) == {}
    with pytest.raises(ValueError):
        summaries.log_images(writer, "bad", np.zeros(4), 0)
    with pytest.raises(ValueError, match="no scalar"):
        summaries.plot_scalars(tmp_path)


def test_trace_graph_and_read_back(tmp_path):
    @tf.function
    def add(x, y):
        return tf.add(x, y, name="sum")

    graph = summaries.trace_graph(add, tf.constant(1.0), tf.constant(2.0), logdir=tmp_path)
    assert "sum" in [op.name for op in graph.get_operations()]
    graph_def = summaries.read_graph(tmp_path)
    ops = {n.name: n.op for n in graph_def.node}
    assert ops["sum"] == "AddV2" and set(graph_def.node[2].input) == {"x", "y"}
    ax = summaries.plot_graph(graph_def)
    assert any("sum" in t.get_text() for t in ax.texts)
    with pytest.raises(ValueError, match="tf.function"):
        summaries.trace_graph(lambda: 1, logdir=tmp_path)


def test_activation_stats_values():
    stats = summaries.activation_stats([[0.0, 2.0], [4.0, 0.0]])
    assert stats == {"mean": 1.5, "std": pytest.approx(1.6583123951777), "min": 0.0, "max": 4.0,
                     "zero_fraction": 0.5}
    with pytest.raises(ValueError):
        summaries.activation_stats([])


def test_activation_stats_callback_logs_each_epoch(tmp_path):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu", name="hidden"),
                              keras.layers.Dense(1, name="out")])
    model.compile("sgd", "mse")
    sample = np.ones((2, 3), "float32")
    cb = summaries.activation_stats_callback(model, sample, tmp_path, layers=["hidden"])
    model.fit(np.ones((8, 3)), np.ones((8, 1)), epochs=3, verbose=0, callbacks=[cb])
    assert len(cb.history) == 4  # before training + 3 epochs
    hidden = keras.ops.convert_to_numpy(keras.Model(model.inputs[0], model.get_layer("hidden").output)(sample))
    assert cb.history[-1]["hidden/mean"] == pytest.approx(hidden.mean(), rel=1e-5)
    assert cb.history[-1]["hidden/max"] == pytest.approx(hidden.max(), rel=1e-5)
    data = summaries.read_scalars(tmp_path)
    assert len(data["activations/hidden/std"][0]) == 4
    with pytest.raises(ValueError, match="unknown layer"):
        summaries.activation_stats_callback(model, sample, tmp_path, layers=["nope"])


def test_show_tensorboard_static_fallback(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("DLCV_INTERACTIVE", "0")
    called = []
    summaries.show_tensorboard(tmp_path, static=lambda: called.append(True))
    assert called and "static view" in capsys.readouterr().out


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
