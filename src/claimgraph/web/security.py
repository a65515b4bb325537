"""Request guards for the web app, as one ASGI middleware.

- security headers on every response (Content-Security-Policy with script-src 'self');
- an access token on every request when one is configured (header, or a cookie set by ?token=);
- a Host check against DNS rebinding when the server is only for this machine;
- CSRF: a write request must carry the X-Claimgraph-CSRF header or come from our own origin;
- request bodies are size-limited (413), whether or not Content-Length is sent.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

Scope = MutableMapping[str, Any]  # as Starlette types them
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
TOKEN_COOKIE = "claimgraph_token"
CSRF_HEADER = "x-claimgraph-csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The methods a route may write on. Any other (TRACE, PROPFIND, …) is answered by the app's 405
# with its Allow header, never by a write: the CSRF check has nothing to protect there.
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True, kw_only=True)
class GuardOptions:
    token: str | None = None  # required on every request when set
    allowed_hosts: tuple[str, ...] | None = LOOPBACK_HOSTS  # None: any Host header (a token protects)
    max_body_bytes: int = 1_000_000  # JSON and form bodies
    max_upload_bytes: int = 20_000_000  # multipart uploads
    upload_paths: tuple[str, ...] = ("/api/documents", "/upload")


class _TooLarge(Exception):
    pass


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _host_name(host: str) -> str:
    if host.startswith("["):
        return host[1 : host.find("]")]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class Guard:
    """The ASGI middleware that applies GuardOptions to every HTTP request."""

    def __init__(self, app: ASGIApp, options: GuardOptions) -> None:
        self.app = app
        self.options = options

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        api = scope["path"].startswith("/api/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": list(message.get("headers", [])) + SECURITY_HEADERS}
            await send(message)

        refusal = self._refuse(scope, headers)
        if refusal is not None:
            status, text = refusal
            await _error(send_with_headers, status, text, api=api)
            return
        if self.options.token and scope["method"] == "GET" and "token=" in scope.get("query_string", b"").decode("latin-1"):
            await self._set_cookie_and_redirect(scope, send_with_headers)
            return
        limit = self.options.max_upload_bytes + 100_000 if scope["path"] in self.options.upload_paths else self.options.max_body_bytes
        declared = headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            await _error(send_with_headers, 413, f"request body of {declared} bytes is over the limit of {limit} bytes", api=api)
            return
        if not declared and scope["method"] not in SAFE_METHODS:
            # No Content-Length (chunked): read the body up to the limit before the app sees it,
            # so an oversized body is a clean 413 rather than a parse error deep in the app.
            buffered: list[Message] = []
            total = 0
            while True:
                message = await receive()
                buffered.append(message)
                if message["type"] != "http.request":
                    break
                total += len(message.get("body", b""))
                if total > limit:
                    await _error(send_with_headers, 413, f"request body is over the limit of {limit} bytes", api=api)
                    return
                if not message.get("more_body", False):
                    break
            original = receive

            async def replay() -> Message:
                return buffered.pop(0) if buffered else await original()

            receive = replay
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send_with_headers(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not started:
                await _error(send_with_headers, 413, f"request body is over the limit of {limit} bytes", api=api)

    def _refuse(self, scope: Scope, headers: dict[str, str]) -> tuple[int, str] | None:
        options = self.options
        host = headers.get("host", "")
        if options.allowed_hosts is not None and _host_name(host) not in options.allowed_hosts:
            return 421, f"this server answers only to {', '.join(options.allowed_hosts)}, not Host {host!r}"
        if options.token and not self._has_token(scope, headers):
            return 401, "an access token is required: send 'Authorization: Bearer TOKEN' or open /?token=TOKEN once"
        if scope["method"] in WRITE_METHODS and not self._same_origin(scope, headers):
            return 403, (
                "cross-site write refused: send the X-Claimgraph-CSRF: 1 header, "
                "or submit from a page of this server"
            )
        return None

    def _has_token(self, scope: Scope, headers: dict[str, str]) -> bool:
        token = self.options.token or ""
        offered = [
            headers.get("authorization", "").removeprefix("Bearer ").strip(),
            headers.get("x-claimgraph-token", ""),
        ]
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:  # noqa: BLE001 - a malformed cookie header is simply no token
            pass
        if TOKEN_COOKIE in cookie:
            offered.append(cookie[TOKEN_COOKIE].value)
        if scope["method"] == "GET":
            offered += [v for k, v in parse_qsl(scope.get("query_string", b"").decode("latin-1")) if k == "token"]
        return any(value and hmac.compare_digest(value.encode(), token.encode()) for value in offered)

    def _same_origin(self, scope: Scope, headers: dict[str, str]) -> bool:
        if headers.get(CSRF_HEADER):
            return True  # a cross-site page cannot set a custom header without a CORS preflight we never grant
        own = headers.get("host", "")
        for name in ("origin", "referer"):
            value = headers.get(name)
            if value and value != "null":
                return urlsplit(value).netloc == own
        return False

    async def _set_cookie_and_redirect(self, scope: Scope, send: Send) -> None:
        query = [(k, v) for k, v in parse_qsl(scope.get("query_string", b"").decode("latin-1")) if k != "token"]
        location = "/" + scope["path"].lstrip("/\\") + ("?" + urlencode(query) if query else "")  # never "//host"
        token = self.options.token or ""
        cookie = f"{TOKEN_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
        await send({"type": "http.response.start", "status": 303, "headers": [
            (b"location", location.encode("latin-1")), (b"set-cookie", cookie.encode("latin-1")), (b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})


async def _error(send: Send, status: int, message: str, *, api: bool) -> None:
    if api:
        body = json.dumps({"error": {"status": status, "message": message}}).encode()
        kind = b"application/json"
    else:
        from html import escape

        body = (
            f"<!doctype html><html lang=en><meta charset=utf-8><title>{status}</title>"
            f"<h1>{status}</h1><p>{escape(message)}</p></html>"
        ).encode()
        kind = b"text/html; charset=utf-8"
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
