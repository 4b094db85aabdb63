"""Run the workbench with uvicorn on one address, the only module that imports uvicorn.

The socket is bound here, before the server starts, so that the address printed
is the one listening (with ``--port 0``, the port the system chose).
"""

from __future__ import annotations

import socket
from typing import Callable

__all__ = ["open_socket", "serve"]


def open_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on (host, port); OSError when it cannot be had."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
        sock.set_inheritable(True)
    except OSError:
        sock.close()
        raise
    return sock


def serve(app: Callable, sock: socket.socket) -> None:
    """Answer on ``sock`` until interrupted."""
    import uvicorn

    config = uvicorn.Config(app, log_level="warning", access_log=False, server_header=False, date_header=False)
    uvicorn.Server(config).run(sockets=[sock])
