"""scripts/book_site.py: a website whose math cannot go missing, and the
icon fonts cut to the icons the pages use. Fast: no build."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import REPO, book_config
from sphinx.errors import ExtensionError

sys.path.insert(0, str(REPO / "scripts"))
import book_site  # noqa: E402


def _app(**config):
    defaults = {"html_math_renderer": "katex", "html_extra_path": ["_katex"]}
    return SimpleNamespace(builder=SimpleNamespace(format="html"),
                           config=SimpleNamespace(**{**defaults, **config}))


def test_the_book_renders_math_with_the_vendored_katex():
    config = book_config()["sphinx"]
    assert "sphinxcontrib.katex" in config["extra_extensions"]
    assert config["local_extensions"]["book_site"] == "scripts"
    assert config["config"]["html_math_renderer"] == "katex"
    assert "_katex" in config["config"]["html_extra_path"]
    book_site.check_math(_app())  # the committed files pass


def test_vendored_katex_is_the_version_sphinxcontrib_katex_renders_with():
    from sphinxcontrib import katex

    versions = json.loads((book_site.KATEX / "VERSIONS.json").read_text())
    assert versions["katex"]["version"] == katex.katex_version
    fonts = set(re.findall(r"url\((fonts/[^)]+)\)",
                           (book_site.KATEX / "katex.min.css").read_text()))
    assert fonts and all((book_site.KATEX / f).is_file() for f in fonts)


@pytest.fixture
def katex_copy(tmp_path, monkeypatch):
    copy = tmp_path / "katex"
    shutil.copytree(book_site.KATEX, copy)
    monkeypatch.setattr(book_site, "KATEX", copy)
    return copy


@pytest.mark.parametrize("damage, phrase", [
    (lambda d: shutil.rmtree(d), "missing"),
    (lambda d: (d / "katex.min.css").unlink(), "missing"),
    (lambda d: (d / "fonts" / "KaTeX_Main-Regular.woff2").write_bytes(b"x"),
     "differs"),
    (lambda d: (d / "VERSIONS.json").write_text(json.dumps({
        "katex": {"version": "0.0.1"}, "files": {}})), "version 0.0.1"),
])
def test_a_build_without_katex_stops_and_says_what_to_do(katex_copy, damage,
                                                         phrase):
    damage(katex_copy)
    with pytest.raises(ExtensionError, match=phrase) as info:
        book_site.check_math(_app())
    assert "vendor_katex.py" in str(info.value) or "requirements" in str(
        info.value)


@pytest.mark.parametrize("config, phrase", [
    ({"html_math_renderer": "mathjax"}, "html_math_renderer"),
    ({"html_extra_path": []}, "html_extra_path"),
])
def test_a_config_without_katex_stops(config, phrase):
    with pytest.raises(ExtensionError, match=phrase):
        book_site.check_math(_app(**config))


def test_other_builders_are_left_alone(tmp_path, monkeypatch):
    monkeypatch.setattr(book_site, "KATEX", tmp_path / "nothing")
    app = _app(html_math_renderer=None)
    app.builder.format = "latex"
    book_site.check_math(app)


def test_icon_code_points_are_read_from_the_theme_stylesheet():
    css = ('.fa-bars:before,.fa-navicon:before{content:"\\f0c9"}'
           '.fa-github:before{content:"\\f09b"}')
    assert book_site._icon_code_points(css) == {
        "fa-bars": 0xF0C9, "fa-navicon": 0xF0C9, "fa-github": 0xF09B}


def test_icon_fonts_keep_exactly_the_icons_the_pages_use(tmp_path):
    import pydata_sphinx_theme
    from fontTools.ttLib import TTFont

    theme = (Path(pydata_sphinx_theme.__file__).parent / "theme"
             / "pydata_sphinx_theme" / "static")
    out = tmp_path / "html"
    (out / book_site.THEME_CSS).parent.mkdir(parents=True)
    shutil.copy(theme / "styles" / "pydata-sphinx-theme.css",
                out / book_site.THEME_CSS)
    shutil.copytree(theme / "vendor" / "fontawesome" / "webfonts",
                    out / book_site.FA_FONTS)
    (out / "page.html").write_text(
        '<i class="fa-solid fa-bars"></i><i class="fa-brands fa-github"></i>')
    (out / book_site.FA_SCRIPT).parent.mkdir(parents=True, exist_ok=True)
    (out / book_site.FA_SCRIPT).write_text("x" * 1000 + " fa-rocket")
    before = sum(p.stat().st_size for p in (out / book_site.FA_FONTS)
                 .glob("*.woff2"))
    search_scripts = (
        '<script src="_static/language_data.js"></script>\n'
        '<script src="_static/searchtools.js"></script>\n'
        '<script src="searchindex.js"></script>')
    (out / "search.html").write_text(search_scripts)
    page = out / "page.html"
    page.write_text(page.read_text() + "\n" + search_scripts.replace(
        "_static/", "../_static/").replace(".js", ".js?v=1"))
    app = SimpleNamespace(builder=SimpleNamespace(format="html"), outdir=out,
                          config=SimpleNamespace(html_theme_options={}))
    book_site.lighten(app, None)
    css = (out / book_site.THEME_CSS).read_text()
    assert ".fa-bars:before" in css and ".fa-github:before" in css
    assert ".fa-rocket:before" not in css
    for name in ("searchindex", "searchtools", "language_data"):
        assert name not in (out / "page.html").read_text()
    assert (out / "search.html").read_text() == search_scripts

    solid = TTFont(out / book_site.FA_FONTS / "fa-solid-900.woff2")
    brands = TTFont(out / book_site.FA_FONTS / "fa-brands-400.woff2")
    assert 0xF0C9 in solid.getBestCmap()  # fa-bars
    assert 0xF09B in brands.getBestCmap()  # fa-github
    # fa-rocket is named only by the replaced script, so it is not kept
    assert 0xF135 not in solid.getBestCmap()
    after = sum(p.stat().st_size for p in (out / book_site.FA_FONTS)
                .glob("*.woff2"))
    assert after < before / 10
    assert "not used by this book" in (out / book_site.FA_SCRIPT).read_text()


@pytest.mark.skipif(shutil.which("npm") is None, reason="needs npm")
@pytest.mark.site
def test_vendor_katex_reproduces_the_committed_files():
    """Re-vendoring from the registry gives the committed files byte for
    byte (marked `site`: it needs the npm registry)."""
    proc = subprocess.run([sys.executable, "scripts/vendor_katex.py",
                           "--check"], cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
