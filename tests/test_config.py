"""helpers.config and the package import."""
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import config


def test_import_is_fast_and_does_not_import_tensorflow():
    code = ("import time, sys; t = time.perf_counter(); import helpers; dt = time.perf_counter() - t; "
            "print(dt, 'tensorflow' in sys.modules, 'keras' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[1:] == ["False", "False"]
    assert float(out[0]) < 0.5


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
    monkeypatch.setenv("DLCV_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("DLCV_LOG_DIR", str(tmp_path / "l"))
    monkeypatch.setenv("DLCV_MODEL_DIR", str(tmp_path / "m"))
    cfg = config.setup(smoke=True, seed=3)
    line = capsys.readouterr().out.strip()
    assert "TensorFlow 2.21" in line and "Keras 3" in line and "mode: smoke" in line and "CPU" in line
    assert cfg.smoke and cfg.mode == "smoke" and cfg.seed == 3
    assert all(p.is_dir() for p in (cfg.data_dir, cfg.log_dir, cfg.model_dir))
    assert cfg.strategy.num_replicas_in_sync == 1
    assert cfg.pick(100, 5) == 5 and cfg.pick(100, 5, override=7) == 7
    with pytest.raises(ValueError, match=">= 0"):
        cfg.pick(100, 5, override=-1)
    run = cfg.logdir("run1")
    (run / "old").write_text("x")
    assert not (cfg.logdir("run1") / "old").exists()
    with pytest.raises(ValueError):
        cfg.logdir("../escape")


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


def test_is_interactive_respects_overrides(monkeypatch):
    monkeypatch.setenv("DLCV_INTERACTIVE", "1")
    assert config.is_interactive() is True
    monkeypatch.setenv("DLCV_INTERACTIVE", "0")
    assert config.is_interactive() is False
    monkeypatch.delenv("DLCV_INTERACTIVE")
    assert config.is_interactive() is False  # plain pytest: no notebook frontend


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
