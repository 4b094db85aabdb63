"""What keeps the served folder safe: the access token, the CSRF token, paths confined to the folder, bounded request bodies.

- **Host.** Served without an access token, the workbench answers only requests
  addressed to a loopback name (``127.0.0.1``, ``localhost``, ``[::1]``): a web
  page whose own name was made to point at this machine (DNS rebinding) gets 403.
- **Access token.** When the server was started with a token (``--token``, required
  on any address but loopback), every request carries it: the header
  ``Authorization: Bearer TOKEN``, or the cookie set by a first visit to a page
  with ``?token=TOKEN`` (the page then reloads without it in its address).
- **CSRF token.** Every request that changes something (POST, PUT, PATCH, DELETE)
  carries the server's CSRF token in the header ``X-CSRF-Token``: a random value
  made when the server starts and written into each page (``<meta name="csrf-token">``),
  which another site's page cannot read. Tokens are compared in constant time.
- **Paths** (:func:`confine`) are relative to the served folder: no absolute
  path, no ``..``, nothing that resolves (through symbolic links) outside it, and
  only ``.jifen`` files where a policy is meant.
- **Bodies** are bounded: :data:`UPLOAD_LIMIT` for an upload (to :data:`UPLOAD_ROUTE`,
  ``multipart/form-data`` or the file's raw bytes), :data:`JSON_LIMIT` for any other,
  by their declared length before anything is read and by the bytes read
  otherwise; past it, 413.

Every refusal is JSON, ``{"error": {"message": ..., "code": ...}}``, in the
language of the request (:func:`request_language`).
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import os
import secrets
from http.cookies import SimpleCookie
from typing import Any, Awaitable, Callable
from urllib.parse import parse_qsl, urlencode

import attrs

from jifen_dsl.messages import LANGUAGES, Message, T, render

__all__ = [
    "JSON_LIMIT", "UPLOAD_LIMIT", "TOKEN_COOKIE", "LANG_COOKIE", "CSRF_HEADER", "ApiError", "Settings", "Guard",
    "confine", "is_loopback", "request_language", "error_body", "new_token",
]

JSON_LIMIT = 10 * 1024 * 1024
UPLOAD_LIMIT = 60 * 1024 * 1024
UPLOAD_ROUTE = "/api/upload"
TOKEN_COOKIE = "jifen_token"
LANG_COOKIE = "jifen_lang"
CSRF_HEADER = "x-csrf-token"
SUFFIX = ".jifen"
_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


class ApiError(Exception):
    """A request refused: its HTTP status, a stable code, a message (put into words in the request's language) and more fields."""

    def __init__(self, status: int, code: str, message: Message | str, **extra: Any):
        super().__init__(render(message, "en"))
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra

    def body(self, lang: str) -> dict[str, Any]:
        return error_body(self.message, self.code, lang, **self.extra)


def error_body(message: Message | str, code: str, lang: str, **extra: Any) -> dict[str, Any]:
    """The JSON of every error: ``{"error": {"message": ..., "code": ..., ...}}``."""
    return {"error": {"message": render(message, lang), "code": code, **extra}}


def new_token() -> str:
    """A fresh random token (for the CSRF token, or an access token made up on the spot)."""
    return secrets.token_urlsafe(32)


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address) is this machine only."""
    name = host.strip().strip("[]").lower()
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


@attrs.frozen
class Settings:
    """How one server guards its folder."""

    root: str  # the served folder, resolved
    token: str | None = None
    csrf: str = attrs.field(factory=new_token)
    json_limit: int = JSON_LIMIT
    upload_limit: int = UPLOAD_LIMIT
    # Host names answered without a token (with a token, any: the token is the guard).
    hosts: frozenset[str] = _LOOPBACK_NAMES


# ------------------------------------------------------------------ paths


def confine(root: str, relative: Any, *, policy: bool = True) -> tuple[str, str]:
    """``relative`` checked against the served folder ``root`` (resolved): (the path as given, normalised with '/', the resolved path).

    Raise :class:`ApiError` for a path that is not a relative path inside the
    folder - absolute, with ``..``, leading out through a symbolic link - or,
    with ``policy``, that does not end in ``.jifen``.
    """
    if not isinstance(relative, str) or not relative.strip():
        raise ApiError(400, "bad_path", T("give a path inside the served folder"))
    if "\0" in relative or len(relative) > 4096:
        raise ApiError(400, "bad_path", T("the path {path} cannot be used", path=relative[:200].replace("\0", "")))
    parts = relative.replace("\\", "/").split("/")
    if relative.startswith(("/", "\\")) or os.path.isabs(relative) or (len(parts[0]) >= 2 and parts[0][1] == ":"):
        raise ApiError(403, "path_outside", T("{path} is an absolute path; give a path inside the served folder", path=relative))
    if ".." in parts:
        raise ApiError(403, "path_outside", T("{path} leads out of the served folder", path=relative))
    shown = "/".join(p for p in parts if p not in ("", "."))
    if not shown:
        raise ApiError(400, "bad_path", T("give a path inside the served folder"))
    if policy and not shown.endswith(SUFFIX):
        raise ApiError(400, "not_a_policy", T("{path} is not a policy file (.jifen)", path=shown))
    real = os.path.realpath(os.path.join(root, *shown.split("/")))
    if not _inside(real, root):
        raise ApiError(403, "path_outside", T("{path} leads out of the served folder through a symbolic link", path=shown))
    if policy and not real.endswith(SUFFIX):
        raise ApiError(400, "not_a_policy", T("{path} is not a policy file (.jifen)", path=shown))
    return shown, real


def _inside(path: str, root: str) -> bool:
    path, root = os.path.normcase(path), os.path.normcase(root)
    try:
        return os.path.commonpath([path, root]) == root
    except ValueError:
        return False


# ------------------------------------------------------------------ the request's language

def _headers(scope: dict) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", ())}


def _cookies(headers: dict[str, str]) -> dict[str, str]:
    cookie = SimpleCookie()
    try:
        cookie.load(headers.get("cookie", ""))
    except Exception:  # a malformed cookie header is no cookie
        return {}
    return {k: m.value for k, m in cookie.items()}


def _query(scope: dict) -> dict[str, str]:
    return dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))


def request_language(query: dict[str, str], cookies: dict[str, str]) -> str:
    """The language a request is answered in: ``?lang=``, else the cookie the toggle set, else Chinese."""
    for asked in (query.get("lang"), cookies.get(LANG_COOKIE)):
        if asked in LANGUAGES:
            return asked
    return "zh"


# ------------------------------------------------------------------ the guard

Scope = dict
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]


# Sent with every answer: no framing, no sniffing, no referrer; scripts only from the server itself.
_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy", b"default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
     b"frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
]


class Guard:
    """ASGI middleware in front of the application: host, access token, CSRF token and body limits, in that order."""

    def __init__(self, app: Callable, settings: Settings):
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = self.settings
        headers = _headers(scope)
        query = _query(scope)
        cookies = _cookies(headers)
        lang = request_language(query, cookies)

        async def refuse(status: int, code: str, message: Message) -> None:
            await _send_json(send, status, error_body(message, code, lang))

        if settings.token is None and _host_name(headers.get("host", "")) not in settings.hosts:
            await refuse(403, "bad_host", T("this server answers only at its loopback address"))
            return
        if settings.token is not None:
            given = _token_given(headers, cookies)
            from_query = query.get("token")
            if given is None or not _same(given, settings.token):
                if from_query is not None and _same(from_query, settings.token):
                    if scope["method"] == "GET" and not scope["path"].startswith("/api/"):
                        # Keep the token out of the address bar and the history: set the cookie, drop it from the address.
                        rest = urlencode([(k, v) for k, v in parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True) if k != "token"])
                        location = scope["path"] + ("?" + rest if rest else "")
                        await _send_redirect(send, location, settings.token)
                        return
                else:
                    code = "token_missing" if given is None and from_query is None else "token_invalid"
                    await refuse(401, code, T("this server needs its access token: the header Authorization: Bearer TOKEN, or ?token=TOKEN once"))
                    return
        if scope["method"] in _CHANGING:
            sent = headers.get(CSRF_HEADER)
            if sent is None:
                await refuse(403, "csrf_missing", T("the request has no CSRF token (header X-CSRF-Token); reload the page"))
                return
            if not _same(sent, settings.csrf):
                await refuse(403, "csrf_invalid", T("the request's CSRF token is not this server's; reload the page"))
                return
        # An upload (multipart or its raw bytes) may be as large as the upload limit; any other body, the JSON limit.
        limit = settings.upload_limit if scope["path"] == UPLOAD_ROUTE else settings.json_limit
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                await refuse(400, "bad_length", T("the request's Content-Length is not a number"))
                return
            if int(declared) > limit:
                await refuse(413, "too_large", _too_large(limit))
                return
        # The body is read here, within its limit, before the application sees any of it.
        body: list[bytes] = []
        read = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            read += len(chunk)
            if read > limit:
                await refuse(413, "too_large", _too_large(limit))
                return
            body.append(chunk)
            more = message.get("more_body", False)
        replayed = False

        async def replay() -> dict:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(body), "more_body": False}
            return await receive()

        async def guarded_send(message: dict) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", ())}
                message = {**message, "headers": list(message.get("headers", ())) + [h for h in _HEADERS if h[0] not in present]}
            await send(message)

        await self.app(scope, replay, guarded_send)


def _too_large(limit: int) -> Message:
    size = format(limit / (1024 * 1024), "g")
    return T("the request is larger than this server takes ({size} MiB)", size=size)


def _host_name(host: str) -> str:
    """The name in a Host header, without its port (and without the brackets of an IPv6 address)."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _token_given(headers: dict[str, str], cookies: dict[str, str]) -> str | None:
    authorization = headers.get("authorization", "")
    if authorization[:7].lower() == "bearer ":
        return authorization[7:].strip()
    return cookies.get(TOKEN_COOKIE)


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8", "surrogateescape"), b.encode("utf-8", "surrogateescape"))


async def _send_json(send: Send, status: int, body: dict) -> None:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(data)).encode()),
        (b"cache-control", b"no-store"),
    ]})
    await send({"type": "http.response.body", "body": data})


async def _send_redirect(send: Send, location: str, token: str) -> None:
    cookie = f"{TOKEN_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
    await send({"type": "http.response.start", "status": 303, "headers": [
        (b"location", location.encode("latin-1", "replace")), (b"set-cookie", cookie.encode("latin-1")),
        (b"content-length", b"0"), (b"cache-control", b"no-store"),
    ]})
    await send({"type": "http.response.body", "body": b""})
