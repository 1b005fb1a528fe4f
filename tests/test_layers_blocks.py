"""helpers.layers: the blocks taught in chapter 2 (residual, inception, fire, dense)."""
import keras
import numpy as np
import pytest

from helpers import layers


def _model(shape, block):
    inputs = keras.Input(shape)
    return keras.Model(inputs, block(inputs))


def _conv(k, c_in, c_out, bias=True):
    return k * k * c_in * c_out + (c_out if bias else 0)


def test_residual_block_identity_shortcut_shape_and_params():
    m = _model((16, 16, 32), lambda x: layers.residual_block(x, 32))
    assert m.output_shape == (None, 16, 16, 32)
    # two 3x3 convs without bias + two BatchNorms (4 vectors each); the shortcut has no weights
    assert m.count_params() == 2 * _conv(3, 32, 32, bias=False) + 2 * 4 * 32
    named = _model((16, 16, 32), lambda x: layers.residual_block(x, 32, name="r"))
    names = [l.name for l in named.layers]
    assert "r_add" in names and "r_shortcut" not in names


def test_residual_block_projection_when_shape_changes():
    m = _model((16, 16, 32), lambda x: layers.residual_block(x, 64, strides=2, batch_norm=False, name="res"))
    assert m.output_shape == (None, 8, 8, 64)
    assert m.get_layer("res_shortcut").kernel.shape == (1, 1, 32, 64)
    assert m.count_params() == _conv(3, 32, 64) + _conv(3, 64, 64) + _conv(1, 32, 64)


def test_residual_block_with_zero_residual_is_relu_of_input():
    m = _model((8, 8, 4), lambda x: layers.residual_block(x, 4, batch_norm=False))
    for w in m.weights:
        w.assign(np.zeros(w.shape))
    x = np.random.default_rng(0).normal(size=(2, 8, 8, 4)).astype("float32")
    assert np.allclose(keras.ops.convert_to_numpy(m(x)), np.maximum(x, 0), atol=1e-6)


def test_residual_bottleneck_block_expands_four_times():
    m = _model((14, 14, 256), lambda x: layers.residual_block(x, 64, bottleneck=True, batch_norm=False))
    assert m.output_shape == (None, 14, 14, 256)
    assert m.count_params() == _conv(1, 256, 64) + _conv(3, 64, 64) + _conv(1, 64, 256)


def test_inception_module_matches_googlenet_3a():
    reduced = _model((28, 28, 192), lambda x: layers.inception_module(x, 64, 96, 128, 16, 32, 32, name="3a"))
    assert reduced.output_shape == (None, 28, 28, 256)
    assert reduced.count_params() == 163_696
    assert reduced.get_layer("3a_5x5").kernel.shape == (5, 5, 16, 32)
    naive = _model((28, 28, 192), lambda x: layers.inception_module(x, 64, 0, 128, 0, 32, 0, reduce=False))
    assert naive.output_shape == (None, 28, 28, 64 + 128 + 32 + 192)
    assert naive.count_params() == 387_296


def test_fire_module_channels_and_params():
    m = _model((55, 55, 96), lambda x: layers.fire_module(x, 16, 64, name="fire2"))
    assert m.output_shape == (None, 55, 55, 128)
    assert m.count_params() == _conv(1, 96, 16) + _conv(1, 16, 64) + _conv(3, 16, 64)
    assert m.get_layer("fire2_expand3x3").kernel.shape == (3, 3, 16, 64)


def test_dense_block_grows_by_growth_rate():
    m = _model((8, 8, 64), lambda x: layers.dense_block(x, 6, 32, name="db"))
    assert m.output_shape == (None, 8, 8, 64 + 6 * 32)
    concat = [l.output.shape[-1] for l in m.layers if isinstance(l, keras.layers.Concatenate)]
    assert concat == [64 + 32 * (i + 1) for i in range(6)]
    plain = _model((8, 8, 64), lambda x: layers.dense_block(x, 2, 12, bottleneck=False))
    # BN (4 vectors) + 3x3 conv without bias, on 64 then 76 input channels
    assert plain.count_params() == 4 * 64 + _conv(3, 64, 12, False) + 4 * 76 + _conv(3, 76, 12, False)


def test_blocks_are_trainable_end_to_end():
    inputs = keras.Input((16, 16, 3))
    x = layers.residual_block(keras.layers.Conv2D(8, 3, padding="same")(inputs), 8)
    x = layers.fire_module(x, 4, 8)
    x = layers.dense_block(x, 2, 4)
    x = layers.inception_module(x, 4, 4, 4, 2, 2, 2)
    outputs = keras.layers.Dense(2, activation="softmax")(keras.layers.GlobalAveragePooling2D()(x))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(0)
    history = model.fit(rng.random((16, 16, 16, 3), dtype=np.float32), rng.integers(0, 2, 16), epochs=2, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))


@pytest.mark.parametrize("call", [
    lambda x: layers.residual_block(x, 0),
    lambda x: layers.residual_block(x, 8, strides=0),
    lambda x: layers.inception_module(x, 8, 0, 8, 4, 8, 4),
    lambda x: layers.fire_module(x, 4, -1),
    lambda x: layers.dense_block(x, 0, 8),
    lambda x: layers.dense_block(x, 2, 2.5),
])
def test_blocks_reject_bad_sizes(call):
    with pytest.raises(ValueError, match="positive int"):
        call(keras.Input((8, 8, 4)))
