"""Exercises answered in the page, and the reader's progress.

Loaded by ``_config.yml`` (``sphinx: local_extensions``), so every way of
building the book runs it.

An exercise cell ends with ``d2l.check("chapter.name", answer)``; the
website shows it unanswered, so its output is the yellow "Not yet ... no
answer yet" box of :class:`d2lmini.checks.Feedback`. When a page is
written (``html-page-context``), :func:`answer_boxes` replaces that
output, the code cell staying as it is:

- for a check whose data :mod:`d2lmini.checks` exports (its answer is a
  number, numbers, a choice or a short text), by an answer box: a
  labelled input, a Check button (Enter works too) and a verdict region
  (``aria-live``) that shows what ``window.d2lmini.check(name, answer)``
  returns, the same verdict and hint as ``d2l.check`` in a kernel;
- for a check whose answer is a function (the cell's placeholder is a
  function, so the unanswered verdict asks for its body), by one line
  saying where to run it;
- a check that is neither stays as it is.

The page then carries the data of its own checks only, in
``<script type="application/json" id="d2lmini-checks-data">``, and the
boxes' script ``scripts/book_exercises.js`` as
``_static/d2lmini-exercises-HASH.js`` (HASH: the first 12 hex digits of
its sha256, as ``scripts/book_live.py`` does, so a browser never keeps a
stale copy; 4 kB). The generic evaluator ``d2lmini/js/checks.js`` (16 kB)
is written as ``_static/d2lmini-checks-HASH.js`` and loaded by that script
once the page is ready (it sets ``window.d2lmini.check(name, answer)``
for the boxes, for tests and for readers' own scripts); both are
stripped of comments and indentation (:func:`strip`). No request for
data, so it all works from ``file://``; pages without an exercise box
load neither. Before the first exercise of
the Exercises section (the section of the first checked exercise), a line
counts the exercises passed in this browser; the front page (the root
document) gets the same count for every chapter of the table of contents,
in place of ``<div id="d2lmini-progress"></div>`` (intro.md), with a
"Reset progress" button. The counts are filled in, and the answers kept,
by the script (``localStorage``, key ``d2lmini:exercises``); the page
only says which checks there are.

Counting. A chapter's count covers the exercises answered in the page
only: a function cannot be checked there, so a passed code exercise
cannot be recorded. The line says so and gives the number of code
exercises left to a notebook.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

# The output of d2l.check on an unanswered cell
# (d2lmini.checks.Feedback._repr_html_ of check()'s "no answer yet").
UNANSWERED = re.compile(
    r'<div class="d2lmini-feedback d2lmini-feedback-not-yet"[^>]*>'
    r'<strong>Not yet</strong> <code[^>]*>(?P<name>[^<]*)</code>: '
    r'no answer yet<br><em>Hint:</em> (?P<hint>[^<]*)</div>')
# check()'s hint when the placeholder is a function whose body is `...`.
FUNCTION_HINT = "write the body of your function"
EXERCISE = re.compile(r'<div class="exercise[ "][^>]*>')
CAPTION = re.compile(r'<span class="caption-number">([^<]*)</span>')
H2_END = "</h2>"
PLACEHOLDER = '<div id="d2lmini-progress"></div>'
DATA_ID = "d2lmini-checks-data"

CODE_NOTE = (
    '<p class="d2lmini-answer-code">The answer here is code: run this '
    "cell in a notebook (the launch or download button at the top of the "
    "page, or <code>make lab</code> in a checkout of the book).</p>")


class Check(NamedTuple):
    """An unanswered check cell of a page: its name, whether its answer
    is a function, and the exercise it belongs to ("Exercise 1.2 ")."""

    name: str
    function: bool
    exercise: str


def find_checks(body: str) -> list[Check]:
    """The unanswered check cells of ``body``, in page order."""
    found = []
    for match in UNANSWERED.finditer(body):
        found.append(Check(
            html.unescape(match.group("name")),
            html.unescape(match.group("hint")).startswith(FUNCTION_HINT),
            _exercise_caption(body, match.start())))
    return found


def _exercise_caption(body: str, end: int) -> str:
    """The caption ("Exercise 1.2") of the last exercise that starts
    before ``end``, or ``""``."""
    starts = [m.end() for m in EXERCISE.finditer(body, 0, end)]
    if not starts:
        return ""
    caption = CAPTION.search(body, starts[-1], end)
    return " ".join(caption.group(1).split()) if caption else ""


def _dom_id(name: str, used: set[str]) -> str:
    base = "d2lmini-answer-" + re.sub(r"[^A-Za-z0-9_-]", "-", name)
    ident, k = base, 1
    while ident in used:
        k += 1
        ident = f"{base}-{k}"
    used.add(ident)
    return ident


def answer_help(spec: Mapping[str, Any]) -> str:
    """What to type, from the check's data: its shape (a number, n
    numbers, a matrix), or a word where the check knows words."""
    shape = list(spec.get("shape") or [])
    words = any(case.get("rule", {}).get("kind") == "text"
                for case in spec.get("cases", []))
    if words:
        return "A word or a number, as the exercise asks."
    if not shape:
        return "A number, such as 0.5, 1e-3 or 2/3."
    if len(shape) == 1:
        return (f"{shape[0]} numbers separated by commas, in the order "
                "the exercise gives.")
    if len(shape) == 2:
        return (f"A {shape[0]} \u00d7 {shape[1]} matrix, row by row: rows "
                "separated by ; (1, 0; 0, 1) or in brackets "
                "([[1, 0], [0, 1]]).")
    return "Numbers, in brackets as in Python."


def answer_box(check: Check, ident: str, spec: Mapping[str, Any]) -> str:
    """The answer box of a check whose data the page carries."""
    name = html.escape(check.name, quote=True)
    label = (f"Your answer to {html.escape(check.exercise)}"
             if check.exercise else "Your answer")
    return (
        f'<form class="d2lmini-answer" data-check="{name}" action="#" '
        f'autocomplete="off">'
        f'<label for="{ident}">{label}</label>'
        f'<span class="d2lmini-answer-row">'
        f'<input id="{ident}" name="answer" type="text" spellcheck="false" '
        f'autocapitalize="off" aria-describedby="{ident}-help">'
        f'<button type="submit">Check</button></span>'
        f'<span class="d2lmini-answer-help" id="{ident}-help">'
        f"{html.escape(answer_help(spec))}</span>"
        f'<span class="d2lmini-verdict" role="status" aria-live="polite">'
        "</span></form>")


def progress_line(answerable: list[str], code: int) -> str:
    """The count of a chapter's exercises passed in this browser (the
    script fills in the number)."""
    names = html.escape(json.dumps(answerable), quote=True)
    n = len(answerable)
    text = (f'<span class="d2lmini-progress-done">0</span> of {n} '
            f"exercise{'s' if n != 1 else ''} answered in the page "
            "passed (saved in this browser)")
    if code:
        text += (f"; {code} code exercise{'s are' if code != 1 else ' is'}"
                 " checked in a notebook and not counted")
    return (f'<p class="d2lmini-progress" data-checks="{names}">'
            f"{text}.</p>")


def data_script(data: Mapping[str, Any]) -> str:
    """The page's check data as an inline JSON script (``</`` escaped, so
    no text of it can close the tag)."""
    text = json.dumps(dict(data), separators=(",", ":"), sort_keys=True,
                      ensure_ascii=False).replace("</", "<\\/")
    return (f'<script type="application/json" id="{DATA_ID}">{text}'
            "</script>")


def answer_boxes(body: str, data: Mapping[str, Any],
                 script_tag: str) -> tuple[str, list[str]]:
    """``body`` with its unanswered check outputs replaced (see the
    module), and the names of its checks answered in the page.

    ``data``: the exported data of (at least) the page's checks, by name;
    ``script_tag``: the evaluator's ``<script>`` tag, written once, after
    the page's data and before the first answer box.
    """
    checks = find_checks(body)
    if not checks:
        return body, []
    answerable = [c.name for c in checks if c.name in data]
    code = sum(1 for c in checks if c.function and c.name not in data)
    used: set[str] = set()
    pieces, last, first_box = [], 0, True
    changed_at = None
    for match, check in zip(UNANSWERED.finditer(body), checks, strict=True):
        if check.name in data:
            new = answer_box(check, _dom_id(check.name, used),
                             data[check.name])
            if first_box:
                page_data = {n: data[n] for n in answerable}
                new = data_script(page_data) + script_tag + new
                first_box = False
        elif check.function:
            new = CODE_NOTE
        else:
            continue
        if changed_at is None:
            changed_at = match.start()
        pieces.append(body[last:match.start()])
        pieces.append(new)
        last = match.end()
    if changed_at is None:
        return body, []
    pieces.append(body[last:])
    out = "".join(pieces)
    # The count goes into the section of the first checked exercise (its
    # Exercises section), before the section's first exercise: under the
    # heading and the words that open the section.
    exercise = [m.start() for m in EXERCISE.finditer(out, 0, changed_at)]
    anchor = exercise[-1] if exercise else changed_at
    head = out.rfind(H2_END, 0, anchor)
    if head >= 0:
        first = EXERCISE.search(out, head, anchor + 1)
        anchor = first.start() if first else anchor
    line = progress_line(answerable, code) + "\n" if answerable else ""
    return out[:anchor] + line + out[anchor:], answerable


def progress_list(chapters: Iterable[tuple[str, str, list[str], int]]
                  ) -> str:
    """The front page's list: one item per chapter ``(href, title,
    answerable check names, number of code exercises)``, and the reset
    button."""
    items = []
    for href, title, answerable, code in chapters:
        link = f'<a href="{html.escape(href, quote=True)}">{title}</a>'
        if not answerable:
            what = ("no exercise answered in the page"
                    + (f"; {code} code exercise{'s' if code != 1 else ''}"
                       " for a notebook" if code else ""))
            items.append(f"<li>{link}: {what}</li>")
            continue
        names = html.escape(json.dumps(answerable), quote=True)
        n = len(answerable)
        extra = (f" (and {code} code exercise{'s' if code != 1 else ''}"
                 " for a notebook)" if code else "")
        items.append(
            f'<li>{link}: <span class="d2lmini-progress" '
            f'data-checks="{names}"><span class="d2lmini-progress-done">0'
            f"</span> of {n} passed</span>{extra}</li>")
    return (
        '<div class="d2lmini-progress-list">'
        "<p>Exercises passed in this browser, by chapter (those answered "
        "in the page; code exercises are checked in a notebook and not "
        "counted):</p>"
        f"<ul>{''.join(items)}</ul>"
        '<p><button type="button" class="d2lmini-progress-reset">'
        "Reset progress</button> forgets every answer saved in this "
        "browser.</p></div>")


# -- Sphinx -------------------------------------------------------------------

_EXPORTED: dict[str, Any] = {}


def export(names: Iterable[str]) -> dict[str, Any]:
    """d2lmini.checks' data of those of ``names`` that are declared as
    data (answerable in the page), by name; a function's check, or a name
    that d2lmini.checks does not know, is left out. Cached for the build
    (a check's data may take training runs to compute)."""
    from d2lmini import checks

    out = {}
    for name in names:
        if name not in _EXPORTED:
            try:
                _EXPORTED[name] = checks.export(names=[name])[name]
            except ValueError:  # a function's check, or an unknown name
                _EXPORTED[name] = None
        if _EXPORTED[name] is not None:
            out[name] = _EXPORTED[name]
    return out


UI_JS = Path(__file__).with_name("book_exercises.js")


def strip(js: str) -> str:
    """A script without its comment lines, indentation and blank lines.

    Only whole lines go that are comments (``//`` lines, and ``/* ... */``
    blocks that start a line and end one), and the leading spaces of the
    others; neither script has a string over several lines, so what the
    code does cannot change (tests/test_site_exercises.py runs the
    evaluator stripped and not, in Node, on every declared check)."""
    out, in_block = [], False
    for line in js.splitlines():
        text = line.strip()
        if in_block:
            in_block = "*/" not in text
            continue
        if text.startswith("/*"):
            in_block = "*/" not in text
            continue
        if not text or text.startswith("//"):
            continue
        out.append(text)
    return "\n".join(out) + "\n"


def scripts() -> tuple[str, str] | None:
    """The pages' two scripts, stripped: the boxes' script and the
    evaluator d2lmini/js/checks.js (None without the evaluator)."""
    import d2lmini

    path = Path(d2lmini.__file__).resolve().parent / "js" / "checks.js"
    if not path.is_file():
        return None
    return (strip(UI_JS.read_text(encoding="utf-8")),
            strip(path.read_text(encoding="utf-8")))


def static_name(kind: str, code: str) -> str:
    return (f"d2lmini-{kind}-"
            f"{hashlib.sha256(code.encode()).hexdigest()[:12]}.js")


def _write_scripts(outdir: Path) -> tuple[str, str] | None:
    """Writes the two scripts into ``outdir/_static``; their names."""
    codes = scripts()
    if codes is None:
        return None
    names = []
    for kind, code in zip(("exercises", "checks"), codes, strict=True):
        name = static_name(kind, code)
        path = outdir / "_static" / name
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(code, encoding="utf-8")
        names.append(name)
    return names[0], names[1]


def script_tag(src: str, evaluator: str) -> str:
    """The boxes' script, with the evaluator's address for it to load."""
    return (f'<script src="{html.escape(src, quote=True)}" data-evaluator='
            f'"{html.escape(evaluator, quote=True)}"></script>')


def _raw_html(app: Sphinx, docname: str) -> str:
    """The HTML outputs of a document (its raw nodes), joined."""
    from docutils import nodes

    try:
        doctree = app.env.get_doctree(docname)
    except Exception:  # noqa: BLE001 (no doctree: nothing to count)
        return ""
    return "\n".join(node.astext() for node in doctree.findall(nodes.raw)
                     if "html" in node.get("format", "").split())


def _reading_order(app: Sphinx) -> list[str]:
    """The documents of the table of contents, in reading order."""
    env, seen, order = app.env, set(), []

    def visit(doc: str) -> None:
        for child in env.toctree_includes.get(doc, []):
            if child not in seen:
                seen.add(child)
                order.append(child)
                visit(child)

    visit(app.config.root_doc)
    return order


def _chapters(app: Sphinx, pathto: Callable[..., str],
              export: Callable[[Iterable[str]], Mapping[str, Any]]
              ) -> list[tuple[str, str, list[str], int]]:
    rows = []
    for doc in _reading_order(app):
        checks = find_checks(_raw_html(app, doc))
        if not checks:
            continue
        data = export([c.name for c in checks])
        answerable = [c.name for c in checks if c.name in data]
        code = sum(1 for c in checks if c.function and c.name not in data)
        number = app.env.toc_secnumbers.get(doc, {}).get("")
        title = html.escape(app.env.titles[doc].astext())
        if number:
            title = ".".join(map(str, number)) + ". " + title
        rows.append((pathto(doc), title, answerable, code))
    return rows


def _on_page(app: Sphinx, pagename: str, templatename: str,
             context: dict[str, Any], doctree: Any) -> None:
    if app.builder.format != "html":
        return
    body = context.get("body")
    if not body:
        return
    pathto = context["pathto"]
    front = pagename == app.config.root_doc and PLACEHOLDER in body
    if not front and "d2lmini-feedback-not-yet" not in body:
        return
    names = _write_scripts(Path(app.outdir))
    if names is None:
        logger.warning("d2lmini/js/checks.js is missing: no exercise is "
                       "answerable in the page %s", pagename)
    tag = (script_tag(pathto(f"_static/{names[0]}", 1),
                      pathto(f"_static/{names[1]}", 1)) if names else "")
    if front:
        chapters = _chapters(app, pathto,
                             export if names else lambda _: {})
        context["body"] = body.replace(
            PLACEHOLDER, progress_list(chapters) + tag)
        return
    checks = find_checks(body)
    data = export([c.name for c in checks]) if names else {}
    context["body"], _ = answer_boxes(body, data, tag)


def _on_config_inited(app: Sphinx, config: Any) -> None:
    # A change of this extension or of the boxes' script writes every page
    # again (rebuild "html"); a change of d2lmini (the checks, their data,
    # the evaluator) already makes Sphinx read every page again
    # (book_execution's d2lmini_fingerprint).
    digest = hashlib.sha256()
    for path in (Path(__file__), UI_JS):
        digest.update(path.read_bytes())
    config.d2lmini_exercises_version = digest.hexdigest()[:12]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("d2lmini_exercises_version", "", "html")
    app.connect("config-inited", _on_config_inited)
    app.connect("html-page-context", _on_page)
    return {"parallel_read_safe": True, "parallel_write_safe": True,
            "version": "1"}
