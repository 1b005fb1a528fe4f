"""helpers.plots and helpers.layers."""
import matplotlib

matplotlib.use("Agg")

import keras  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers import layers, plots  # noqa: E402


def teardown_function():
    plt.close("all")


def test_image_grid_layout_and_titles():
    imgs = np.random.default_rng(0).integers(0, 255, (10, 8, 8), dtype=np.uint8)
    fig = plots.image_grid(imgs, labels=list(range(10)), ncols=4)
    assert len(fig.axes) == 12  # 3 rows x 4 columns
    assert [ax.get_title() for ax in fig.axes[:10]] == [str(i) for i in range(10)]
    assert np.array_equal(fig.axes[3].images[0].get_array(), imgs[3])
    fig = plots.image_grid(np.zeros((2, 5, 5, 1)))  # channel axis of 1 is squeezed
    assert fig.axes[0].images[0].get_array().shape == (5, 5)


@pytest.mark.parametrize("bad", [np.zeros((2, 3, 3, 2)), np.zeros(5)])
def test_image_grid_rejects_bad_shapes(bad):
    with pytest.raises(ValueError, match="expected images"):
        plots.image_grid(bad)


def test_image_grid_label_count_mismatch():
    with pytest.raises(ValueError, match="labels"):
        plots.image_grid(np.zeros((3, 4, 4)), labels=[1, 2])


def test_training_curves_from_dict():
    fig = plots.training_curves({"loss": [1.0, 0.5], "val_loss": [1.1, 0.7], "accuracy": [0.5, 0.8]})
    assert [ax.get_title() for ax in fig.axes] == ["loss", "accuracy"]
    assert np.allclose(fig.axes[0].lines[1].get_ydata(), [1.1, 0.7])
    with pytest.raises(ValueError, match="not in history"):
        plots.training_curves({"loss": [1.0]}, metrics=["auc"])


def test_show_matrix_writes_every_value():
    ax = plots.show_matrix(np.arange(6).reshape(2, 3), highlight=[(0, 0, 1, 2)])
    assert [t.get_text() for t in ax.texts] == ["0", "1", "2", "3", "4", "5"]
    assert len(ax.patches) == 1
    with pytest.raises(ValueError):
        plots.show_matrix(np.zeros(3))


def test_decision_boundary_calls_predict_on_grid():
    seen = []

    def predict(points):
        seen.append(points.shape)
        return (points[:, 0] > 0).astype(float)

    X = np.array([[-1.0, 0.0], [1.0, 0.0]])
    plots.decision_boundary(predict, X, np.array([0, 1]), resolution=20)
    assert seen == [(400, 2)]
    with pytest.raises(ValueError):
        plots.decision_boundary(predict, np.zeros((3, 3)), np.zeros(3))


def test_layer_builders_shapes():
    inp = keras.Input((16, 16, 3))
    x = layers.conv_layer(8)(inp)
    assert x.shape == (None, 16, 16, 8)
    x = layers.pooling_layer()(x)
    assert x.shape == (None, 8, 8, 8)
    x = layers.conv_block(12, convs=2, batch_norm=True)(x)
    assert x.shape == (None, 4, 4, 12)
    y = layers.dense_layer(7, dropout=0.5)(keras.layers.Flatten()(x))
    assert y.shape == (None, 7)
    assert layers.pooling_layer(kind="avg")(inp).shape == (None, 8, 8, 3)


def test_conv_block_parameter_count():
    block = layers.conv_block(4, convs=2, kernel_size=3)
    block.build((None, 8, 8, 2))
    assert block.count_params() == (3 * 3 * 2 * 4 + 4) + (3 * 3 * 4 * 4 + 4)


@pytest.mark.parametrize("call", [lambda: layers.conv_layer(0), lambda: layers.pooling_layer(kind="median"),
                                  lambda: layers.dense_layer(4, dropout=1.0),
                                  lambda: layers.conv_block(3, convs=-1)])
def test_layer_builders_reject_bad_input(call):
    with pytest.raises(ValueError):
        call()
