"""ipywidgets playgrounds. Every widget has a static path (smoke mode, batch runs) that draws
one or a few fixed states, so an executed notebook still shows a picture."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from helpers.config import is_interactive


def interactive_or_static(plot: Callable[..., Any], controls: Mapping[str, Any],
                          static: Sequence[Mapping[str, Any]], manual: bool = False,
                          interactive: bool | None = None) -> Any:
    """Show ``plot`` with ipywidgets ``controls`` when interactive, else call it once per ``static`` kwargs.

    ``controls`` maps each argument of ``plot`` to an ipywidget (or anything ``ipywidgets.interactive``
    accepts). ``manual=True`` adds a Train button (for plots that train a model) instead of updating on every change. Returns the widget, or
    the list of the static calls' return values.
    """
    if not static:
        raise ValueError("give at least one static state (a dict of plot arguments)")
    if interactive is None:
        interactive = is_interactive()
    if interactive:
        import ipywidgets as w
        from IPython.display import display

        options = {"manual": True, "manual_name": "Train"} if manual else {}
        widget = w.interactive(plot, options, **controls)
        display(widget)
        return widget
    import matplotlib.pyplot as plt

    print("static view (batch or smoke run); run the notebook interactively for the sliders")
    results = []
    for state in static:
        results.append(plot(**state))
        plt.show()
    return results


def playground(load_data: Callable[[str, float], tuple[np.ndarray, np.ndarray]],
               build_model: Callable[..., Any], kinds: Sequence[str] = ("circles", "xor", "gaussians", "spiral"),
               static: Sequence[Mapping[str, Any]] | None = None, interactive: bool | None = None) -> Any:
    """A small TensorFlow-Playground: train ``build_model(...)`` on ``load_data(kind, noise)`` and redraw.

    ``build_model(hidden_layers, units, activation, l2, learning_rate)`` must return a compiled Keras model
    with one sigmoid output; the widget trains it with ``fit`` and draws the decision boundary and the loss.
    """
    from helpers.plots import decision_boundary

    def run(kind: str = "circles", noise: float = 0.1, activation: str = "tanh", learning_rate: float = 0.03,
            l2: float = 0.0, hidden_layers: int = 2, units: int = 6, epochs: int = 60) -> dict[str, float]:
        import matplotlib.pyplot as plt

        X, y = load_data(kind, noise)
        model = build_model(hidden_layers=hidden_layers, units=units, activation=activation, l2=l2,
                            learning_rate=learning_rate)
        hist = model.fit(X, y, epochs=epochs, batch_size=32, verbose=0)
        loss = hist.history["loss"]
        import keras

        def pred(pts: np.ndarray) -> np.ndarray:  # a direct call: predict() would retrace per new model
            return keras.ops.convert_to_numpy(model(pts, training=False))[:, 0]

        acc = float(np.mean((pred(X) > 0.5) == y))
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 3.6))
        decision_boundary(pred, X, y, ax=ax1,
                          title=f"{kind}: {hidden_layers}x{units} {activation}, lr={learning_rate:g}, l2={l2:g}")
        ax2.plot(np.arange(1, len(loss) + 1), loss)
        ax2.set_xlabel("epoch")
        ax2.set_ylabel("training loss")
        ax2.set_title(f"final loss {loss[-1]:.3f}, accuracy {acc:.1%}")
        ax2.grid(alpha=0.3)
        fig.tight_layout()
        return {"loss": float(loss[-1]), "accuracy": acc}

    import ipywidgets as w

    style = {"description_width": "initial"}
    controls = {
        "kind": w.Dropdown(options=list(kinds), value=kinds[0], description="data"),
        "noise": w.FloatSlider(value=0.1, min=0.0, max=0.5, step=0.05, description="noise"),
        "activation": w.Dropdown(options=["relu", "tanh", "sigmoid", "linear"], value="tanh",
                                 description="activation"),
        "learning_rate": w.FloatLogSlider(value=0.03, base=10, min=-3, max=0, description="learning rate",
                                          style=style),
        "l2": w.SelectionSlider(options=[0.0, 1e-4, 1e-3, 1e-2, 1e-1], value=0.0, description="L2"),
        "hidden_layers": w.IntSlider(value=2, min=0, max=4, description="hidden layers", style=style),
        "units": w.IntSlider(value=6, min=1, max=16, description="units/layer", style=style),
        "epochs": w.IntSlider(value=60, min=5, max=300, step=5, description="epochs"),
    }
    static = static or [{"kind": kinds[0]}]
    return interactive_or_static(run, controls, static, manual=True, interactive=interactive)


def gradient_descent(loss: Callable[[np.ndarray, np.ndarray], np.ndarray],
                     descend: Callable[[float, int], np.ndarray],
                     extent: tuple[float, float, float, float] = (-2.0, 2.0, -2.0, 2.0),
                     static_rates: Sequence[float] = (0.02, 0.2, 1.05), steps: int = 30,
                     interactive: bool | None = None) -> Any:
    """Contour of ``loss(x, y)`` with the path ``descend(learning_rate, steps)`` (an (steps+1, 2) array).

    Interactive: a log learning-rate slider and a steps slider. Static: one panel per ``static_rates``.
    """
    x0, x1, y0, y1 = extent
    gx, gy = np.meshgrid(np.linspace(x0, x1, 200), np.linspace(y0, y1, 200))
    surface = loss(gx, gy)

    def draw(learning_rate: float, steps: int = steps, ax: Any = None) -> float:
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(4.2, 3.8))
        path = np.asarray(descend(learning_rate, steps))
        ax.contour(gx, gy, surface, levels=25, cmap="viridis", linewidths=0.7)
        ax.plot(path[:, 0], path[:, 1], "o-", color="crimson", ms=3, lw=1)
        ax.plot(*path[0], "ks", ms=6)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        final = float(loss(path[-1, 0], path[-1, 1]))
        ax.set_title(f"lr={learning_rate:g}: loss {final:.3g} after {steps} steps", fontsize=9)
        return final

    if interactive is None:
        interactive = is_interactive()
    if interactive:
        import ipywidgets as w

        controls = {"learning_rate": w.FloatLogSlider(value=static_rates[len(static_rates) // 2], base=10,
                                                      min=-3, max=0.5, step=0.05, description="learning rate",
                                                      style={"description_width": "initial"}),
                    "steps": w.IntSlider(value=steps, min=1, max=100, description="steps"),
                    "ax": w.fixed(None)}
        return interactive_or_static(draw, controls, [{}], interactive=True)
    import matplotlib.pyplot as plt

    print("static view (batch or smoke run); run the notebook interactively for the sliders")
    fig, axes = plt.subplots(1, len(static_rates), figsize=(4.2 * len(static_rates), 3.8), squeeze=False)
    finals = [draw(lr, steps, ax) for lr, ax in zip(static_rates, axes[0])]
    fig.tight_layout()
    plt.show()
    return finals
