"""Running the viewer: in the foreground for `scsafety view`, in a thread for tests.

Both bind 127.0.0.1 unless another host is named, and both report the real port (port 0
picks a free one), so that nothing has to guess where the server is.
"""

from __future__ import annotations

import asyncio
import ipaddress
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from scsafety.errors import BadInput
from scsafety.viewer.app import TOKEN, create_app

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8787


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bind_warning(host: str) -> str | None:
    """The warning to print when the viewer is reachable from other machines."""
    if is_loopback(host):
        return None
    return (f"警告：查看器监听 {host}，同一网络中的其他机器也能看到所有回答并提交人工评分；只在可信网络中这样做。"
            f" Warning: the viewer listens on {host}; other machines can read every answer and set human verdicts.")


def url_for(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else ("[::1]" if host == "::" else host)
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


async def start(app: web.Application, host: str, port: int) -> tuple[web.AppRunner, int]:
    """Start serving ``app``; returns the runner (to clean up) and the bound port."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        raise BadInput(f"无法监听 (cannot listen on) {host}:{port}: {exc.strerror or exc}; 换一个 --port") from None
    server = site._server
    assert server is not None and server.sockets  # type: ignore[attr-defined]
    return runner, int(server.sockets[0].getsockname()[1])  # type: ignore[attr-defined]


async def serve(store_path: str | Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                on_ready: Callable[[str], None] | None = None, stop: asyncio.Event | None = None) -> None:
    """Serve until ``stop`` is set (or the task is cancelled, e.g. by Ctrl-C)."""
    extra = () if is_loopback(host) or host in ("0.0.0.0", "::", "") else (host,)
    app = create_app(store_path, allowed_hosts=extra)
    runner, bound = await start(app, host, port)
    try:
        if on_ready is not None:
            on_ready(url_for(host, bound))
        await (stop or asyncio.Event()).wait()
    finally:
        await runner.cleanup()


@dataclass
class ViewerThread:
    """The viewer in a background thread with its own event loop (tests, notebooks).

        with ViewerThread(db) as v:
            v.url, v.token
    """

    store_path: Path
    host: str = DEFAULT_HOST
    port: int = 0
    token: str = ""
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _ready: threading.Event = field(default_factory=threading.Event)
    _error: BaseException | None = None

    @property
    def url(self) -> str:
        return url_for(self.host, self.port)

    def _serve(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            app = create_app(self.store_path)
            self.token = app[TOKEN]
            runner, self.port = loop.run_until_complete(start(app, self.host, self.port))
        except BaseException as exc:  # noqa: BLE001 - handed to the starting thread
            self._error = exc
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.close()

    def start(self) -> ViewerThread:
        self._thread = threading.Thread(target=self._serve, name="scsafety-viewer", daemon=True)
        self._thread.start()
        if not self._ready.wait(15):
            raise RuntimeError("viewer did not start")
        if self._error is not None:
            raise self._error
        return self

    def stop(self) -> None:
        if self._loop is not None and self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(15)

    def __enter__(self) -> ViewerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
