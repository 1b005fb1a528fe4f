"""A STAND-IN for TensorFlow Serving, for CI and offline notebooks: it is *not* TensorFlow Serving.

``start_standin_server`` loads the newest version folder of a SavedModel base path with
``tf.saved_model.load`` and answers the REST routes TF Serving does (``GET /v1/models/NAME``,
``GET /v1/models/NAME/metadata``, ``POST /v1/models/NAME[/versions/V]:predict`` with the "instances" or
"inputs" JSON formats and ``{"error": ...}`` replies), plus the gRPC ``PredictionService.Predict`` call.
It binds 127.0.0.1 only.  Every message it prints says "stand-in", and latencies measured against it
are those of this Python process, not of the real server.  Use ``helpers.serving.start_model_server``
for the real ``tensorflow_model_server`` when it is installed.

TensorFlow, grpc and the TF Serving protos are imported inside the functions that need them.
"""
from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from helpers.serving import (
    GRPC_HINT,
    HOST,
    ModelServer,
    ServingError,
    _check_base,
    _check_name,
    grpc_available,
    versions,
)


class _Servable:
    """The newest version of one SavedModel base folder, reloaded when a newer version appears."""

    def __init__(self, base: Path, name: str, poll_seconds: float) -> None:
        self.base, self.name, self.poll_seconds = base, name, poll_seconds
        self.version: int | None = None
        self.model: Any = None
        self._checked = 0.0
        self._lock = threading.Lock()
        self.current()

    def current(self) -> tuple[int, Any]:
        import tensorflow as tf

        with self._lock:
            now = time.monotonic()
            if self.model is None or now - self._checked >= self.poll_seconds:
                self._checked = now
                found = versions(self.base)
                if found and found[-1] != self.version:
                    self.model = tf.saved_model.load(str(self.base / str(found[-1])))
                    self.version = found[-1]
            return self.version, self.model

    def signature(self, version: int | None, signature_name: str | None) -> tuple[int, Any]:
        current, model = self.current()
        if version is not None and version != current:
            raise ServingError(f"Servable not found for request: Specific({self.name}, {version})", 404)
        key = signature_name or "serving_default"
        if key not in model.signatures:
            raise ServingError(f'Serving signature name: "{key}" not found in signature def '
                               f"(available: {sorted(model.signatures)})", 400)
        return current, model.signatures[key]


def _input_specs(fn: Any) -> dict[str, Any]:
    return dict(fn.structured_input_signature[1])


def _run(fn: Any, tensors: Mapping[str, Any]) -> dict[str, np.ndarray]:
    import tensorflow as tf

    specs = _input_specs(fn)
    unknown = sorted(set(tensors) - set(specs))
    missing = sorted(set(specs) - set(tensors))
    if unknown or missing:
        raise ServingError(f"input keys do not match the signature: expected {sorted(specs)}, "
                           f"missing {missing}, unknown {unknown}", 400)
    feed = {}
    for key, value in tensors.items():
        spec = specs[key]
        try:
            arr = np.asarray(value, dtype=spec.dtype.as_numpy_dtype)
        except (ValueError, TypeError) as err:
            raise ServingError(f"input {key!r} is not a {spec.dtype.name} tensor: {err}", 400) from None
        if not spec.shape.is_compatible_with(arr.shape):
            raise ServingError(f"input {key!r} has shape {list(arr.shape)}, the signature expects "
                               f"{spec.shape.as_list()}", 400)
        feed[key] = tf.constant(arr)
    try:
        outputs = fn(**feed)
    except Exception as err:  # TensorFlow raises several types for bad values
        raise ServingError(f"the model failed on this input: {str(err).splitlines()[0]}", 400) from None
    return {k: v.numpy() for k, v in outputs.items()}


def _predict_json(servable: _Servable, body: Any, version: int | None) -> dict[str, Any]:
    """TF Serving's REST predict: the request JSON in, the reply JSON out (ServingError on bad input)."""
    if not isinstance(body, dict):
        raise ServingError("the request body must be a JSON object", 400)
    has_rows, has_cols = "instances" in body, "inputs" in body
    if has_rows == has_cols:
        raise ServingError("the request must hold exactly one of 'instances' (row format) or 'inputs' "
                           "(columnar format)", 400)
    _, fn = servable.signature(version, body.get("signature_name"))
    keys = sorted(_input_specs(fn))
    if has_rows:
        rows = body["instances"]
        if not isinstance(rows, list) or not rows:
            raise ServingError("'instances' must be a non-empty list", 400)
        if all(isinstance(r, dict) for r in rows):
            tensors = {k: [r.get(k) for r in rows] for k in {k for r in rows for k in r}}
        elif len(keys) == 1:
            tensors = {keys[0]: rows}
        else:
            raise ServingError(f"the signature has several inputs {keys}: send each instance as an object", 400)
        outputs = _run(fn, tensors)
        if len(outputs) == 1:
            return {"predictions": next(iter(outputs.values())).tolist()}
        n = len(rows)
        return {"predictions": [{k: v[i].tolist() for k, v in outputs.items()} for i in range(n)]}
    inputs = body["inputs"]
    tensors = inputs if isinstance(inputs, dict) else ({keys[0]: inputs} if len(keys) == 1 else None)
    if tensors is None:
        raise ServingError(f"the signature has several inputs {keys}: send 'inputs' as an object", 400)
    outputs = _run(fn, tensors)
    if len(outputs) == 1:
        return {"outputs": next(iter(outputs.values())).tolist()}
    return {"outputs": {k: v.tolist() for k, v in outputs.items()}}


def _tensor_info(spec: Any) -> dict[str, Any]:
    from tensorflow.core.framework import types_pb2

    dims = [{"size": str(-1 if d is None else d), "name": ""} for d in spec.shape.as_list()]
    return {"dtype": types_pb2.DataType.Name(spec.dtype.as_datatype_enum), "tensor_shape": {"dim": dims, "unknown_rank": False},
            "name": spec.name or ""}


def _metadata_json(servable: _Servable) -> dict[str, Any]:
    version, model = servable.current()
    defs = {}
    for key, fn in model.signatures.items():
        defs[key] = {"inputs": {k: _tensor_info(s) for k, s in _input_specs(fn).items()},
                     "outputs": {k: _tensor_info(s) for k, s in fn.structured_outputs.items()},
                     "method_name": "tensorflow/serving/predict"}
    return {"model_spec": {"name": servable.name, "signature_name": "", "version": str(version)},
            "metadata": {"signature_def": {"signature_def": defs}}}


_GET = re.compile(r"^/v1/models/([^/:]+)(?:/versions/(\d+))?(/metadata)?/?$")
_POST = re.compile(r"^/v1/models/([^/:]+)(?:/versions/(\d+))?:(\w+)$")


def _make_handler(servable: _Servable):
    from http.server import BaseHTTPRequestHandler

    class Handler(BaseHTTPRequestHandler):
        """TF Serving's REST routes for one model (stand-in)."""

        server_version = "dlcv-standin/1"

        def log_message(self, *args: Any) -> None:  # keep notebooks quiet
            pass

        def _reply(self, code: int, payload: Any) -> None:
            data = json.dumps(payload).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _check_model(self, name: str, version: str | None) -> int | None:
            if name != servable.name:
                what = f"Specific({name}, {version})" if version else f"Latest({name})"
                raise ServingError(f"Servable not found for request: {what}", 404)
            return int(version) if version else None

        def _answer(self, route: re.Pattern[str], method: str, work: Any) -> None:
            """Reply with ``work(*route groups)`` as JSON, or with TF Serving's {"error": ...} reply."""
            try:
                m = route.match(self.path)
                if not m:
                    raise ServingError(f"Malformed request: {method} {self.path}", 404)
                self._reply(200, work(*m.groups()))
            except ServingError as err:
                self._reply(int(err.status or 400), {"error": str(err)})

        def _get(self, name: str, version: str | None, metadata: str | None) -> dict[str, Any]:
            wanted = self._check_model(name, version)
            current, _ = servable.current()
            if wanted is not None and wanted != current:
                raise ServingError(f"Could not find version {wanted} of model {name}", 404)
            if metadata:
                return _metadata_json(servable)
            return {"model_version_status": [{"version": str(current), "state": "AVAILABLE",
                                              "status": {"error_code": "OK", "error_message": ""}}]}

        def _post(self, name: str, version: str | None, verb: str) -> dict[str, Any]:
            wanted = self._check_model(name, version)
            if verb != "predict":
                raise ServingError(f"the stand-in server implements ':predict' only, not ':{verb}'", 400)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                body = json.loads(raw or b"null")
            except ValueError as err:
                raise ServingError(f"JSON Parse error: {err}", 400) from None
            return _predict_json(servable, body, wanted)

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self._answer(_GET, "GET", self._get)

        def do_POST(self) -> None:  # noqa: N802
            self._answer(_POST, "POST", self._post)

    return Handler


def _grpc_servicer(servable: _Servable):
    import grpc
    import tensorflow as tf
    from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc

    class Servicer(prediction_service_pb2_grpc.PredictionServiceServicer):
        """PredictionService.Predict for one model (stand-in)."""

        def Predict(self, request, context):  # noqa: N802 (gRPC's naming)
            try:
                if request.model_spec.name != servable.name:
                    raise ServingError(f"Servable not found for request: Latest({request.model_spec.name})",
                                       "NOT_FOUND")
                wanted = request.model_spec.version.value if request.model_spec.HasField("version") else None
                version, fn = servable.signature(wanted, request.model_spec.signature_name or None)
                tensors = {k: tf.make_ndarray(v) for k, v in request.inputs.items()}
                outputs = _run(fn, tensors)
            except ServingError as err:
                code = grpc.StatusCode.NOT_FOUND if err.status in (404, "NOT_FOUND") else \
                    grpc.StatusCode.INVALID_ARGUMENT
                context.abort(code, str(err))
            reply = predict_pb2.PredictResponse()
            reply.model_spec.name = servable.name
            reply.model_spec.version.value = version
            reply.model_spec.signature_name = request.model_spec.signature_name or "serving_default"
            for k, v in outputs.items():
                reply.outputs[k].CopyFrom(tf.make_tensor_proto(v))
            return reply

    return Servicer()


def start_standin_server(model_base_path: str | os.PathLike, name: str, rest_port: int | None = None,
                         grpc: bool | str | None = None, poll_seconds: float = 1.0) -> ModelServer:
    """Serve the newest version under ``model_base_path`` on 127.0.0.1 from threads of this process.

    A labelled stand-in for TF Serving (see the module docstring): REST on ``rest_port`` (a free
    port by default; 0 disables REST), gRPC Predict on a free 127.0.0.1 port when ``grpc`` is True
    (None: when tensorflow-serving-api is installed), or on the address given as a string
    (``"127.0.0.1:PORT"`` or ``"unix:/path"``). A newer version folder is picked up within
    ``poll_seconds`` (TF Serving's hot swap).
    """
    from http.server import ThreadingHTTPServer

    if grpc is None:
        grpc = grpc_available()
    elif grpc and not grpc_available():
        raise ImportError(GRPC_HINT)
    _check_name(name)
    base = _check_base(model_base_path)
    if poll_seconds < 0:
        raise ValueError(f"poll_seconds must be >= 0, got {poll_seconds}")
    servable = _Servable(base, name, poll_seconds)
    http_server = grpc_server = None
    rest_url = grpc_target = None
    if rest_port != 0:
        http_server = ThreadingHTTPServer((HOST, int(rest_port or 0)), _make_handler(servable))
        http_server.daemon_threads = True
        threading.Thread(target=http_server.serve_forever, name=f"standin-rest-{name}", daemon=True).start()
        rest_url = f"http://{HOST}:{http_server.server_address[1]}"
    if grpc:
        import grpc as grpclib
        from tensorflow_serving.apis import prediction_service_pb2_grpc

        address = grpc if isinstance(grpc, str) else f"{HOST}:0"
        if not (address.startswith(f"{HOST}:") or address.startswith("unix:")):
            if http_server is not None:
                http_server.shutdown()
                http_server.server_close()
            raise ValueError(f"grpc address must be '{HOST}:PORT' or 'unix:/path', got {address!r}")
        grpc_server = grpclib.server(ThreadPoolExecutor(max_workers=4),
                                     options=[("grpc.so_reuseport", 0)])
        prediction_service_pb2_grpc.add_PredictionServiceServicer_to_server(_grpc_servicer(servable), grpc_server)
        port = grpc_server.add_insecure_port(address)
        grpc_server.start()
        grpc_target = address if address.startswith("unix:") else f"{HOST}:{port}"

    def stop() -> None:
        if http_server is not None:
            http_server.shutdown()
            http_server.server_close()
        if grpc_server is not None:
            grpc_server.stop(grace=None).wait(5)

    return ModelServer(name, "stand-in", rest_url, grpc_target, stop,
                       info=f"stand-in for TF Serving in this process, serving {base} version {servable.version}")
