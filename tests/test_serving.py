"""helpers.serving: versioned export, the stand-in TF Serving server (REST + gRPC, for real on
127.0.0.1), the clients, latency measurement, and the tensorflow_model_server path with a fake
binary on PATH that speaks TF Serving's flags."""
from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from helpers import serving, standin_server

NAME = "toy"


def _toy_model(seed: int):
    import keras

    keras.utils.set_random_seed(seed)
    inp = keras.Input((4,), name="x")
    out = keras.layers.Dense(3, activation="softmax", name="probs")(inp)
    return keras.Model(inp, out)


def _predict(model, x):
    return np.asarray(model(x, training=False))


@pytest.fixture(scope="module")
def models():
    return _toy_model(0), _toy_model(1)


@pytest.fixture(scope="module")
def batch():
    return np.random.default_rng(0).random((5, 4)).astype("float32")


@pytest.fixture(scope="module")
def base(tmp_path_factory, models):
    path = tmp_path_factory.mktemp("models") / NAME
    serving.export(models[0], path, 1)
    return path


@pytest.fixture(scope="module")
def server(base):
    srv = standin_server.start_standin_server(base, NAME, poll_seconds=0)
    yield srv
    srv.stop()


def _post_raw(url: str, data: bytes) -> tuple[int, dict]:
    req = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


# ---------------------------------------------------------------- export

def test_export_writes_version_folders_and_signatures(tmp_path, models, batch):
    import tensorflow as tf

    path = serving.export(models[0], tmp_path / "m", 3)
    assert path == (tmp_path / "m" / "3").resolve() and (path / "saved_model.pb").is_file()
    serving.export(models[1], tmp_path / "m", 1)
    assert serving.versions(tmp_path / "m") == [1, 3]
    assert not [p for p in (tmp_path / "m").iterdir() if p.name.startswith(".")], "temporary folder left behind"
    sigs = serving.signatures(path)
    assert sigs["serving_default"] == {"inputs": {"x": ((None, 4), "float32")},
                                       "outputs": {"output_0": ((None, 3), "float32")}}
    loaded = tf.saved_model.load(str(path))
    out = loaded.signatures["serving_default"](x=tf.constant(batch))["output_0"].numpy()
    np.testing.assert_allclose(out, _predict(models[0], batch), atol=1e-6)
    serving.export(models[1], tmp_path / "m", 3)  # replacing a version
    out = tf.saved_model.load(str(path)).signatures["serving_default"](x=tf.constant(batch))["output_0"].numpy()
    np.testing.assert_allclose(out, _predict(models[1], batch), atol=1e-6)


def test_export_archive_with_two_endpoints(tmp_path, models, batch):
    import keras
    import tensorflow as tf

    archive = keras.export.ExportArchive()
    archive.track(models[0])
    spec = [tf.TensorSpec([None, 4], tf.float32, name="x")]
    archive.add_endpoint("serving_default", lambda x: {"probabilities": models[0](x)}, input_signature=spec)
    archive.add_endpoint("double", lambda x: {"y": 2 * x}, input_signature=spec)
    path = serving.export(archive, tmp_path / "a", 1)
    sigs = serving.signatures(path)
    assert set(sigs) >= {"serving_default", "double"}
    assert sigs["double"]["outputs"] == {"y": ((None, 4), "float32")}


@pytest.mark.parametrize("version", [0, -1, True, "1", 1.5])
def test_export_rejects_bad_versions(tmp_path, models, version):
    with pytest.raises(ValueError, match="positive int"):
        serving.export(models[0], tmp_path, version)


def test_export_rejects_non_models(tmp_path):
    with pytest.raises(ValueError, match="keras.Model"):
        serving.export(object(), tmp_path, 1)


def test_signatures_needs_a_version_folder(tmp_path):
    with pytest.raises(ValueError, match="saved_model.pb"):
        serving.signatures(tmp_path)


# ---------------------------------------------------------------- the stand-in server

def test_standin_binds_loopback_and_reports_status(server):
    assert server.kind == "stand-in" and server.running
    assert server.rest_url.startswith("http://127.0.0.1:") and server.grpc_target.startswith("127.0.0.1:")
    status = serving.rest_status(server.rest_url, NAME)
    assert status["model_version_status"][0]["state"] == "AVAILABLE"
    assert status["model_version_status"][0]["status"]["error_code"] == "OK"


def test_rest_predict_matches_in_process_model(server, models, batch):
    want = _predict(models[0], batch)
    rows = serving.rest_predict(server.rest_url, NAME, batch)
    cols = serving.rest_predict(server.rest_url, NAME, inputs={"x": batch})
    named_rows = serving.rest_predict(server.rest_url, NAME, [{"x": r} for r in batch])
    for got in (rows, cols, named_rows):
        assert got.shape == (5, 3)
        np.testing.assert_allclose(got, want, atol=1e-6)
    assert int(np.argmax(rows[0])) == int(np.argmax(want[0]))


def test_grpc_predict_matches_in_process_model(server, models, batch):
    out = serving.grpc_predict(server.grpc_target, NAME, {"x": batch})
    assert set(out) == {"output_0"}
    np.testing.assert_allclose(out["output_0"], _predict(models[0], batch), atol=1e-6)


def test_metadata_lists_the_signature(server):
    with urllib.request.urlopen(f"{server.rest_url}/v1/models/{NAME}/metadata", timeout=10) as reply:
        meta = json.loads(reply.read())
    assert meta["model_spec"] == {"name": NAME, "signature_name": "", "version": "1"}
    sig = meta["metadata"]["signature_def"]["signature_def"]["serving_default"]
    assert sig["inputs"]["x"]["dtype"] == "DT_FLOAT"
    assert [d["size"] for d in sig["inputs"]["x"]["tensor_shape"]["dim"]] == ["-1", "4"]


def test_malformed_json_is_a_400_with_an_error(server):
    code, body = _post_raw(f"{server.rest_url}/v1/models/{NAME}:predict", b"{not json")
    assert code == 400 and "JSON Parse error" in body["error"]


@pytest.mark.parametrize("payload, message", [
    ({"instances": [[1.0, 2.0]]}, "shape"),
    ({"instances": [[1, 2, 3, 4]], "inputs": [[1, 2, 3, 4]]}, "exactly one"),
    ({"foo": 1}, "exactly one"),
    ({"instances": []}, "non-empty"),
    ({"instances": [["a", "b", "c", "d"]]}, "float32"),
    ({"instances": [[1, 2, 3, 4]], "signature_name": "nope"}, "not found"),
    ({"inputs": {"y": [[1, 2, 3, 4]]}}, "input keys"),
])
def test_bad_input_is_a_400_with_an_error(server, payload, message):
    code, body = _post_raw(f"{server.rest_url}/v1/models/{NAME}:predict", json.dumps(payload).encode())
    assert code == 400 and message in body["error"]


def test_unknown_model_is_a_404(server, batch):
    with pytest.raises(serving.ServingError, match="Servable not found") as err:
        serving.rest_predict(server.rest_url, "other", batch)
    assert err.value.status == 404
    with pytest.raises(serving.ServingError) as err:
        serving.rest_status(server.rest_url, "other")
    assert err.value.status == 404
    with pytest.raises(serving.ServingError) as err:
        serving.grpc_predict(server.grpc_target, "other", {"x": batch})
    assert err.value.status == "NOT_FOUND"


def test_grpc_bad_input_is_invalid_argument(server):
    with pytest.raises(serving.ServingError) as err:
        serving.grpc_predict(server.grpc_target, NAME, {"x": np.zeros((2, 7), "float32")})
    assert err.value.status == "INVALID_ARGUMENT"


def test_client_input_validation(server, batch):
    with pytest.raises(ValueError, match="exactly one"):
        serving.rest_predict(server.rest_url, NAME)
    with pytest.raises(ValueError, match="exactly one"):
        serving.rest_predict(server.rest_url, NAME, batch, inputs=batch)
    with pytest.raises(ValueError, match="http://"):
        serving.rest_status("127.0.0.1:8501", NAME)
    with pytest.raises(ValueError, match="model name"):
        serving.rest_status(server.rest_url, "a/b")
    with pytest.raises(ValueError, match="dict"):
        serving.grpc_predict(server.grpc_target, NAME, batch)


def test_hot_swap_to_a_new_version(tmp_path, models, batch):
    base = tmp_path / NAME
    serving.export(models[0], base, 1)
    with standin_server.start_standin_server(base, NAME, poll_seconds=0, grpc=False) as srv:
        assert srv.grpc_target is None
        np.testing.assert_allclose(serving.rest_predict(srv.rest_url, NAME, batch), _predict(models[0], batch),
                                   atol=1e-6)
        serving.export(models[1], base, 2)
        assert serving.rest_status(srv.rest_url, NAME)["model_version_status"][0]["version"] == "2"
        np.testing.assert_allclose(serving.rest_predict(srv.rest_url, NAME, batch), _predict(models[1], batch),
                                   atol=1e-6)
        np.testing.assert_allclose(serving.rest_predict(srv.rest_url, NAME, batch, version=2),
                                   _predict(models[1], batch), atol=1e-6)
        with pytest.raises(serving.ServingError) as err:
            serving.rest_predict(srv.rest_url, NAME, batch, version=1)
        assert err.value.status == 404
    assert not srv.running


def test_stop_frees_the_ports(base, batch):
    srv = standin_server.start_standin_server(base, NAME)
    rest_port = int(srv.rest_url.rsplit(":", 1)[1])
    grpc_port = int(srv.grpc_target.rsplit(":", 1)[1])
    serving.rest_predict(srv.rest_url, NAME, batch)
    serving.grpc_predict(srv.grpc_target, NAME, {"x": batch})
    srv.stop()
    srv.stop()  # twice is fine
    assert "stopped" in repr(srv)
    with pytest.raises(OSError):
        serving.rest_status(srv.rest_url, NAME, timeout=2)
    for port in (rest_port, grpc_port):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers do: TIME_WAIT is fine
            s.bind(("127.0.0.1", port))  # EADDRINUSE while a listener still holds the port
            s.listen()


def test_stop_all(base):
    a = standin_server.start_standin_server(base, NAME, grpc=False)
    b = standin_server.start_standin_server(base, NAME, grpc=False)
    assert serving.stop_all() >= 2
    assert not a.running and not b.running


def test_standin_rejects_bad_arguments(tmp_path, base):
    with pytest.raises(ValueError, match="model name"):
        standin_server.start_standin_server(base, "bad name")
    with pytest.raises(ValueError, match="no version folder"):
        standin_server.start_standin_server(tmp_path, NAME)
    with pytest.raises(ValueError, match="127.0.0.1"):
        standin_server.start_standin_server(base, NAME, grpc="0.0.0.0:0")
    with pytest.raises(ValueError, match="poll_seconds"):
        standin_server.start_standin_server(base, NAME, poll_seconds=-1)


# ---------------------------------------------------------------- measure_latency

def test_measure_latency_counts_and_percentiles():
    # 50 ms sleeps: long beside the scheduling delays of a loaded machine, which only ever add time
    stats = serving.measure_latency(lambda: time.sleep(0.05), n=12, warmup=0)
    assert stats["n"] == 12 and len(stats["times_ms"]) == 12
    # sleep() never returns early, but a busy machine can make it return late: only generous upper bounds
    assert 49.5 <= stats["p50_ms"] <= stats["p95_ms"] < 2000
    assert 0.4 < stats["throughput_per_s"] <= 20.5
    assert stats["mean_ms"] == pytest.approx(float(np.mean(stats["times_ms"])))
    parallel = serving.measure_latency(lambda: time.sleep(0.05), n=12, warmup=0, concurrency=4)
    assert parallel["concurrency"] == 4 and parallel["throughput_per_s"] > 1.5 * stats["throughput_per_s"]


@pytest.mark.parametrize("kwargs", [{"n": 0}, {"concurrency": 0}, {"n": 2.5}])
def test_measure_latency_rejects_bad_counts(kwargs):
    with pytest.raises(ValueError, match="positive int"):
        serving.measure_latency(lambda: None, **kwargs)


# ---------------------------------------------------------------- tensorflow_model_server (fake binary)

def _fake_binary(folder: Path, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / serving.BINARY
    path.write_text(f"#!{sys.executable}\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def test_missing_binary_gives_install_instructions(tmp_path, monkeypatch, base):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="apt-get install tensorflow-model-server"):
        serving.start_model_server(base, NAME)


def test_model_server_binary_path_with_a_fake_binary(tmp_path, monkeypatch, base, models, batch):
    """A script named tensorflow_model_server on PATH that runs the stand-in with TF Serving's flags."""
    root = Path(serving.__file__).resolve().parent.parent
    _fake_binary(tmp_path / "bin", f"import sys\nsys.path.insert(0, {str(root)!r})\n"
                                   "from tests.fake_model_server import main\nsys.exit(main())")
    monkeypatch.setenv("PATH", str(tmp_path / "bin") + os.pathsep + os.environ.get("PATH", ""))
    with pytest.warns(UserWarning, match="all interfaces"):
        srv = serving.start_model_server(base, NAME, timeout=180)
    try:
        assert srv.kind == "tensorflow_model_server" and srv.grpc_target.startswith("unix:")
        assert srv.rest_url.startswith("http://127.0.0.1:")
        want = _predict(models[0], batch)
        np.testing.assert_allclose(serving.rest_predict(srv.rest_url, NAME, batch), want, atol=1e-6)
        np.testing.assert_allclose(serving.grpc_predict(srv.grpc_target, NAME, {"x": batch})["output_0"], want,
                                   atol=1e-6)
        sock = Path(srv.grpc_target[len("unix:"):])
        assert sock.exists()
    finally:
        srv.stop()
    assert not sock.parent.exists(), "the server's temporary folder was not removed"
    with pytest.raises(OSError):
        serving.rest_status(srv.rest_url, NAME, timeout=2)


def test_model_server_that_exits_early_reports_its_log(tmp_path, monkeypatch, base):
    _fake_binary(tmp_path / "bin", "import sys\nprint('cannot load the model, sorry')\nsys.exit(3)")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    with pytest.raises(RuntimeError, match="cannot load the model, sorry"):
        serving.start_model_server(base, NAME, timeout=30)


def test_model_server_that_never_gets_ready_times_out_and_is_killed(tmp_path, base):
    marker = tmp_path / "pid"
    binary = _fake_binary(tmp_path / "bin", f"import os, time\nopen({str(marker)!r}, 'w').write(str(os.getpid()))\n"
                                            "time.sleep(600)")
    t = time.monotonic()
    with pytest.raises(TimeoutError, match="not AVAILABLE"):
        serving.start_model_server(base, NAME, timeout=3, binary=str(binary))
    assert time.monotonic() - t < 30
    pid = int(marker.read_text())
    with pytest.raises(ProcessLookupError):
        for _ in range(50):
            os.kill(pid, 0)
            time.sleep(0.1)


def test_requests_leave_the_garbage_collector_alone(base, batch, monkeypatch):
    """Neither the client nor the stand-in switches Python's garbage collector off (a process-wide setting)."""
    import gc

    switched = []
    monkeypatch.setattr(gc, "disable", lambda: switched.append("disable"))
    monkeypatch.setattr(gc, "freeze", lambda: switched.append("freeze"))
    with standin_server.start_standin_server(base, NAME, grpc=False) as srv:  # test_stop_all stopped `server`
        serving.rest_predict(srv.rest_url, NAME, batch)
        code, _ = _post_raw(f"{srv.rest_url}/v1/models/{NAME}:predict",
                            json.dumps({"instances": batch.tolist()}).encode())
    assert code == 200 and switched == [] and gc.isenabled()


def test_without_the_grpc_client_rest_still_works(monkeypatch, base, models, batch):
    monkeypatch.setattr(serving, "grpc_available", lambda: False)
    monkeypatch.setattr(standin_server, "grpc_available", lambda: False)
    with standin_server.start_standin_server(base, NAME) as srv:
        assert srv.grpc_target is None and srv.rest_url
        np.testing.assert_allclose(serving.rest_predict(srv.rest_url, NAME, batch), _predict(models[0], batch),
                                   atol=1e-6)
    with pytest.raises(ImportError, match="tensorflow-serving-api"):
        standin_server.start_standin_server(base, NAME, grpc=True)
    with pytest.raises(ImportError, match="tensorflow-serving-api"):
        serving.grpc_predict("127.0.0.1:1", NAME, {"x": batch})


def test_grpc_available_here():
    assert serving.grpc_available()  # declared in pyproject.toml, so the tests above exercise gRPC for real


@pytest.mark.skipif(shutil.which("tensorflow_model_server") is None,
                    reason="tensorflow_model_server is not on PATH: the stand-in is checked against the real "
                           "TF Serving only where it is installed")
def test_real_model_server_answers_like_the_standin(server, base, models, batch):
    """Where the real binary exists, the same client calls give the same replies as the stand-in's."""
    real = serving.start_model_server(base, NAME, timeout=180)
    try:
        want = serving.rest_predict(server.rest_url, NAME, batch)
        np.testing.assert_allclose(serving.rest_predict(real.rest_url, NAME, batch), want, atol=1e-5)
        assert serving.rest_status(real.rest_url, NAME)["model_version_status"][0]["state"] == "AVAILABLE"
        if real.grpc_target and serving.grpc_available():
            got = serving.grpc_predict(real.grpc_target, NAME, {"x": batch})["output_0"]
            np.testing.assert_allclose(got, want, atol=1e-5)
    finally:
        real.stop()
