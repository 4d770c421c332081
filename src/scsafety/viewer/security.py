"""The viewer's defences: the page is local, but the answers it shows are hostile and the
browser showing them also visits other sites.

- Every response carries a strict Content-Security-Policy (scripts and styles only from
  this origin, no inline code, no plugins, no framing) and ``nosniff``, so that even a
  rendering bug could not run a model's ``<script>``.
- Every request must name this machine in its Host header (an IP literal or localhost):
  a DNS-rebinding page, whose Host is its own domain, is refused before any handler runs.
- A request that changes the store needs the per-server token from the page (sent as a
  custom header, which a cross-site form cannot send and a cross-site fetch cannot send
  without a CORS pre-flight that is never granted), a JSON body, and an Origin (when
  the browser sends one) equal to this server.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
from collections.abc import Awaitable, Callable, Iterable

from aiohttp import web

TOKEN_HEADER = "X-SCSafety-Token"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "no-store",
}
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def host_name(host_header: str) -> str:
    """The name part of a Host header: ``[::1]:8787`` → ``::1``, ``localhost:80`` → ``localhost``."""
    value = host_header.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else value
    if value.count(":") == 1:
        return value.split(":", 1)[0]
    return value


def host_allowed(host_header: str | None, extra: Iterable[str] = ()) -> bool:
    """IP literals and localhost are allowed (a rebinding attack needs a domain name), and
    any name the user explicitly bound with ``--host``."""
    if not host_header:
        return False
    name = host_name(host_header)
    if name == "localhost" or name in {h.lower() for h in extra}:
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def refuse(status: int, message: str) -> web.Response:
    return web.Response(text=json.dumps({"error": message}, ensure_ascii=False), status=status,
                        content_type="application/json", charset="utf-8", headers=SECURITY_HEADERS)


def write_refusal(request: web.Request, token: str) -> str | None:
    """Why a state-changing request must be refused, or None when it comes from our page."""
    sent = request.headers.get(TOKEN_HEADER, "")
    if not sent or not hmac.compare_digest(sent.encode(), token.encode()):
        return f"缺少或错误的 {TOKEN_HEADER} (missing or wrong anti-CSRF token)"
    origin = request.headers.get("Origin")
    if origin is not None and origin != f"{request.scheme}://{request.host}":
        return f"跨站请求被拒绝 (cross-site request refused): Origin {origin!r}"
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site != "same-origin":
        return f"跨站请求被拒绝 (cross-site request refused): Sec-Fetch-Site {site!r}"
    if request.content_type != "application/json":
        return "请求体必须是 application/json (body must be JSON)"
    return None


def security_middleware(token: str, allowed_hosts: Iterable[str] = ()) -> Callable[..., Awaitable[web.StreamResponse]]:
    extra = tuple(allowed_hosts)

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not host_allowed(request.headers.get("Host"), extra):
            return refuse(421, "Host 不被接受 (unexpected Host header; open the viewer by its IP address)")
        if request.method in UNSAFE_METHODS:
            why = write_refusal(request, token)
            if why is not None:
                return refuse(403, why)
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            if request.path.startswith("/api/"):
                return refuse(exc.status, exc.reason)
            exc.headers.update(SECURITY_HEADERS)
            raise
        response.headers.update(SECURITY_HEADERS)
        return response

    return middleware
