"""Model export and serving: versioned SavedModels, their signatures, starting the real
``tensorflow_model_server`` when it is installed, and small REST/gRPC clients for tests and timing.

The labelled stand-in server (not TensorFlow Serving) lives in ``helpers.standin_server``, which
builds on this module (never the other way round).  Servers bind 127.0.0.1 and ``stop_all`` stops them.
TensorFlow, grpc and the TF Serving protos are imported inside the functions that need them.
"""
from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from helpers import checks
from helpers.archives import atomic_folder

HOST = "127.0.0.1"
BINARY = "tensorflow_model_server"
_NAME = re.compile(r"^[A-Za-z0-9_.\-]+$")
_SERVERS: set[ModelServer] = set()
_SERVERS_LOCK = threading.Lock()

INSTALL_HINT = (
    "tensorflow_model_server is not installed. On Colab or Debian/Ubuntu (x86-64):\n"
    "  echo 'deb [arch=amd64] http://storage.googleapis.com/tensorflow-serving-apt stable "
    "tensorflow-model-server tensorflow-model-server-universal' | sudo tee "
    "/etc/apt/sources.list.d/tensorflow-serving.list\n"
    "  curl -fsSL https://storage.googleapis.com/tensorflow-serving-apt/tensorflow-serving.release.pub.gpg"
    " | sudo apt-key add -\n"
    "  sudo apt-get update && sudo apt-get install tensorflow-model-server\n"
    "or run the Docker image: docker run -p 127.0.0.1:8501:8501 -v BASE:/models/NAME -e MODEL_NAME=NAME "
    "tensorflow/serving.  Without it, use helpers.standin_server.start_standin_server (a labelled stand-in).")


class ServingError(RuntimeError):
    """A request the model server answered with an error (HTTP status or gRPC code, and its message)."""

    def __init__(self, message: str, status: int | str | None = None) -> None:
        super().__init__(message)
        self.status = status


GRPC_HINT = ("the gRPC client needs `pip install tensorflow-serving-api` (it pins an exact TensorFlow version, so "
             "Colab's setup cell leaves it out); REST needs nothing extra")


def grpc_available() -> bool:
    """True when the gRPC client and server pieces (grpcio + tensorflow-serving-api) can be imported."""
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in ("grpc", "tensorflow_serving"))


# ---------------------------------------------------------------- export and inspection

def _check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"model name must be letters, digits, '_', '.' or '-', got {name!r}")
    return name


def versions(base_dir: str | os.PathLike) -> list[int]:
    """The version numbers under a SavedModel base folder (sub-folders named by an int holding saved_model.pb)."""
    base = Path(base_dir)
    if not base.is_dir():
        return []
    found = [int(p.name) for p in base.iterdir()
             if p.is_dir() and p.name.isdigit() and (p / "saved_model.pb").is_file()]
    return sorted(found)


def export(model: Any, base_dir: str | os.PathLike, version: int) -> Path:
    """Export a Keras model (``model.export``) or a ``keras.export.ExportArchive`` to ``base_dir/version``.

    TF Serving expects ``<base>/<integer version>/saved_model.pb``. The export is written to a
    hidden temporary folder first and renamed into place, so a server watching ``base_dir`` never
    sees half a model. An existing folder of the same version is replaced.
    """
    if isinstance(version, bool) or not isinstance(version, (int, np.integer)) or version < 1:
        raise ValueError(f"version must be a positive int (TF Serving's version folders), got {version!r}")
    if not (hasattr(model, "export") or hasattr(model, "write_out")):
        raise ValueError(f"expected a keras.Model or keras.export.ExportArchive, got {type(model).__name__}")
    base = Path(base_dir).resolve()
    base.mkdir(parents=True, exist_ok=True)
    target = base / str(int(version))
    with atomic_folder(target) as tmp:
        if hasattr(model, "write_out"):
            model.write_out(str(tmp), verbose=False)
        else:
            model.export(str(tmp), format="tf_saved_model", verbose=False)
    return target


def _spec_info(spec: Any) -> tuple[tuple[int | None, ...], str]:
    return tuple(spec.shape.as_list()) if spec.shape.rank is not None else (), spec.dtype.name


def signatures(saved_model_dir: str | os.PathLike) -> dict[str, dict[str, dict[str, tuple]]]:
    """The serving signatures of a SavedModel: ``{name: {"inputs": {key: (shape, dtype)}, "outputs": {...}}}``."""
    import tensorflow as tf

    path = Path(saved_model_dir)
    if not (path / "saved_model.pb").is_file():
        raise ValueError(f"{path} is not a SavedModel folder (no saved_model.pb); pass <base>/<version>")
    loaded = tf.saved_model.load(str(path))
    out = {}
    for name, fn in loaded.signatures.items():
        _, kwargs = fn.structured_input_signature
        out[name] = {"inputs": {k: _spec_info(s) for k, s in sorted(kwargs.items())},
                     "outputs": {k: _spec_info(s) for k, s in sorted(fn.structured_outputs.items())}}
    return out


# ---------------------------------------------------------------- the server handle

def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


class ModelServer:
    """A running model server: ``rest_url``, ``grpc_target``, ``kind``; ``stop()`` or use ``with``."""

    def __init__(self, name: str, kind: str, rest_url: str | None, grpc_target: str | None,
                 stop: Callable[[], None], info: str = "") -> None:
        self.name, self.kind, self.rest_url, self.grpc_target, self.info = name, kind, rest_url, grpc_target, info
        self._stop = stop
        self.running = True
        with _SERVERS_LOCK:
            _SERVERS.add(self)

    def stop(self) -> None:
        """Stop the server and free its ports (safe to call twice)."""
        if self.running:
            self.running = False
            _close_channel(self.grpc_target)
            try:
                self._stop()
            finally:
                with _SERVERS_LOCK:
                    _SERVERS.discard(self)

    def __enter__(self) -> ModelServer:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return (f"ModelServer({self.kind}, model={self.name!r}, rest={self.rest_url}, "
                f"grpc={self.grpc_target}, {state})")


def stop_all() -> int:
    """Stop every server this process started; returns how many were running."""
    with _SERVERS_LOCK:
        servers = list(_SERVERS)
    for s in servers:
        s.stop()
    return len(servers)


atexit.register(stop_all)


def _check_base(model_base_path: str | os.PathLike) -> Path:
    base = Path(model_base_path).resolve()
    if not versions(base):
        raise ValueError(f"{base} holds no version folder (<base>/<int>/saved_model.pb); export one first")
    return base


# ---------------------------------------------------------------- the real tensorflow_model_server

def _wait_ready(url: str, name: str, timeout: float, alive: Callable[[], bool], log: Path | None) -> None:
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        if not alive():
            tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
            raise RuntimeError(f"the model server exited before it was ready:\n{tail}")
        try:
            status = rest_status(url, name, timeout=2.0)
            if any(v.get("state") == "AVAILABLE" for v in status.get("model_version_status", [])):
                return
            last = status
        except (OSError, ServingError, ValueError) as err:
            last = err
        time.sleep(0.2)
    raise TimeoutError(f"model {name!r} not AVAILABLE at {url} after {timeout:.0f} s (last answer: {last})")


def start_model_server(model_base_path: str | os.PathLike, name: str, rest_port: int | None = None,
                       timeout: float = 120.0, binary: str | None = None,
                       poll_seconds: int = 1) -> ModelServer:
    """Start ``tensorflow_model_server`` on ``model_base_path`` and wait until the model is AVAILABLE.

    gRPC is served on a UNIX socket in a private temporary folder (``--port=0
    --grpc_socket_path=...``), so it is reachable from this machine only; the REST API listens on
    ``rest_port`` (a free one by default). Note: TF Serving binds its TCP ports on all interfaces
    (hard-coded upstream, tensorflow/serving#1969); on a shared machine firewall the port, or run
    the Docker image with ``-p 127.0.0.1:PORT:8501``. FileNotFoundError (with install commands)
    when the binary is missing.
    """
    _check_name(name)
    exe = binary or shutil.which(BINARY)
    if exe is None:
        raise FileNotFoundError(INSTALL_HINT)
    base = _check_base(model_base_path)
    rest_port = int(rest_port) if rest_port else free_port()
    workdir = Path(tempfile.mkdtemp(prefix="tfserving-"))
    sock = workdir / "grpc.sock"
    log = workdir / "server.log"
    cmd = [exe, "--port=0", f"--grpc_socket_path={sock}", f"--rest_api_port={rest_port}",
           f"--model_name={name}", f"--model_base_path={base}",
           f"--file_system_poll_wait_seconds={int(poll_seconds)}"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)

    def stop() -> None:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)
        shutil.rmtree(workdir, ignore_errors=True)

    url = f"http://{HOST}:{rest_port}"
    try:
        _wait_ready(url, name, timeout, lambda: proc.poll() is None, log)
    except BaseException:
        stop()
        raise
    warnings.warn(f"tensorflow_model_server listens on all interfaces for REST port {rest_port} "
                  "(hard-coded upstream, tensorflow/serving#1969); gRPC uses a private UNIX socket. "
                  "Stop the server when done, or firewall the port on a shared machine.", stacklevel=2)
    return ModelServer(name, "tensorflow_model_server", url, f"unix:{sock}", stop,
                       info=f"pid {proc.pid}, log {log}")


# ---------------------------------------------------------------- clients

def _http(method: str, url: str, payload: Any = None, timeout: float = 10.0) -> Any:
    data = None if payload is None else json.dumps(payload).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return json.loads(resp.read())
    except urllib.error.HTTPError as err:
        text = err.read().decode(errors="replace")
        try:
            message = json.loads(text).get("error", text)
        except ValueError:
            message = text
        raise ServingError(f"HTTP {err.code} from {url}: {message}", err.code) from None


def _check_url(url: str) -> str:
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ValueError(f"url must look like 'http://127.0.0.1:8501', got {url!r}")
    return url.rstrip("/")


def _model_path(url: str, name: str, version: int | None) -> str:
    path = f"{_check_url(url)}/v1/models/{_check_name(name)}"
    return path if version is None else f"{path}/versions/{int(version)}"


def rest_status(url: str, name: str, version: int | None = None, timeout: float = 5.0) -> dict[str, Any]:
    """``GET /v1/models/NAME``: the model's version status JSON."""
    return _http("GET", _model_path(url, name, version), timeout=timeout)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.ndarray, np.generic)) or hasattr(value, "numpy"):
        return np.asarray(value).tolist()
    return value


def rest_predict(url: str, name: str, instances: Any = None, *, inputs: Any = None,
                 signature_name: str | None = None, version: int | None = None,
                 timeout: float = 10.0) -> np.ndarray | dict[str, np.ndarray]:
    """``POST /v1/models/NAME:predict`` with ``instances`` (row format) or ``inputs`` (columnar).

    Returns the predictions as an array (one output) or a dict of arrays (several outputs);
    ServingError with the server's message on an error reply.
    """
    if (instances is None) == (inputs is None):
        raise ValueError("give exactly one of instances= (row format) or inputs= (columnar format)")
    body: dict[str, Any] = {"instances": _jsonable(instances)} if instances is not None else \
        {"inputs": _jsonable(inputs)}
    if signature_name:
        body["signature_name"] = signature_name
    reply = _http("POST", _model_path(url, name, version) + ":predict", body, timeout=timeout)
    result = reply["predictions"] if "predictions" in reply else reply.get("outputs")
    if isinstance(result, dict):
        return {k: np.asarray(v) for k, v in result.items()}
    if isinstance(result, list) and result and isinstance(result[0], dict):
        return {k: np.asarray([r[k] for r in result]) for k in result[0]}
    return np.asarray(result)


_CHANNELS: dict[str, Any] = {}
_CHANNELS_LOCK = threading.Lock()


def _close_channel(target: str | None) -> None:
    with _CHANNELS_LOCK:
        channel = _CHANNELS.pop(target, None) if target else None
    if channel is not None:
        channel.close()


def _stub(target: str) -> Any:
    import grpc
    from tensorflow_serving.apis import prediction_service_pb2_grpc

    with _CHANNELS_LOCK:
        if target not in _CHANNELS:
            _CHANNELS[target] = grpc.insecure_channel(target)
        return prediction_service_pb2_grpc.PredictionServiceStub(_CHANNELS[target])


def grpc_predict(target: str, name: str, inputs: Mapping[str, Any], signature_name: str = "serving_default",
                 version: int | None = None, timeout: float = 10.0) -> dict[str, np.ndarray]:
    """PredictionService.Predict over gRPC (``target`` like '127.0.0.1:8500' or 'unix:/path').

    ``inputs`` maps each input key of the signature to an array of the signature's dtype
    (float32 for images). Returns ``{output key: array}``; ServingError on an error status.
    """
    if not grpc_available():
        raise ImportError(GRPC_HINT)
    import grpc
    import tensorflow as tf
    from tensorflow_serving.apis import predict_pb2

    if not isinstance(inputs, Mapping) or not inputs:
        raise ValueError("inputs must be a non-empty dict {input key: array}, e.g. {'x': batch}")
    request = predict_pb2.PredictRequest()
    request.model_spec.name = _check_name(name)
    request.model_spec.signature_name = signature_name
    if version is not None:
        request.model_spec.version.value = int(version)
    for key, value in inputs.items():
        request.inputs[key].CopyFrom(tf.make_tensor_proto(np.asarray(value)))
    try:
        reply = _stub(target).Predict(request, timeout=timeout)
    except grpc.RpcError as err:
        raise ServingError(f"gRPC {err.code().name} from {target}: {err.details()}", err.code().name) from None
    return {k: tf.make_ndarray(v) for k, v in reply.outputs.items()}


def measure_latency(fn: Callable[[], Any], n: int = 100, warmup: int = 3,
                    concurrency: int = 1) -> dict[str, Any]:
    """Call ``fn()`` ``n`` times from ``concurrency`` threads.

    Returns ``n`` and ``concurrency`` (ints), ``p50_ms``, ``p95_ms``, ``mean_ms`` and ``throughput_per_s``
    (floats) and ``times_ms`` (a float array of every call's latency).
    """
    if not callable(fn):
        raise ValueError("fn must be a callable taking no arguments")
    n, concurrency = checks.positive_int("n", n), checks.positive_int("concurrency", concurrency)
    for _ in range(max(0, warmup)):
        fn()

    def timed(_: int) -> float:
        t = time.perf_counter()
        fn()
        return (time.perf_counter() - t) * 1000.0

    start = time.perf_counter()
    if concurrency == 1:
        times = [timed(i) for i in range(n)]
    else:
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            times = list(pool.map(timed, range(n)))
    wall = time.perf_counter() - start
    arr = np.asarray(times)
    return {"n": n, "concurrency": concurrency, "p50_ms": float(np.percentile(arr, 50)),
            "p95_ms": float(np.percentile(arr, 95)), "mean_ms": float(arr.mean()),
            "throughput_per_s": n / wall, "times_ms": arr}
