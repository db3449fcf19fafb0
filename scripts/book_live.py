"""The live traces on the website: their script once per page.

Loaded by ``_config.yml`` (``sphinx: local_extensions``), so every way of
building the book runs it.

A live trace's cell output (``d2lmini.live_trace_2d(...)``) carries its
own copy of the live-trace library, about 40 kB, in a
``<script data-d2lmini-live-lib="...">`` tag: a notebook output must work
alone (JupyterLab, Colab, where every output is its own frame). On the
website that would be one copy per trace (the momentum chapter has
three). When a page is written (``html-page-context``), :func:`one_copy`
takes the copies out of the page's body: the first becomes
``<script src="_static/d2lmini-live-HASH.js">``, a file holding that very
script (HASH: the first 12 hex digits of its sha256, so a changed library
gets a new name and no browser keeps a stale one), the others a one-line
call that mounts the traces that follow it. The library is the one the
page was executed with, never a copy from elsewhere; the execution cache
is keyed on every file of ``d2lmini`` (``scripts/book_execution.py``), so
it is the current one.

The same handler drops the state of kernel widgets
(``application/vnd.jupyter.widget-state+json``) that myst-nb would embed
when Jupyter Book itself executed a chapter: the site loads no widget
manager (``nb_ipywidgets_js: {}``), so the state would only weigh on the
page (``make book`` keeps it out of the cache already).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

LIB = re.compile(r'<script data-d2lmini-live-lib="[^"]*">(.*?)</script>',
                 re.S)
MOUNT = ("<script>window.d2lmini&&window.d2lmini.mountAll(document);"
         "</script>")
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def static_name(code: str) -> str:
    """The file name under ``_static`` of a library script."""
    return f"d2lmini-live-{hashlib.sha256(code.encode()).hexdigest()[:12]}.js"


def one_copy(body: str, outdir: Path, src: Any) -> str:
    """``body`` with its inline copies of the library replaced (see the
    module); writes the library to ``outdir/_static``. ``src(name)``
    gives the address of ``_static/name`` from the page."""
    seen: set[str] = set()

    def replace(match: re.Match) -> str:
        code = match.group(1)
        name = static_name(code)
        if name in seen:
            return MOUNT
        seen.add(name)
        path = outdir / "_static" / name
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(code, encoding="utf-8")
        return f'<script src="{src(name)}"></script>'

    return LIB.sub(replace, body)


def _on_page(app: Sphinx, pagename: str, templatename: str,
             context: dict[str, Any], doctree: Any) -> None:
    if app.builder.format != "html":
        return
    scripts = context.get("script_files")
    if isinstance(scripts, list):
        scripts[:] = [js for js in scripts if getattr(
            js, "attributes", {}).get("type") != WIDGET_STATE]
    body = context.get("body")
    if not body or "data-d2lmini-live-lib" not in body:
        return
    pathto = context["pathto"]
    context["body"] = one_copy(
        body, Path(app.outdir), lambda name: pathto(f"_static/{name}", 1))


def setup(app: Sphinx) -> dict[str, Any]:
    # After myst-nb's handler, which adds the page's widget state.
    app.connect("html-page-context", _on_page, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True,
            "version": "1"}
