"""``jifen serve``: the workbench, a local web page over a folder of policies (docs/workbench.md).

The web application (:mod:`jifen_dsl.workbench`) and its server are imported only
when the command runs, so that ``jifen --help`` and ``jifen check`` stay quick.
"""

from __future__ import annotations

import sys

import click

from jifen_dsl.errors import JifenError, severity_word
from jifen_dsl.messages import Message, T, render

__all__ = ["serve_cmd"]


class _Refused(JifenError):
    """The server was not started: why, in the chosen language."""

    def __init__(self, message: Message):
        self.message = message
        super().__init__(render(message, "en"))

    def render(self) -> str:
        return f"{severity_word('error')}: {render(self.message)}"


@click.command(name="serve")
@click.argument("folder", required=False, default=".", type=click.Path(file_okay=False, exists=True))
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="The port to listen on (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on; any but loopback needs --token.")
@click.option("--token", default=None, help="An access token every request must carry (required with a --host other than loopback).")
def serve_cmd(folder: str, port: int, host: str, token: str | None) -> None:
    """The workbench: edit, check and save the policies under FOLDER in a web page (default: the current folder)."""
    from jifen_dsl.workbench.safety import is_loopback

    if token is not None and not token.strip():
        raise _Refused(T("--token is empty: give a token"))
    if not is_loopback(host) and token is None:
        raise _Refused(T("refusing to listen on {host} without an access token: give --token TOKEN, or listen on 127.0.0.1", host=host))
    from jifen_dsl.workbench.app import create_app
    from jifen_dsl.workbench.server import open_socket, serve

    app = create_app(folder, token=token)
    try:
        sock = open_socket(host, port)
    except OSError as exc:
        raise _Refused(T("cannot listen on {host} port {port}: {reason}", host=host, port=port, reason=exc.strerror or str(exc))) from None
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    address = f"http://{shown}:{bound}/" + (f"?token={token}" if token else "")
    click.echo(render(T("The workbench is at {address} (Ctrl-C stops it)", address=address)))
    sys.stdout.flush()
    serve(app, sock)
