"""helpers.layers, chapter 5 blocks: ASPP, pyramid pooling, GCN, boundary refinement, the U-Net builder."""
from __future__ import annotations

import keras
import numpy as np
import pytest

from helpers import layers as L


def _model(block, shape=(16, 16, 8), **kwargs):
    x = keras.Input(shape)
    return keras.Model(x, block(x, **kwargs))


def test_aspp_shapes_and_branches():
    m = _model(L.aspp_block, filters=12, rates=(2, 4), name="aspp")
    assert m.output_shape == (None, 16, 16, 12)
    names = {layer.name for layer in m.layers}
    assert {"aspp_1x1", "aspp_rate2", "aspp_rate4", "aspp_image_pool", "aspp_project"} <= names
    assert m.get_layer("aspp_rate4").dilation_rate == (4, 4)
    assert m.get_layer("aspp_concat").output.shape[-1] == 12 * 4  # 1x1 + 2 rates + image pooling
    no_pool = _model(L.aspp_block, filters=12, rates=(2,), image_pooling=False, name="a")
    assert no_pool.get_layer("a_concat").output.shape[-1] == 24


def test_aspp_image_pooling_branch_is_constant_over_space():
    keras.utils.set_random_seed(0)
    m = _model(L.aspp_block, filters=4, rates=(2,), name="aspp")
    branch = keras.Model(m.input, m.get_layer("aspp_image_up").output)
    out = keras.ops.convert_to_numpy(branch(np.random.default_rng(0).random((2, 16, 16, 8)).astype("float32")))
    assert np.allclose(out, out[:, :1, :1, :])


def test_pyramid_pooling_channels_and_pooled_sizes():
    m = _model(L.pyramid_pooling_block, shape=(12, 12, 16), bins=(1, 2, 3, 6), name="ppm")
    assert m.output_shape == (None, 12, 12, 16 + 4 * 4)
    for b in (1, 2, 3, 6):
        assert m.get_layer(f"ppm_pool{b}").output.shape[1:3] == (b, b)
    # the 1x1 bin is the image mean, broadcast back over the map
    probe = keras.Model(m.input, m.get_layer("ppm_pool1").output)
    x = np.random.default_rng(1).random((1, 12, 12, 16)).astype("float32")
    assert np.allclose(keras.ops.convert_to_numpy(probe(x))[0, 0, 0], x[0].mean(axis=(0, 1)), atol=1e-6)


def test_global_conv_block_parameters_and_receptive_field():
    k, c_in, c_out = 7, 8, 5
    m = _model(L.global_conv_block, shape=(15, 15, c_in), filters=c_out, k=k)
    assert m.output_shape == (None, 15, 15, c_out)
    expected = 2 * ((k * c_in * c_out + c_out) + (k * c_out * c_out + c_out))
    assert m.count_params() == expected
    # an impulse in the middle spreads to a k x k square, no further
    for layer in m.layers:
        if layer.weights:
            layer.kernel.assign(np.ones(layer.kernel.shape, "float32"))
            layer.bias.assign(np.zeros(layer.bias.shape, "float32"))
    x = np.zeros((1, 15, 15, c_in), "float32")
    x[0, 7, 7, 0] = 1.0
    reached = keras.ops.convert_to_numpy(m(x))[0, ..., 0] != 0
    rows, cols = np.nonzero(reached)
    assert (np.ptp(rows) + 1, np.ptp(cols) + 1) == (k, k)


def test_boundary_refinement_is_residual():
    m = _model(L.boundary_refinement_block, shape=(8, 8, 4), name="br")
    assert m.output_shape == (None, 8, 8, 4)
    m.get_layer("br_conv2").kernel.assign(np.zeros(m.get_layer("br_conv2").kernel.shape, "float32"))
    x = np.random.default_rng(2).random((1, 8, 8, 4)).astype("float32")
    assert np.allclose(keras.ops.convert_to_numpy(m(x)), x)  # zero residual -> identity


def test_unet_shapes_skips_and_book_size():
    m = L.unet((64, 64, 1))
    assert m.output_shape == (None, 64, 64, 1)
    assert m.layers[-1].activation.__name__ == "sigmoid"
    skips = [layer for layer in m.layers if isinstance(layer, keras.layers.Concatenate)]
    assert len(skips) == 3
    assert m.get_layer("dec1_skip").input[1].shape == m.get_layer("enc1_relu2").output.shape
    multi = L.unet((32, 48, 3), n_classes=4, filters=(4, 8))
    assert multi.output_shape == (None, 32, 48, 4) and multi.layers[-1].activation.__name__ == "softmax"
    # the book's configuration (96x96, 32..512, no batch norm): 7.76 M parameters
    assert L.unet((96, 96, 1), filters=(32, 64, 128, 256, 512), batch_norm=False).count_params() == 7_759_521


def test_unet_learns_a_trivial_mask():
    keras.utils.set_random_seed(0)
    x = np.zeros((64, 16, 16, 1), "float32")
    x[:, 4:12, 4:12] = 1.0
    m = L.unet((16, 16, 1), filters=(4, 8))
    m.compile(keras.optimizers.Adam(1e-2), loss="binary_crossentropy")
    m.fit(x, x, epochs=30, batch_size=16, verbose=0)
    pred = keras.ops.convert_to_numpy(m(x[:2], training=False)) > 0.5
    assert (pred == (x[:2] > 0.5)).mean() > 0.95


@pytest.mark.parametrize("call", [
    lambda: L.unet((60, 64, 1)),                    # 60 is not divisible by 8
    lambda: L.unet((64, 64)),
    lambda: L.unet((64, 64, 1), filters=(8,)),
    lambda: L.unet((64, 64, 1), n_classes=0),
    lambda: _model(L.aspp_block, filters=0),
    lambda: _model(L.aspp_block, filters=4, rates=()),
    lambda: _model(L.aspp_block, shape=(None, None, 3), filters=4),
    lambda: _model(L.pyramid_pooling_block, bins=(0,)),
    lambda: _model(L.global_conv_block, filters=4, k=0),
])
def test_bad_input_is_a_value_error(call):
    with pytest.raises(ValueError):
        call()
