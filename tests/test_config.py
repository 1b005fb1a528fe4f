"""helpers.config and the package import."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import config


HEAVY = ("tensorflow", "keras", "tensorflow_datasets", "numpy", "matplotlib", "PIL", "cv2", "sklearn", "IPython")


def test_import_does_not_import_heavy_libraries():
    """``import helpers`` stays cheap: no TensorFlow, Keras, NumPy, ... until a submodule needs them."""
    code = ("import sys, json, helpers; "
            f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({list(HEAVY)!r}))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == []
    # the check above can see an import: the same probe after importing a submodule that needs NumPy
    probe = code.replace("helpers;", "helpers, helpers.checks, numpy;")
    seen = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert "numpy" in json.loads(seen)


@pytest.mark.parametrize("raw,expected", [("1", True), ("true", True), ("ON", True), ("0", False), ("no", False),
                                          ("", False)])
def test_env_flag(monkeypatch, raw, expected):
    monkeypatch.setenv("DLCV_X", raw)
    assert config.env_flag("DLCV_X") is expected


def test_env_flag_rejects_garbage(monkeypatch):
    monkeypatch.setenv("DLCV_X", "maybe")
    with pytest.raises(ValueError, match="DLCV_X"):
        config.env_flag("DLCV_X")


def test_resolve_smoke(monkeypatch):
    monkeypatch.delenv("DLCV_SMOKE", raising=False)
    assert config.resolve_smoke(None) is False
    monkeypatch.setenv("DLCV_SMOKE", "1")
    assert config.resolve_smoke(None) is True
    assert config.resolve_smoke(False) is False  # the argument wins over the environment
    with pytest.raises(ValueError):
        config.resolve_smoke("yes")


def test_data_dir_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DLCV_DATA_DIR", str(tmp_path / "cache"))
    assert config.default_data_dir() == tmp_path / "cache"
    monkeypatch.delenv("DLCV_DATA_DIR")
    assert config.default_data_dir() == Path(__file__).resolve().parent.parent / "data"


def test_setup_returns_config(monkeypatch, tmp_path, capsys):
    import tensorflow as tf

    monkeypatch.setenv("DLCV_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("DLCV_LOG_DIR", str(tmp_path / "l"))
    monkeypatch.setenv("DLCV_MODEL_DIR", str(tmp_path / "m"))
    cfg = config.setup(smoke=True, seed=3)
    line = capsys.readouterr().out.strip()
    gpus = len(tf.config.list_physical_devices("GPU"))  # this machine's, whatever it has
    assert "TensorFlow 2.21" in line and "Keras 3" in line and "mode: smoke" in line
    assert (f"| {gpus} GPU |" if gpus else "| CPU only |") in line
    assert cfg.smoke and cfg.mode == "smoke" and cfg.seed == 3
    assert (cfg.data_dir, cfg.log_dir, cfg.model_dir) == (tmp_path / "d", tmp_path / "l", tmp_path / "m")
    assert all(p.is_dir() for p in (cfg.data_dir, cfg.log_dir, cfg.model_dir))
    assert cfg.strategy.num_replicas_in_sync == (gpus if gpus > 1 else 1)
    assert cfg.pick(100, 5) == 5 and cfg.pick(100, 5, override=7) == 7
    with pytest.raises(ValueError, match=">= 0"):
        cfg.pick(100, 5, override=-1)
    run = cfg.logdir("run1")
    (run / "old").write_text("x")
    assert not (cfg.logdir("run1") / "old").exists()
    with pytest.raises(ValueError):
        cfg.logdir("../escape")


class _FakeMirrored:
    """Stands in for tf.distribute.MirroredStrategy, which needs real GPUs."""


@pytest.mark.parametrize("n_gpus", [0, 1, 2, 4])
def test_strategy_and_report_follow_the_visible_gpus(monkeypatch, tmp_path, n_gpus):
    """One device: the default strategy; several GPUs: MirroredStrategy; the report counts them."""
    import tensorflow as tf

    fake = [tf.config.PhysicalDevice(name=f"/physical_device:GPU:{i}", device_type="GPU") for i in range(n_gpus)]
    monkeypatch.setattr(tf.config, "list_physical_devices", lambda kind=None: fake if kind == "GPU" else [])
    monkeypatch.setattr(tf.distribute, "MirroredStrategy", _FakeMirrored)
    strategy = config.pick_strategy()
    if n_gpus > 1:
        assert isinstance(strategy, _FakeMirrored)
    else:
        assert strategy is tf.distribute.get_strategy()
    cfg = config.Config(smoke=True, seed=0, data_dir=tmp_path, log_dir=tmp_path, model_dir=tmp_path)
    report = config.environment_report(cfg)
    assert (f"| {n_gpus} GPU |" if n_gpus else "| CPU only |") in report


def test_setup_seeds_reproducibly(monkeypatch, tmp_path):
    import numpy as np
    import tensorflow as tf

    monkeypatch.setenv("DLCV_DATA_DIR", str(tmp_path))
    config.setup(smoke=True, seed=5, quiet=True)
    a = (np.random.rand(), float(tf.random.uniform(())))
    config.setup(smoke=True, seed=5, quiet=True)
    b = (np.random.rand(), float(tf.random.uniform(())))
    assert a == b
    with pytest.raises(ValueError):
        config.seed_everything(-1)


class ZMQInteractiveShell:
    """Named like Jupyter's kernel shell, which is all is_interactive looks at."""


class TerminalInteractiveShell:
    """Named like the IPython terminal's shell."""


@pytest.fixture
def frontend(monkeypatch):
    """No override, no smoke, no CI, no papermill; returns a setter for what get_ipython() answers."""
    import IPython

    for name in ("DLCV_INTERACTIVE", "DLCV_SMOKE", "CI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delitem(sys.modules, "papermill", raising=False)

    def use(shell):
        monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    return use


def test_is_interactive_in_a_jupyter_kernel_only(frontend):
    frontend(ZMQInteractiveShell())
    assert config.is_interactive() is True
    frontend(TerminalInteractiveShell())
    assert config.is_interactive() is False
    frontend(None)  # plain Python, pytest
    assert config.is_interactive() is False


@pytest.mark.parametrize("batch", ["DLCV_SMOKE", "CI", "papermill"])
def test_batch_runs_are_not_interactive_even_in_a_kernel(frontend, monkeypatch, batch):
    frontend(ZMQInteractiveShell())
    if batch == "papermill":
        monkeypatch.setitem(sys.modules, "papermill", type(sys)("papermill"))
    else:
        monkeypatch.setenv(batch, "1")
    assert config.is_interactive() is False


def test_is_interactive_respects_overrides(frontend, monkeypatch):
    frontend(None)
    monkeypatch.setenv("DLCV_INTERACTIVE", "1")
    assert config.is_interactive() is True
    frontend(ZMQInteractiveShell())
    monkeypatch.setenv("DLCV_SMOKE", "1")
    monkeypatch.setenv("DLCV_INTERACTIVE", "0")
    assert config.is_interactive() is False
    monkeypatch.setenv("DLCV_INTERACTIVE", "maybe")
    with pytest.raises(ValueError, match="DLCV_INTERACTIVE"):
        config.is_interactive()


def test_in_colab(monkeypatch):
    monkeypatch.delenv("COLAB_RELEASE_TAG", raising=False)
    assert config.in_colab() is False
    monkeypatch.setenv("COLAB_RELEASE_TAG", "release-colab_20260101")
    assert config.in_colab() is True


def test_full_budgets_on_offline_data(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("DLCV_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DLCV_BUDGET", "full")
    cfg = config.setup(smoke=True)
    assert "mode: smoke with full budgets" in capsys.readouterr().out
    assert cfg.smoke and cfg.budget == "full" and cfg.pick(100, 5) == 100 and cfg.pick(100, 5, 7) == 7
    monkeypatch.setenv("DLCV_BUDGET", "huge")
    with pytest.raises(ValueError, match="DLCV_BUDGET"):
        config.setup(smoke=True, quiet=True)
    monkeypatch.delenv("DLCV_BUDGET")
    assert config.setup(smoke=False, quiet=True).pick(100, 5) == 100


def test_the_session_environment_is_sealed():
    """conftest removed what the machine exported: no DLCV_* variable, no KERAS_BACKEND, a fresh KERAS_HOME."""
    import keras

    from tests import conftest

    assert not [n for n in os.environ if n.startswith("DLCV_")] and "KERAS_BACKEND" not in os.environ
    assert os.environ["KERAS_HOME"] == str(conftest.KERAS_HOME) and keras.config.backend() == "tensorflow"
    env = {"DLCV_MIRROR": "http://mirror.example/dlcv", "DLCV_SMOKE": "0", "KERAS_BACKEND": "jax",
           "KERAS_HOME": "/home/someone/.keras", "PATH": "/bin", "CI": "1"}
    assert conftest.seal_environment(env) == ["DLCV_MIRROR", "DLCV_SMOKE", "KERAS_BACKEND", "KERAS_HOME"]
    assert env == {"PATH": "/bin", "CI": "1"}


def test_version_comes_from_pyproject():
    import tomllib

    import helpers

    project = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())["project"]
    assert helpers.__version__ == project["version"] and "__version__" in helpers.__all__
