"""The book's layer shortcuts as Keras 3 builders, and blocks later chapters reuse.

Each builder returns a Keras layer (or a small ``keras.Sequential``), so notebooks can still write
``x = conv_layer(32)(x)`` in the functional API or put them in a ``Sequential`` list.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from helpers import checks

if TYPE_CHECKING:  # costs nothing at import time
    import keras


def _check_positive(**values: Any) -> None:
    for name, v in values.items():
        checks.positive_int(name, v)


def conv_layer(filters: int, kernel_size: int = 3, strides: int = 1, activation: str | None = "relu",
               padding: str = "same", name: str | None = None) -> keras.layers.Layer:
    """A ``Conv2D`` with the book's defaults (ReLU, 'same' padding)."""
    import keras

    _check_positive(filters=filters, kernel_size=kernel_size, strides=strides)
    return keras.layers.Conv2D(filters, kernel_size, strides=strides, padding=padding,
                               activation=activation, name=name)


def pooling_layer(pool_size: int = 2, strides: int | None = None, kind: str = "max", name: str | None = None) -> keras.layers.Layer:
    """Max or average 2-D pooling (default 2x2, stride = pool size)."""
    import keras

    _check_positive(pool_size=pool_size)
    layer = {"max": keras.layers.MaxPooling2D, "avg": keras.layers.AveragePooling2D}.get(kind)
    if layer is None:
        raise ValueError(f"kind must be 'max' or 'avg', got {kind!r}")
    return layer(pool_size, strides=strides, name=name)


def dense_layer(units: int, activation: str | None = "relu", dropout: float = 0.0, name: str | None = None) -> keras.layers.Layer:
    """A ``Dense`` layer, preceded by ``Dropout(dropout)`` when dropout > 0."""
    import keras

    _check_positive(units=units)
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")
    dense = keras.layers.Dense(units, activation=activation, name=name)
    if dropout == 0.0:
        return dense
    return keras.Sequential([keras.layers.Dropout(dropout), dense], name=f"{name}_block" if name else None)


def conv_block(filters: int, convs: int = 1, kernel_size: int = 3, pool: bool = True,
               batch_norm: bool = False, activation: str = "relu", name: str | None = None) -> keras.Sequential:
    """``convs`` x [Conv2D (+BatchNorm) + activation], then 2x2 max pooling: the VGG-style unit."""
    import keras

    _check_positive(filters=filters, convs=convs, kernel_size=kernel_size)
    layers: list[Any] = []
    for _ in range(convs):
        layers.append(keras.layers.Conv2D(filters, kernel_size, padding="same", use_bias=not batch_norm))
        if batch_norm:
            layers.append(keras.layers.BatchNormalization())
        layers.append(keras.layers.Activation(activation))
    if pool:
        layers.append(keras.layers.MaxPooling2D(2))
    return keras.Sequential(layers, name=name)


# ---------------------------------------------------------------- classification blocks (residual, inception, fire, dense)
# These have branches, so they are functions in the functional API: they take a tensor and return
# a tensor (``y = residual_block(x, 64)``).  Chapter 2 builds each one by hand before using these.

def _prefix(name: str | None, part: str) -> str | None:
    return f"{name}_{part}" if name else None


def residual_block(x: Any, filters: int, strides: int = 1, bottleneck: bool = False,
                   batch_norm: bool = True, name: str | None = None) -> Any:
    """A ResNet block: ``relu(F(x) + shortcut(x))``.

    ``F`` is two 3x3 convs (``bottleneck=False``) or 1x1 -> 3x3 -> 1x1 with ``4 * filters`` output
    channels (``bottleneck=True``, the ResNet-50 block). The shortcut is the identity when the shape is
    unchanged, else a strided 1x1 conv (a projection).
    """
    import keras

    _check_positive(filters=filters, strides=strides)
    out_channels = 4 * filters if bottleneck else filters

    def conv(t, f, k, s, part, act=True):
        t = keras.layers.Conv2D(f, k, strides=s, padding="same", use_bias=not batch_norm,
                                name=_prefix(name, part))(t)
        if batch_norm:
            t = keras.layers.BatchNormalization(name=_prefix(name, part + "_bn"))(t)
        return keras.layers.Activation("relu", name=_prefix(name, part + "_relu"))(t) if act else t

    if bottleneck:
        y = conv(x, filters, 1, strides, "conv1")
        y = conv(y, filters, 3, 1, "conv2")
        y = conv(y, out_channels, 1, 1, "conv3", act=False)
    else:
        y = conv(x, filters, 3, strides, "conv1")
        y = conv(y, filters, 3, 1, "conv2", act=False)
    shortcut = x
    if strides != 1 or x.shape[-1] != out_channels:
        shortcut = conv(x, out_channels, 1, strides, "shortcut", act=False)
    y = keras.layers.Add(name=_prefix(name, "add"))([y, shortcut])
    return keras.layers.Activation("relu", name=_prefix(name, "out"))(y)


def inception_module(x: Any, f1: int, f3_reduce: int, f3: int, f5_reduce: int, f5: int, pool_proj: int,
                     reduce: bool = True, name: str | None = None) -> Any:
    """A GoogLeNet inception module: 1x1, 3x3 and 5x5 convs and a 3x3 max-pool side by side, concatenated.

    ``reduce=True`` puts 1x1 "bottleneck" convs (``f3_reduce``, ``f5_reduce``) before the 3x3 and 5x5
    convs and a 1x1 ``pool_proj`` after the pool. ``reduce=False`` is the naive module: no 1x1
    reductions (those three arguments are ignored) and the pooled input passes through unchanged.
    """
    import keras

    _check_positive(f1=f1, f3=f3, f5=f5)
    if reduce:
        _check_positive(f3_reduce=f3_reduce, f5_reduce=f5_reduce, pool_proj=pool_proj)

    def conv(t, f, k, part):
        return keras.layers.Conv2D(f, k, padding="same", activation="relu", name=_prefix(name, part))(t)

    b1 = conv(x, f1, 1, "1x1")
    b3 = conv(conv(x, f3_reduce, 1, "3x3_reduce") if reduce else x, f3, 3, "3x3")
    b5 = conv(conv(x, f5_reduce, 1, "5x5_reduce") if reduce else x, f5, 5, "5x5")
    bp = keras.layers.MaxPooling2D(3, strides=1, padding="same", name=_prefix(name, "pool"))(x)
    if reduce:
        bp = conv(bp, pool_proj, 1, "pool_proj")
    return keras.layers.Concatenate(name=_prefix(name, "concat"))([b1, b3, b5, bp])


def fire_module(x: Any, squeeze: int, expand: int, name: str | None = None) -> Any:
    """A SqueezeNet fire module: a 1x1 squeeze conv, then 1x1 and 3x3 expand convs concatenated.

    The output has ``2 * expand`` channels; the 3x3 convs only see ``squeeze`` input channels.
    """
    import keras

    _check_positive(squeeze=squeeze, expand=expand)
    s = keras.layers.Conv2D(squeeze, 1, activation="relu", name=_prefix(name, "squeeze"))(x)
    e1 = keras.layers.Conv2D(expand, 1, activation="relu", name=_prefix(name, "expand1x1"))(s)
    e3 = keras.layers.Conv2D(expand, 3, padding="same", activation="relu", name=_prefix(name, "expand3x3"))(s)
    return keras.layers.Concatenate(name=_prefix(name, "concat"))([e1, e3])


def dense_block(x: Any, n_layers: int, growth_rate: int, bottleneck: bool = True, name: str | None = None) -> Any:
    """A DenseNet block: each layer sees the concatenation of the block input and all earlier layers' outputs.

    A layer is BN-ReLU-[1x1 conv with ``4 * growth_rate`` filters]-BN-ReLU-3x3 conv with ``growth_rate``
    filters, so the output has ``input channels + n_layers * growth_rate`` channels.
    """
    import keras

    _check_positive(n_layers=n_layers, growth_rate=growth_rate)
    for i in range(n_layers):
        part = f"layer{i + 1}"
        y = keras.layers.BatchNormalization(name=_prefix(name, part + "_bn1"))(x)
        y = keras.layers.Activation("relu", name=_prefix(name, part + "_relu1"))(y)
        if bottleneck:
            y = keras.layers.Conv2D(4 * growth_rate, 1, use_bias=False, name=_prefix(name, part + "_1x1"))(y)
            y = keras.layers.BatchNormalization(name=_prefix(name, part + "_bn2"))(y)
            y = keras.layers.Activation("relu", name=_prefix(name, part + "_relu2"))(y)
        y = keras.layers.Conv2D(growth_rate, 3, padding="same", use_bias=False, name=_prefix(name, part + "_3x3"))(y)
        x = keras.layers.Concatenate(name=_prefix(name, part + "_concat"))([x, y])
    return x


# ---------------------------------------------------------------- segmentation blocks (ASPP, pyramid pooling, GCN, U-Net)
# Functional-API functions (tensor in, tensor out) like the chapter 2 blocks; chapter 5 builds each one by
# hand first.  The context blocks need the feature map's height and width to be known (static).

def _static_hw(x: Any, what: str) -> tuple[int, int]:
    h, w = x.shape[1], x.shape[2]
    if h is None or w is None:
        raise ValueError(f"{what} needs a feature map with a known height and width, got shape {tuple(x.shape)}")
    return int(h), int(w)


def _conv_bn_relu(x: Any, filters: int, kernel_size: Any, dilation_rate: int = 1, name: str | None = None,
             momentum: float = 0.99) -> Any:
    """Conv2D (no bias) -> BatchNorm -> ReLU."""
    import keras

    x = keras.layers.Conv2D(filters, kernel_size, padding="same", dilation_rate=dilation_rate, use_bias=False,
                            name=name)(x)
    x = keras.layers.BatchNormalization(momentum=momentum, name=_prefix(name, "bn"))(x)
    return keras.layers.Activation("relu", name=_prefix(name, "relu"))(x)


def aspp_block(x: Any, filters: int, rates: tuple[int, ...] = (6, 12, 18), image_pooling: bool = True,
               name: str | None = None) -> Any:
    """DeepLab v3's atrous spatial pyramid pooling: a 1x1 conv, 3x3 convs at each dilation ``rate`` and an
    image-level (global average) branch side by side, concatenated and fused by a 1x1 conv.

    Every conv is followed by batch norm and ReLU; the output has ``filters`` channels and the input's size.
    """
    import keras

    _check_positive(filters=filters)
    if not rates or any(not isinstance(r, int) or r < 1 for r in rates):
        raise ValueError(f"rates must be a non-empty tuple of ints >= 1, got {rates!r}")
    h, w = _static_hw(x, "aspp_block")
    branches = [_conv_bn_relu(x, filters, 1, name=_prefix(name, "1x1"))]
    for r in rates:
        branches.append(_conv_bn_relu(x, filters, 3, dilation_rate=r, name=_prefix(name, f"rate{r}")))
    if image_pooling:
        g = keras.layers.GlobalAveragePooling2D(keepdims=True, name=_prefix(name, "image_pool"))(x)
        g = _conv_bn_relu(g, filters, 1, name=_prefix(name, "image_1x1"))
        branches.append(keras.layers.UpSampling2D((h, w), name=_prefix(name, "image_up"))(g))
    y = keras.layers.Concatenate(name=_prefix(name, "concat"))(branches)
    return _conv_bn_relu(y, filters, 1, name=_prefix(name, "project"))


def pyramid_pooling_block(x: Any, filters: int | None = None, bins: tuple[int, ...] = (1, 2, 3, 6),
                          name: str | None = None) -> Any:
    """PSPNet's pyramid pooling module: average-pool the map to b x b for each of ``bins``, 1x1 conv each,
    resize back bilinearly and concatenate with the input.

    ``filters`` per branch defaults to input channels // len(bins); output channels = input + len(bins) * filters.
    """
    import keras

    if not bins or any(not isinstance(b, int) or b < 1 for b in bins):
        raise ValueError(f"bins must be a non-empty tuple of ints >= 1, got {bins!r}")
    h, w = _static_hw(x, "pyramid_pooling_block")
    filters = filters if filters is not None else max(1, int(x.shape[-1]) // len(bins))
    _check_positive(filters=filters)
    branches = [x]
    for b in bins:
        y = keras.layers.AdaptiveAveragePooling2D((b, b), name=_prefix(name, f"pool{b}"))(x)
        y = _conv_bn_relu(y, filters, 1, name=_prefix(name, f"pool{b}_1x1"))
        branches.append(keras.layers.Resizing(h, w, interpolation="bilinear", name=_prefix(name, f"pool{b}_up"))(y))
    return keras.layers.Concatenate(name=_prefix(name, "concat"))(branches)


def global_conv_block(x: Any, filters: int, k: int = 7, name: str | None = None) -> Any:
    """The large-kernel "global convolutional network" block: (k x 1 then 1 x k) + (1 x k then k x 1).

    It sees a k x k window with 2 * 2 * k weights per channel pair instead of k * k (no activation inside).
    """
    import keras

    _check_positive(filters=filters, k=k)

    def conv(t, size, part):
        return keras.layers.Conv2D(filters, size, padding="same", name=_prefix(name, part))(t)

    left = conv(conv(x, (k, 1), "left_kx1"), (1, k), "left_1xk")
    right = conv(conv(x, (1, k), "right_1xk"), (k, 1), "right_kx1")
    return keras.layers.Add(name=_prefix(name, "add"))([left, right])


def boundary_refinement_block(x: Any, name: str | None = None) -> Any:
    """The GCN paper's boundary refinement: x + conv3x3(relu(conv3x3(x))), same channels and size."""
    import keras

    c = int(x.shape[-1])
    y = keras.layers.Conv2D(c, 3, padding="same", activation="relu", name=_prefix(name, "conv1"))(x)
    y = keras.layers.Conv2D(c, 3, padding="same", name=_prefix(name, "conv2"))(y)
    return keras.layers.Add(name=_prefix(name, "add"))([x, y])


def unet(input_shape: tuple[int, int, int], n_classes: int = 1, filters: tuple[int, ...] = (8, 16, 32, 64),
         batch_norm: bool = True, bn_momentum: float = 0.9, name: str = "unet") -> Any:
    """A U-Net (Ronneberger et al. 2015) as a ``keras.Model``.

    Each level is two 3x3 'same' convs (+ batch norm) + ReLU; the encoder max-pools between levels, the
    decoder goes up with a 2x2 stride-2 ``Conv2DTranspose`` and concatenates the encoder map of the same
    size (the skip connection).  ``filters[-1]`` is the bottleneck.  The output is a sigmoid mask when
    ``n_classes == 1``, else a softmax over ``n_classes``.  Height and width must be divisible by
    ``2 ** (len(filters) - 1)``.  ``bn_momentum`` 0.9 lets the running statistics catch up in short runs.
    """
    import keras

    if len(input_shape) != 3:
        raise ValueError(f"input_shape must be (height, width, channels), got {input_shape!r}")
    if len(filters) < 2:
        raise ValueError(f"filters needs at least 2 levels (encoder + bottleneck), got {filters!r}")
    _check_positive(n_classes=n_classes, **{f"filters[{i}]": f for i, f in enumerate(filters)})
    factor = 2 ** (len(filters) - 1)
    for size in input_shape[:2]:
        if size is not None and size % factor:
            raise ValueError(f"height and width must be divisible by {factor} for {len(filters)} levels, "
                             f"got input_shape {input_shape!r}")

    def level(t, f, part):
        for j in (1, 2):
            t = keras.layers.Conv2D(f, 3, padding="same", use_bias=not batch_norm, name=f"{part}_conv{j}")(t)
            if batch_norm:
                t = keras.layers.BatchNormalization(momentum=bn_momentum, name=f"{part}_bn{j}")(t)
            t = keras.layers.Activation("relu", name=f"{part}_relu{j}")(t)
        return t

    inputs = keras.Input(input_shape, name="image")
    x, skips = inputs, []
    for i, f in enumerate(filters[:-1]):
        x = level(x, f, f"enc{i + 1}")
        skips.append(x)
        x = keras.layers.MaxPooling2D(2, name=f"enc{i + 1}_pool")(x)
    x = level(x, filters[-1], "bottleneck")
    for i in reversed(range(len(filters) - 1)):
        x = keras.layers.Conv2DTranspose(filters[i], 2, strides=2, padding="same", name=f"dec{i + 1}_up")(x)
        x = keras.layers.Concatenate(name=f"dec{i + 1}_skip")([x, skips[i]])
        x = level(x, filters[i], f"dec{i + 1}")
    activation = "sigmoid" if n_classes == 1 else "softmax"
    outputs = keras.layers.Conv2D(n_classes, 1, activation=activation, name="mask")(x)
    return keras.Model(inputs, outputs, name=name)
