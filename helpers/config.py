"""Run configuration: full or smoke mode, seeds, device strategy, directories, environment report."""
from __future__ import annotations

import contextlib
import os
import platform
import random
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_flag(name: str, default: bool = False) -> bool:
    """Read a boolean environment variable (1/true/yes/on or 0/false/no/off); ValueError otherwise."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{name}={raw!r}: expected one of 1/true/yes/on or 0/false/no/off")


def in_colab() -> bool:
    """True when running inside Google Colab."""
    return "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ


def is_interactive() -> bool:
    """True when widgets and TensorBoard should be live: an IPython kernel, not smoke mode, not batch.

    Batch runs (papermill, nbclient, CI) and smoke mode get the static fallbacks instead.
    Override with ``DLCV_INTERACTIVE=0/1``.
    """
    if "DLCV_INTERACTIVE" in os.environ:
        return env_flag("DLCV_INTERACTIVE")
    if env_flag("DLCV_SMOKE") or env_flag("CI"):
        return False
    if "papermill" in sys.modules:
        return False
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ in {"ZMQInteractiveShell", "Shell"}


def project_root() -> Path | None:
    """The checkout this package lives in (a folder with pyproject.toml), or None when pip-installed."""
    here = Path(__file__).resolve().parent.parent
    return here if (here / "pyproject.toml").is_file() and (here / "helpers").is_dir() else None


def _default_base() -> Path:
    root = project_root()
    if root is not None:
        return root
    if in_colab():
        return Path("/content/dlcv")
    return Path.home() / "dlcv"


def default_data_dir() -> Path:
    """Download cache: ``DLCV_DATA_DIR``, else ``data/`` of the checkout, else ``~/dlcv/data``."""
    if os.environ.get("DLCV_DATA_DIR"):
        return Path(os.environ["DLCV_DATA_DIR"]).expanduser()
    return _default_base() / "data"


@dataclass
class Config:
    """What a notebook needs to know about this run."""

    smoke: bool
    seed: int
    data_dir: Path
    log_dir: Path
    model_dir: Path
    strategy: Any = field(default=None, repr=False)
    budget: str = ""  # "full" or "smoke": which budgets pick() returns; defaults to the mode

    def __post_init__(self) -> None:
        self.budget = self.budget or self.mode
        if self.budget not in ("full", "smoke"):
            raise ValueError(f"budget (DLCV_BUDGET) must be 'full' or 'smoke', got {self.budget!r}")

    @property
    def mode(self) -> str:
        """'smoke' or 'full'."""
        return "smoke" if self.smoke else "full"

    def pick(self, full: T, smoke: T, override: T | None = None) -> T:
        """Choose a budget: ``override`` when given, else the value for ``self.budget`` (normally the mode).

        ``DLCV_BUDGET=full`` with ``DLCV_SMOKE=1`` runs the offline data with the full budgets.
        """
        if override is not None:
            if isinstance(override, (int, float)) and not isinstance(override, bool) and override < 0:
                raise ValueError(f"budget must be >= 0, got {override!r}")
            return override
        return smoke if self.budget == "smoke" else full

    def logdir(self, name: str) -> Path:
        """A fresh sub-folder of the log dir for one TensorBoard run (old contents removed)."""
        import shutil

        if not name or "/" in name or "\\" in name or name in {".", ".."}:
            raise ValueError(f"run name must be a plain folder name, got {name!r}")
        path = self.log_dir / name
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True, exist_ok=True)
        return path


def resolve_smoke(smoke: bool | None) -> bool:
    """The mode: the argument when given, else ``DLCV_SMOKE`` (default full)."""
    if smoke is None:
        return env_flag("DLCV_SMOKE", default=False)
    if not isinstance(smoke, (bool, int)):
        raise ValueError(f"smoke must be True, False or None, got {smoke!r}")
    return bool(smoke)


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and (if imported) TensorFlow/Keras."""
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    random.seed(seed)
    import numpy as np

    np.random.seed(seed)
    if "tensorflow" in sys.modules or "keras" in sys.modules:
        import keras

        keras.utils.set_random_seed(seed)


@contextlib.contextmanager
def _quiet_native_stderr() -> Iterator[None]:
    """Hide TensorFlow's C++ start-up lines (printed before its log level applies); replay them on error."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        except BaseException:
            os.dup2(saved, 2)
            sink.seek(0)
            sys.stderr.write(sink.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def pick_strategy() -> Any:
    """One device (default strategy) or ``MirroredStrategy`` when several GPUs are visible."""
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if len(gpus) > 1:
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()


def environment_report(cfg: Config) -> str:
    """One line: Python, TF, Keras, devices, mode."""
    import keras
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    devices = f"{len(gpus)} GPU" if gpus else "CPU only"
    budgets = "" if cfg.budget == cfg.mode else f" with {cfg.budget} budgets"
    return (f"Python {platform.python_version()} | TensorFlow {tf.__version__} | Keras {keras.__version__}"
            f" | {devices} | mode: {cfg.mode}{budgets} | data: {cfg.data_dir}")


def setup(smoke: bool | None = None, seed: int = 0, quiet: bool = False) -> Config:
    """Resolve the mode, seed everything, pick a strategy, make the dirs and print a one-line report."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    is_smoke = resolve_smoke(smoke)
    data_dir = default_data_dir()
    base = _default_base()
    log_dir = Path(os.environ.get("DLCV_LOG_DIR") or base / "build" / "logs").expanduser()
    model_dir = Path(os.environ.get("DLCV_MODEL_DIR") or base / "build" / "models").expanduser()
    for d in (data_dir, log_dir, model_dir):
        d.mkdir(parents=True, exist_ok=True)
    with _quiet_native_stderr():
        import tensorflow  # noqa: F401  (imported here, not at package import)

        strategy = pick_strategy()
    seed_everything(seed)
    budget = os.environ.get("DLCV_BUDGET", "").strip().lower()
    cfg = Config(smoke=is_smoke, seed=seed, data_dir=data_dir, log_dir=log_dir,
                 model_dir=model_dir, strategy=strategy, budget=budget)
    if not quiet:
        print(environment_report(cfg))
    return cfg
