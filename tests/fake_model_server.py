"""A fake ``tensorflow_model_server`` for the tests: runs the stand-in with TF Serving's flag names.

``tests/test_serving.py`` writes a script named ``tensorflow_model_server`` that calls ``main`` so
that ``helpers.serving.start_model_server``'s binary path is exercised without the real binary.
"""
from __future__ import annotations

import sys
import threading

from helpers.serving import HOST
from helpers.standin_server import start_standin_server

def main(argv: list[str] | None = None) -> int:
    """Run the stand-in with ``tensorflow_model_server``'s flags until SIGTERM/SIGINT."""
    import argparse
    import signal

    p = argparse.ArgumentParser(description="Stand-in for tensorflow_model_server (REST + gRPC Predict, 127.0.0.1)")
    p.add_argument("--port", type=int, default=8500, help="gRPC TCP port on 127.0.0.1 (0: none)")
    p.add_argument("--grpc_socket_path", default="", help="serve gRPC on this UNIX socket instead")
    p.add_argument("--rest_api_port", type=int, default=0, help="REST port on 127.0.0.1 (0: none)")
    p.add_argument("--model_name", required=True)
    p.add_argument("--model_base_path", required=True)
    p.add_argument("--file_system_poll_wait_seconds", type=float, default=1.0)
    args, _ = p.parse_known_args(argv)
    grpc: bool | str = False
    if args.grpc_socket_path:
        grpc = f"unix:{args.grpc_socket_path}"
    elif args.port:
        grpc = f"{HOST}:{args.port}"
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    server = start_standin_server(args.model_base_path, args.model_name, rest_port=args.rest_api_port,
                                  grpc=grpc, poll_seconds=args.file_system_poll_wait_seconds)
    print(f"stand-in model server ready: {server}", flush=True)
    stopped.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
