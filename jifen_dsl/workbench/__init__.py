"""The workbench (``jifen serve``): a local web application where staff open a policy, edit it, check it and save it.

``api`` answers every request from plain values (a folder, a path, a text) with
plain dicts, without HTTP: the policies found, a text's diagnostics, its
formatted text, a hover, a save and a clause diff. ``safety`` holds what keeps
the served folder and its files safe: the access token, the CSRF token, the
paths confined to the folder and the limits on request bodies. ``app`` is the
starlette application - routes, pages (Jinja2 templates in ``templates/``,
files in ``static/``) and the one place an error becomes a JSON answer - and
``server`` runs it with uvicorn. ``words`` is the text of the pages, in the
message catalogs.

Starlette and Jinja2 are imported only here, uvicorn only by ``server``.

May import: :mod:`jifen_dsl.lsp` and every room below it. Only :mod:`jifen_dsl.cli` imports it.
"""
