"""The book's layer shortcuts as Keras 3 builders, and blocks later chapters reuse.

Each builder returns a Keras layer (or a small ``keras.Sequential``), so notebooks can still write
``x = conv_layer(32)(x)`` in the functional API or put them in a ``Sequential`` list.
"""
from __future__ import annotations

from typing import Any


def _check_positive(**values: Any) -> None:
    for name, v in values.items():
        if not isinstance(v, int) or v <= 0:
            raise ValueError(f"{name} must be a positive int, got {v!r}")


def conv_layer(filters: int, kernel_size: int = 3, strides: int = 1, activation: str | None = "relu",
               padding: str = "same", name: str | None = None):
    """A ``Conv2D`` with the book's defaults (ReLU, 'same' padding)."""
    import keras

    _check_positive(filters=filters, kernel_size=kernel_size, strides=strides)
    return keras.layers.Conv2D(filters, kernel_size, strides=strides, padding=padding,
                               activation=activation, name=name)


def pooling_layer(pool_size: int = 2, strides: int | None = None, kind: str = "max", name: str | None = None):
    """Max or average 2-D pooling (default 2x2, stride = pool size)."""
    import keras

    _check_positive(pool_size=pool_size)
    layer = {"max": keras.layers.MaxPooling2D, "avg": keras.layers.AveragePooling2D}.get(kind)
    if layer is None:
        raise ValueError(f"kind must be 'max' or 'avg', got {kind!r}")
    return layer(pool_size, strides=strides, name=name)


def dense_layer(units: int, activation: str | None = "relu", dropout: float = 0.0, name: str | None = None):
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
               batch_norm: bool = False, activation: str = "relu", name: str | None = None):
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


def upsample_block(filters: int, kernel_size: int = 3, mode: str = "transpose", activation: str = "relu",
                   name: str | None = None):
    """Double the spatial size: a stride-2 ``Conv2DTranspose`` or nearest/bilinear ``UpSampling2D`` + conv."""
    import keras

    _check_positive(filters=filters, kernel_size=kernel_size)
    if mode == "transpose":
        layers = [keras.layers.Conv2DTranspose(filters, kernel_size, strides=2, padding="same",
                                               activation=activation)]
    elif mode in ("nearest", "bilinear"):
        layers = [keras.layers.UpSampling2D(2, interpolation=mode),
                  keras.layers.Conv2D(filters, kernel_size, padding="same", activation=activation)]
    else:
        raise ValueError(f"mode must be 'transpose', 'nearest' or 'bilinear', got {mode!r}")
    return keras.Sequential(layers, name=name)
