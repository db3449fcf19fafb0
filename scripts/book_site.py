"""The website's own Sphinx extension: math that cannot go missing, and
pages that do not carry what they do not use.

Loaded by ``_config.yml`` (``sphinx: local_extensions``), so every way of
building the book runs it: ``make book``, ``jupyter-book build .``,
``scripts/build_one.py`` and the tests.

Math. The formulas are rendered in the reader's browser by KaTeX
(sphinxcontrib-katex, which copies KaTeX's JavaScript into every build).
KaTeX's stylesheet and fonts are vendored in ``_katex/katex/`` (see
``scripts/vendor_katex.py``) and served next to the pages. Before anything
is built, :func:`check_math` makes sure that they are there, unchanged, and
of the version of the installed sphinxcontrib-katex, and that KaTeX is the
math renderer; otherwise the build stops with a message that says what to
do. A site whose formulas come out as raw TeX cannot be built.

Weight. pydata-sphinx-theme puts Font Awesome's SVG-replacing script
(``_static/scripts/fontawesome.js``, 1.5 MB) on every page "so that users
can add custom icons". The book adds none: the theme's own icons are drawn
by Font Awesome's web fonts, which its stylesheet already loads. After the
build, :func:`lighten` replaces that script with a short note, and cuts the
icon fonts down to the icons the pages use (the icon names are read from
the built pages and scripts, their code points from the theme's
stylesheet), about 270 kB less on a first visit, and drops the unused
icons' rules from that stylesheet (85 kB) and the search index from every
page but the search page (the theme's search-as-you-type, which needs it
everywhere, is off).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
KATEX = ROOT / "_katex" / "katex"
REVENDOR = ("run `python scripts/vendor_katex.py` (needs npm) and commit "
            "_katex/")


def check_math(app: Sphinx) -> None:
    """Refuse to build a website whose math would not render."""
    if app.builder.format != "html":
        return
    if app.config.html_math_renderer != "katex":
        raise ExtensionError(
            "the book's math is rendered by KaTeX, but html_math_renderer is "
            f"{app.config.html_math_renderer!r}: set `html_math_renderer: "
            "katex` under `sphinx: config:` in _config.yml")
    from sphinxcontrib import katex

    versions_file = KATEX / "VERSIONS.json"
    if not versions_file.is_file():
        raise ExtensionError(
            f"KaTeX's stylesheet and fonts are missing ({versions_file} "
            f"not found), so no formula would render: {REVENDOR}")
    versions = json.loads(versions_file.read_text())
    vendored = versions["katex"]["version"]
    if vendored != katex.katex_version:
        raise ExtensionError(
            f"the vendored KaTeX stylesheet is version {vendored}, the "
            f"installed sphinxcontrib-katex renders with "
            f"{katex.katex_version}: {REVENDOR}, or install the "
            "sphinxcontrib-katex of requirements.txt")
    for name, digest in versions["files"].items():
        path = KATEX / name
        if not path.is_file():
            raise ExtensionError(f"{path} is missing: {REVENDOR}")
        if hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            raise ExtensionError(f"{path} differs from the vendored "
                                 f"file: {REVENDOR}")
    extra = [str(p) for p in app.config.html_extra_path]
    if "_katex" not in extra:
        raise ExtensionError(
            "_katex is not in html_extra_path, so KaTeX's stylesheet would "
            "not reach the site: add `html_extra_path: [_katex]` under "
            "`sphinx: config:` in _config.yml")


# -- a lighter page ---------------------------------------------------------

FA_SCRIPT = Path("_static") / "scripts" / "fontawesome.js"
FA_FONTS = Path("_static") / "vendor" / "fontawesome" / "webfonts"
THEME_CSS = Path("_static") / "styles" / "pydata-sphinx-theme.css"
# An icon class and its code point in the theme's stylesheet:
# .fa-bars:before,.fa-navicon:before{content:"\f0c9"}
ICON_RULE = re.compile(r'((?:\.fa-[a-z0-9-]+:{1,2}before,?)+)'
                       r'\{content:"\\([0-9a-f]+)"\}')
ICON_CLASS = re.compile(r"\bfa-[a-z0-9-]+")


def _icon_code_points(css: str) -> dict[str, int]:
    points = {}
    for selectors, hexcode in ICON_RULE.findall(css):
        for name in re.findall(r"\.(fa-[a-z0-9-]+)", selectors):
            points[name] = int(hexcode, 16)
    return points


def _used_icons(outdir: Path) -> set[str]:
    """Every ``fa-NAME`` the built pages and scripts mention."""
    used: set[str] = set()
    for path in outdir.rglob("*"):
        if path.suffix in (".html", ".js") and path.is_file() \
                and path.resolve() != (outdir / FA_SCRIPT).resolve():
            used.update(ICON_CLASS.findall(
                path.read_text("utf-8", errors="replace")))
    return used


def _prune_icon_rules(css: str, used: set[str]) -> str:
    """The theme's stylesheet without the rules of icons no page uses
    (about 1,800 of them, 85 kB)."""
    def keep(match: re.Match) -> str:
        names = re.findall(r"\.(fa-[a-z0-9-]+)", match.group(1))
        return match.group(0) if used.intersection(names) else ""

    return ICON_RULE.sub(keep, css)


def _drop_search_index(outdir: Path) -> None:
    """pydata-sphinx-theme loads the whole search index (about 120 kB) on
    every page for its search-as-you-type, which the book leaves off, and
    Sphinx its search code (searchtools.js and the stemmer in
    language_data.js, 26 kB), which runs on the search page only (the
    search box of every page sends the words to it); the search page
    loads all three itself."""
    tag = re.compile(r'\s*<script src="[^"]*(?:searchindex|searchtools|'
                     r'language_data)\.js(?:\?[^"]*)?"></script>')
    for page in outdir.rglob("*.html"):
        if page.name == "search.html":
            continue
        text = page.read_text("utf-8")
        lighter = tag.sub("", text)
        if lighter != text:
            page.write_text(lighter, "utf-8")


def _subset_fonts(outdir: Path) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    css_path = outdir / THEME_CSS
    fonts = outdir / FA_FONTS
    if not css_path.is_file() or not fonts.is_dir():
        return  # another theme: nothing to do
    css = css_path.read_text("utf-8")
    points = _icon_code_points(css)
    used = _used_icons(outdir)
    keep = sorted({points[n] for n in used if n in points})
    css_path.write_text(_prune_icon_rules(css, used), "utf-8")
    if not keep:
        return
    for woff2 in sorted(fonts.glob("*.woff2")):
        font = TTFont(io.BytesIO(woff2.read_bytes()))
        cmap = font.getBestCmap()
        present = [c for c in keep if c in cmap]
        options = subset.Options()
        options.flavor = "woff2"
        options.layout_features = ["*"]
        subsetter = subset.Subsetter(options)
        # A font with none of the icons keeps one glyph: browsers fetch it
        # only if a page asks for it.
        subsetter.populate(unicodes=present or [0x20])
        subsetter.subset(font)
        out = io.BytesIO()
        font.flavor = "woff2"
        font.save(out)
        woff2.write_bytes(out.getvalue())
        # The .ttf twins are fallbacks no current browser asks for.
        woff2.with_suffix(".ttf").unlink(missing_ok=True)


def lighten(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    script = outdir / FA_SCRIPT
    if script.is_file():
        script.write_text(
            "/* Font Awesome's SVG-replacing script is not used by this "
            "book: its icons come from the web fonts of the theme's "
            "stylesheet (scripts/book_site.py). */\n", encoding="utf-8")
    _subset_fonts(outdir)
    options = app.config.html_theme_options or {}
    if not options.get("search_as_you_type", False):
        _drop_search_index(outdir)


def setup(app: Sphinx) -> dict[str, Any]:
    # After sphinxcontrib-katex's own builder-inited handler.
    app.connect("builder-inited", check_math, priority=900)
    app.connect("build-finished", lighten)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
