"""The workbench as an ASGI application: the pages, the JSON API under ``/api/``, the static files, behind the guard.

Each route reads its request into plain values and hands them to
:mod:`jifen_dsl.workbench.api`, in a worker thread, one request at a time (the
checker was written for one command at a time). Every answer that is not a page
is JSON; every error is ``{"error": {"message": ..., "code": ...}}`` with its 4xx
status: a refusal of :mod:`~jifen_dsl.workbench.safety` or of the API, a
:class:`~jifen_dsl.errors.JifenError` (422, its rendered messages), a route or
method that does not exist (404, 405). Anything else is a bug: 500 with a
generic message, the traceback in the server's log only.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote, unquote

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from jifen_dsl.errors import JifenError
from jifen_dsl.messages import LANGUAGES, T, render
from jifen_dsl.workbench import api, trying
from jifen_dsl.workbench.safety import (
    JSON_LIMIT, LANG_COOKIE, UPLOAD_LIMIT, ApiError, Guard, Settings, error_body, new_token, request_language,
)
from jifen_dsl.workbench.words import SCRIPT_WORDS, words

__all__ = ["create_app", "HERE"]

HERE = Path(__file__).resolve().parent
EDITOR_BUNDLE = HERE / "static" / "editor" / "editor.js"
log = logging.getLogger("jifen.workbench")


def create_app(
    folder: str | os.PathLike[str],
    *,
    token: str | None = None,
    csrf: str | None = None,
    json_limit: int = JSON_LIMIT,
    upload_limit: int = UPLOAD_LIMIT,
    hosts: frozenset[str] | None = None,
) -> Guard:
    """The workbench over ``folder``, guarded (see :mod:`jifen_dsl.workbench.safety`); an ASGI application."""
    root = os.path.realpath(folder)
    if not os.path.isdir(root):
        raise NotADirectoryError(root)
    settings = Settings(root=root, token=token, csrf=csrf or new_token(), json_limit=json_limit, upload_limit=upload_limit, **({"hosts": hosts} if hosts is not None else {}))
    return Guard(_Workbench(settings).starlette(), settings)


class _Workbench:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.root = settings.root
        self.cohorts = threading.Lock()
        self.saves = threading.Lock()
        self.uploads = trying.Uploads()
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(HERE / "templates")),
            autoescape=jinja2.select_autoescape(("html",), default_for_string=True),
            undefined=jinja2.StrictUndefined,
        )

    def starlette(self) -> Starlette:
        routes = [
            Route("/", self.page(self.policies_page)),
            Route("/edit", self.page(self.edit_page)),
            Route("/compare", self.page(self.compare_page)),
            Route("/api/policies", self.answer(self.api_policies)),
            Route("/api/policy", self.answer(self.api_policy)),
            Route("/api/check", self.answer(self.api_check), methods=["POST"]),
            Route("/api/format", self.answer(self.api_format), methods=["POST"]),
            Route("/api/hover", self.answer(self.api_hover), methods=["POST"]),
            Route("/api/save", self.answer(self.api_save), methods=["POST"]),
            Route("/api/diff", self.answer(self.api_diff), methods=["POST"]),
            Route("/allocate", self.page(self.allocate_page)),
            Route("/seasons", self.page(self.seasons_page)),
            Route("/preview", self.page(self.preview_page)),
            Route("/api/allocate", self.answer(self.api_allocate), methods=["POST"]),
            Route("/api/seasons", self.answer(self.api_seasons)),
            Route("/api/preview", self.answer(self.api_preview), methods=["POST"]),
            Route("/try", self.page(self.try_page)),
            Route("/api/applicant-files", self.answer(self.api_applicant_files)),
            Route("/api/upload", self.answer(self.api_upload), methods=["POST"]),
            Route("/api/evaluate", self.answer(self.api_evaluate), methods=["POST"]),
            Route("/api/explain", self.answer(self.api_explain), methods=["POST"]),
            Route("/api/cases/save", self.answer(self.api_cases_save), methods=["POST"]),
            Route("/api/cases/check", self.answer(self.api_cases_check), methods=["POST"]),
            Route("/api/impact", self.answer(self.api_impact), methods=["POST"]),
            Mount("/static", app=StaticFiles(directory=str(HERE / "static")), name="static"),
        ]
        return Starlette(routes=routes, exception_handlers={HTTPException: self.http_error})

    # ------------------------------------------------------------ answering

    async def run(self, function: Callable[..., Any], *args: Any, lane: threading.Lock | None = None, **kwargs: Any) -> Any:
        """``function`` in a worker thread; with a ``lane``, one at a time in that lane.

        Work on one policy text (check, format, hover, diff, reading pages) runs
        at once in as many threads as ask: it takes milliseconds, and a person
        typing must never wait behind someone's allocation. Work on a cohort
        (evaluate, explain, allocate, impact, preview, cases) runs one at a time
        in ``self.cohorts``, which bounds the memory a cohort's columns take. A
        save runs one at a time in ``self.saves``, so two saves of a file
        cannot interleave their check and their write.
        """
        if lane is None:
            return await run_in_threadpool(function, *args, **kwargs)

        def in_lane() -> Any:
            with lane:
                return function(*args, **kwargs)

        return await run_in_threadpool(in_lane)

    def answer(self, handler: Callable[[Request], Any]) -> Callable[[Request], Any]:
        """A JSON route: the handler's dict, or the error it met as JSON."""
        async def endpoint(request: Request) -> Response:
            lang = _language(request)
            try:
                return _json(await handler(request))
            except ApiError as exc:
                return _json(exc.body(lang), exc.status)
            except JifenError as exc:
                return _json(error_body(_relative(self.root, exc.render()), "policy_error", lang), 422)
            except Exception:  # a bug: said plainly, the traceback kept for the log
                log.exception("unexpected error answering %s %s", request.method, request.url.path)
                return _json(error_body(T("internal error; the server's log has the details"), "internal", lang), 500)
        return endpoint

    def page(self, handler: Callable[[Request, str], Any]) -> Callable[[Request], Any]:
        """An HTML page in the request's language; ``?lang=`` is remembered in a cookie."""
        async def endpoint(request: Request) -> Response:
            lang = _language(request)
            try:
                response = await handler(request, lang)
            except ApiError as exc:
                response = self.render("error.html", request, lang, status=exc.status, message=render(exc.message, lang))
            except Exception:
                log.exception("unexpected error showing %s", request.url.path)
                response = self.render("error.html", request, lang, status=500, message=render(T("internal error; the server's log has the details"), lang))
            if request.query_params.get("lang") in LANGUAGES:
                response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="strict", httponly=True)
            return response
        return endpoint

    async def http_error(self, request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 500)
        lang = _language(request)
        if status == 404:
            return _json(error_body(T("no such page or route: {path}", path=request.url.path), "not_found", lang), 404)
        if status == 405:
            return _json(error_body(T("{method} is not allowed here", method=request.method), "method_not_allowed", lang), 405)
        return _json(error_body(str(getattr(exc, "detail", "")), "http_error", lang), status)

    def render(self, template: str, request: Request, lang: str, status: int = 200, **values: Any) -> HTMLResponse:
        other = "en" if lang == "zh" else "zh"
        query = {k: v for k, v in request.query_params.items() if k not in ("lang", "token")}
        toggle = request.url.path + "?" + "&".join(f"{quote(k)}={quote(v)}" for k, v in {**query, "lang": other}.items())
        html = self.templates.get_template(template).render(
            lang=lang, w=words(lang), csrf=self.settings.csrf, toggle=toggle, other=other,
            html_lang="zh-CN" if lang == "zh" else "en", status=status, **values,
        )
        return HTMLResponse(html, status_code=status)

    # ------------------------------------------------------------ pages

    async def policies_page(self, request: Request, lang: str) -> Response:
        found = await self.run(api.list_policies, self.root)
        return self.render("policies.html", request, lang, folder=found["root"], policies=found["policies"])

    async def edit_page(self, request: Request, lang: str) -> Response:
        path = request.query_params.get("path")
        policy = await self.run(api.read_policy, self.root, path)
        return self.render(
            "edit.html", request, lang, path=policy["path"], text=policy["text"], editor_bundle=EDITOR_BUNDLE.is_file(),
            script_words=json.dumps(words(lang, SCRIPT_WORDS), ensure_ascii=False).replace("<", "\\u003c"),
        )

    async def compare_page(self, request: Request, lang: str) -> Response:
        from jifen_dsl.workbench import compare

        query = request.query_params
        cw = words(lang, compare.PAGE_WORDS)
        if not query.get("path"):
            return self.render("compare.html", request, lang, cw=cw, page=None, choices=await self.run(compare.policy_paths, self.root))
        page = await self.run(compare.compare_page, self.root, query.get("path"), query.get("with"), lang)
        return self.render(
            "compare.html", request, lang, cw=cw, page=page, choices=[], data_files=await self.run(compare.data_files, self.root),
            applicants=query.get("applicants", ""), schools=query.get("schools", ""),
            script_words=json.dumps(words(lang, compare.SCRIPT_WORDS), ensure_ascii=False).replace("<", "\\u003c"),
        )

    # ------------------------------------------------------------ the API

    async def api_policies(self, request: Request) -> dict:
        return await self.run(api.list_policies, self.root)

    async def api_policy(self, request: Request) -> dict:
        return await self.run(api.read_policy, self.root, _required(dict(request.query_params), "path"))

    async def api_check(self, request: Request) -> dict:
        body = await _body(request)
        return await self.run(api.check, self.root, _required(body, "path"), _required(body, "text"), _lang_asked(request))

    async def api_format(self, request: Request) -> dict:
        body = await _body(request)
        return await self.run(api.format_policy, self.root, _required(body, "path"), _required(body, "text"), body.get("to"), _lang_asked(request))

    async def api_hover(self, request: Request) -> dict:
        body = await _body(request)
        return await self.run(
            api.hover, self.root, _required(body, "path"), _required(body, "text"), _required(body, "line"), _required(body, "column"), _lang_asked(request),
        )

    async def api_save(self, request: Request) -> dict:
        body = await _body(request)
        return await self.run(api.save, self.root, _required(body, "path"), _required(body, "text"), _lang_asked(request), lane=self.saves)

    async def api_impact(self, request: Request) -> dict:
        from jifen_dsl.workbench import compare

        body = await _body(request)
        return await self.run(
            compare.impact_of_edit, self.root, _required(body, "path"), _required(body, "text"), _required(body, "applicants"),
            body.get("schools"), body.get("evidence"), _lang_asked(request), lane=self.cohorts,
        )

    async def api_diff(self, request: Request) -> dict:
        body = await _body(request)
        if "a" in body or "b" in body:
            return await self.run(api.diff_paths, self.root, _required(body, "a"), _required(body, "b"), _lang_asked(request))
        return await self.run(api.diff_text, self.root, _required(body, "path"), _required(body, "text"), _lang_asked(request))

    # ------------------------------------------------------------ Try (see trying.py)

    async def try_page(self, request: Request, lang: str) -> Response:
        path = request.query_params.get("path") or None
        policy = await self.run(api.read_policy, self.root, path) if path else None
        policies = await self.run(api._policy_files, self.root)
        return self.render(
            "try.html", request, lang, path=path, text=policy["text"] if policy else "", policies=policies, t=trying.describe(lang, trying.WORDS),
            script_words=json.dumps(trying.describe(lang, trying.SCRIPT_WORDS), ensure_ascii=False).replace("<", "\\u003c"),
        )

    async def api_applicant_files(self, request: Request) -> dict:
        return await self.run(trying.applicant_files, self.root, request.query_params.get("path") or None)

    async def api_upload(self, request: Request) -> dict:
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind == "multipart/form-data":
            try:
                form = await request.form(max_files=1, max_fields=10, max_part_size=self.settings.upload_limit)
            except Exception:  # a body that is not multipart as it says
                raise ApiError(400, "bad_upload", T("the upload is not a readable multipart/form-data body")) from None
            upload = form.get("file")
            if upload is None or isinstance(upload, str):
                raise ApiError(422, "missing_field", T("the request lacks the field {name}", name="file"))
            name, data = upload.filename, await upload.read()
        else:
            name, data = unquote(request.headers.get("x-filename", "")), await request.body()
        return await self.run(self.uploads.store, name, data)

    async def api_evaluate(self, request: Request) -> dict:
        body = await _body(request)
        return await self.run(trying.evaluate, self.root, self.uploads, _required(body, "path"), body.get("text"), _required(body, "applicants"), _lang_asked(request), lane=self.cohorts)

    async def api_explain(self, request: Request) -> dict:
        body = await _body(request)
        return await self.run(
            trying.explain, self.root, self.uploads, _required(body, "path"), body.get("text"), _required(body, "applicants"), _required(body, "id"), _lang_asked(request), lane=self.cohorts,
        )

    async def api_cases_save(self, request: Request) -> dict:
        body = await _body(request)
        return await self.run(
            trying.save_case, self.root, self.uploads, _required(body, "path"), _required(body, "applicants"), _required(body, "id"), body.get("text"), _lang_asked(request), lane=self.cohorts,
        )

    async def api_cases_check(self, request: Request) -> dict:
        body = await _body(request)
        return await self.run(trying.check_cases, self.root, _required(body, "path"), body.get("text"), _lang_asked(request), lane=self.cohorts)

    # ------------------------------------------------------------ allocation, seasons, public list

    async def allocate_page(self, request: Request, lang: str) -> Response:
        from jifen_dsl.workbench.allocating import page_words

        path = request.query_params.get("path") or ""
        return self.render("allocate.html", request, lang, path=path, pw=page_words(lang), script_words=_script_json(page_words(lang)))

    async def seasons_page(self, request: Request, lang: str) -> Response:
        from jifen_dsl.workbench.allocating import page_words
        from jifen_dsl.workbench.seasons import list_seasons

        found = await self.run(list_seasons, self.root)
        return self.render("seasons.html", request, lang, seasons=found["seasons"], pw=page_words(lang))

    async def preview_page(self, request: Request, lang: str) -> Response:
        from jifen_dsl.workbench.allocating import page_words, preview_policy

        query = request.query_params
        words_ = page_words(lang)
        response = self.render(
            "preview.html", request, lang, pw=words_, script_words=_script_json(words_),
            source=_script_json({k: query.get(k) for k in ("run", "policy", "path", "applicants", "schools", "kind") if query.get(k)}),
        )
        response.headers["content-security-policy"] = preview_policy()
        return response

    async def api_allocate(self, request: Request) -> dict:
        from jifen_dsl.workbench.allocating import allocate

        body = await _body(request)
        return await self.run(allocate, self.root, _required(body, "path"), _required(body, "applicants"), _required(body, "schools"), body.get("text"), _lang_asked(request), lane=self.cohorts)

    async def api_seasons(self, request: Request) -> dict:
        from jifen_dsl.workbench.seasons import list_seasons

        return await self.run(list_seasons, self.root)

    async def api_preview(self, request: Request) -> dict:
        from jifen_dsl.workbench.allocating import preview

        body = await _body(request)
        if body.get("run") is None:
            for name in ("path", "applicants", "schools"):
                _required(body, name)
        return await self.run(
            preview, self.root, body.get("kind", "admission"), body.get("run"), body.get("policy"),
            body.get("path"), body.get("applicants"), body.get("schools"), body.get("text"), _lang_asked(request), lane=self.cohorts,
        )


def _script_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


def _language(request: Request) -> str:
    return request_language(dict(request.query_params), dict(request.cookies))


def _lang_asked(request: Request) -> str | None:
    """The language of messages asked for with ``?lang=``; None: the policy's own."""
    asked = request.query_params.get("lang")
    if asked is not None and asked not in LANGUAGES:
        raise ApiError(400, "bad_lang", T("lang is en or zh"))
    return asked


async def _body(request: Request) -> dict[str, Any]:
    """The request's JSON object; 415 for another kind of body, 400 for JSON that does not parse or is not an object."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        raise ApiError(415, "not_json", T("send the request's body as JSON (Content-Type: application/json)"))
    raw = await request.body()
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ApiError(400, "bad_json", T("the request's body is not valid JSON")) from None
    if not isinstance(body, dict):
        raise ApiError(400, "bad_json", T("the request's body must be a JSON object"))
    return body


def _required(body: dict[str, Any], name: str) -> Any:
    if name not in body or body[name] is None:
        raise ApiError(422, "missing_field", T("the request lacks the field {name}", name=name))
    return body[name]


def _json(body: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers={"cache-control": "no-store"})


def _relative(root: str, text: str) -> str:
    return text.replace(root + os.sep, "")
