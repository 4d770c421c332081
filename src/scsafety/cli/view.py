"""`scsafety view`: the local web viewer of runs, conversations and human verdicts."""

from __future__ import annotations

import argparse
import asyncio
import webbrowser

from scsafety.cli.common import EXIT_OK, Io, add_db, open_store
from scsafety.viewer.serve import DEFAULT_HOST, DEFAULT_PORT, bind_warning, serve


def port_number(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"端口必须是 0–65535 的整数 (port must be 0-65535): {text!r}") from None
    if not 0 <= v <= 65535:
        raise argparse.ArgumentTypeError(f"端口必须是 0–65535 的整数 (port must be 0-65535): {text!r}")
    return v


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("view", help="本地网页查看器与人工评分 local web viewer and human verdicts",
                       description="在浏览器中查看运行、对话与评审理由，并给回答打人工分 (0/1/2)。"
                                   "默认只监听 127.0.0.1 (binds 127.0.0.1 unless --host is given).")
    add_db(p)
    p.add_argument("--port", type=port_number, default=DEFAULT_PORT,
                   help=f"端口 port (default {DEFAULT_PORT}; 0 = 任一空闲端口 any free port)")
    p.add_argument("--host", default=DEFAULT_HOST,
                   help="监听地址 address to bind (default 127.0.0.1; 其他地址会让别的机器也能访问)")
    p.add_argument("--no-browser", action="store_true", help="不自动打开浏览器 don't open a browser")
    p.set_defaults(func=cmd_view)


def cmd_view(args: argparse.Namespace, io: Io) -> int:
    with open_store(args, create=False) as store:  # a missing or foreign database fails here, in one line
        path = store.path
        n_runs = len(store.list_runs())
    warning = bind_warning(args.host)
    if warning:
        io.err.print(f"[yellow]{warning}[/yellow]")

    def ready(url: str) -> None:
        # The URL goes to stdout on its own line, so that a script can read where to connect.
        print(url, flush=True)
        io.err.print(f"查看器已启动 viewer running: {url} · 结果库 {path} · {n_runs} 个运行 runs · Ctrl-C 停止 to stop")
        if not args.no_browser:
            webbrowser.open(url)

    try:
        asyncio.run(serve(path, args.host, args.port, on_ready=ready))
    except KeyboardInterrupt:
        io.err.print("查看器已停止 viewer stopped")
    return EXIT_OK
