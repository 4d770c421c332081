"""The viewer's aiohttp application: a page, its two static assets, and a JSON API.

    GET  /                                    the page (the anti-CSRF token is in a <meta>)
    GET  /static/app.js, /static/app.css      plain assets shipped in the package, no CDN
    GET  /api/runs                            {"runs": [summary, ...]}
    GET  /api/runs/{run_id}                   summary + facets for the filters
    GET  /api/runs/{run_id}/conversations     ?category&subdimension&round&score&judge&disagree&unsure&q&offset&limit
    POST /api/answers/{answer_id}/verdict     {"score": 0|1|2, "reason"?, "rater"?} → a human verdict

The store is opened when the app starts and closed when it stops; nothing is global, so
two apps on two databases can run in one process (as the tests do).
"""

from __future__ import annotations

import html
import json
import secrets
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

from aiohttp import web

from scsafety.errors import BadInput
from scsafety.store import Store
from scsafety.viewer import queries
from scsafety.viewer.security import TOKEN_HEADER, security_middleware

STORE_PATH = web.AppKey("store_path", Path)
STORE = web.AppKey("store", Store)
TOKEN = web.AppKey("token", str)
ASSETS = web.AppKey("assets", dict)
STATIC = {"app.js": "text/javascript", "app.css": "text/css"}
MAX_BODY = 64 * 1024


def _asset(name: str) -> str:
    return resources.files("scsafety.viewer").joinpath("static", name).read_text(encoding="utf-8")


def create_app(store_path: str | Path, *, token: str | None = None, allowed_hosts: Iterable[str] = ()
               ) -> web.Application:
    """The viewer for one results database. ``allowed_hosts`` adds Host names beyond IP
    literals and localhost (the name given to ``--host``); ``token`` is random by default."""
    path = Path(store_path)
    if not path.is_file():
        raise BadInput(f"结果库不存在 (results database not found): {path}; 先运行 scsafety run")
    token = token or secrets.token_urlsafe(32)
    app = web.Application(client_max_size=MAX_BODY, middlewares=[security_middleware(token, allowed_hosts)])
    app[TOKEN] = token
    app[STORE_PATH] = path
    app[ASSETS] = {name: _asset(name) for name in (*STATIC, "index.html")}
    app.on_startup.append(_open_store)
    app.on_cleanup.append(_close_store)
    app.router.add_get("/", index)
    app.router.add_get("/static/{name}", static)
    app.router.add_get("/favicon.ico", favicon)
    app.router.add_get("/api/runs", api_runs)
    app.router.add_get("/api/runs/{run_id}", api_run)
    app.router.add_get("/api/runs/{run_id}/conversations", api_conversations)
    app.router.add_post("/api/answers/{answer_id}/verdict", api_set_verdict)
    app.router.add_route("*", "/api/{tail:.*}", api_not_found)
    return app


async def favicon(request: web.Request) -> web.Response:
    return web.Response(status=204)


async def _open_store(app: web.Application) -> None:
    app[STORE] = Store(app[STORE_PATH], create=False)


async def _close_store(app: web.Application) -> None:
    app[STORE].close()


def _json(payload: Any, status: int = 200) -> web.Response:
    return web.Response(text=json.dumps(payload, ensure_ascii=False), status=status,
                        content_type="application/json", charset="utf-8")


def _error(status: int, message: str) -> web.Response:
    return _json({"error": message}, status)


async def index(request: web.Request) -> web.Response:
    page = request.app[ASSETS]["index.html"].replace("{{TOKEN}}", html.escape(request.app[TOKEN], quote=True))
    return web.Response(text=page, content_type="text/html", charset="utf-8")


async def static(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if name not in STATIC:
        raise web.HTTPNotFound()
    return web.Response(text=request.app[ASSETS][name], content_type=STATIC[name], charset="utf-8")


def _run_or_404(request: web.Request) -> str | None:
    run_id = request.match_info["run_id"]
    return run_id if request.app[STORE].get_run(run_id) is not None else None


async def api_runs(request: web.Request) -> web.Response:
    return _json({"runs": queries.list_runs(request.app[STORE])})


async def api_run(request: web.Request) -> web.Response:
    run_id = _run_or_404(request)
    if run_id is None:
        return _error(404, f"没有这个运行 (no such run): {request.match_info['run_id']!r}")
    return _json(queries.run_detail(request.app[STORE], run_id))


async def api_conversations(request: web.Request) -> web.Response:
    run_id = _run_or_404(request)
    if run_id is None:
        return _error(404, f"没有这个运行 (no such run): {request.match_info['run_id']!r}")
    try:
        f = queries.ConversationFilter.from_query(request.query)
        return _json(queries.conversations(request.app[STORE], run_id, f))
    except BadInput as exc:
        return _error(400, str(exc))


async def api_set_verdict(request: web.Request) -> web.Response:
    try:
        answer_id = int(request.match_info["answer_id"])
    except ValueError:
        return _error(400, "answer_id 必须是整数 (must be an integer)")
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):
        return _error(400, "请求体不是合法的 JSON (body is not valid JSON)")
    if not isinstance(body, dict):
        return _error(400, "请求体必须是 JSON 对象 (body must be an object)")
    score, reason, rater = body.get("score"), body.get("reason"), body.get("rater")
    if (reason is not None and not isinstance(reason, str)) or (rater is not None and not isinstance(rater, str)):
        return _error(400, "reason 和 rater 必须是字符串 (reason and rater must be strings)")
    store = request.app[STORE]
    if next(store.iter_rows("SELECT 1 FROM answers WHERE answer_id=?", (answer_id,)), None) is None:
        return _error(404, f"没有这个回答 (no such answer): {answer_id}")
    try:
        v = store.save_human_verdict(answer_id, score, reason, rater=rater)
    except BadInput as exc:
        return _error(400, str(exc))
    return _json({"answer_id": answer_id, "judge_id": v.judge_id,
                  "verdict": {"score": v.score, "reason": v.reason, "error": None, "human": True}})


async def api_not_found(request: web.Request) -> web.Response:
    return _error(404, f"没有这个接口 (no such endpoint): {request.method} {request.path}")


__all__ = ["TOKEN_HEADER", "create_app"]
