"""The website: it builds with no warning, and works offline in a browser.

The site is built once per session into test-output/site/_build (a fresh
folder each time, but for its jupyter-cache). The chapters are not executed
by the build: each is executed once per test run (conftest.run_chapter,
also the chapters' own tests in test_notebooks.py), which puts the executed
notebook into that cache, keyed on the notebook and on d2lmini; the build
then only reads them.
The browser test drives Debian's chromium with Playwright and blocks every
request that does not go to the local server, so it proves the pages work
without internet. Screenshots land in test-output/screenshots/.
"""

from __future__ import annotations

import html.parser
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

# The built site (site_build), the local server, the browser and its page
# are fixtures of conftest.py, shared with test_site_theme.py.
from conftest import (  # noqa: F401 (CHROMIUM*: for test_live_browser)
    CHROMIUM,
    CHROMIUM_ARGS,
    OUTPUT,
    SITE,
    book_config,
    toc_chapters,
)

pytestmark = [pytest.mark.site, pytest.mark.xdist_group("site")]

SHOTS = OUTPUT / "screenshots"
CHAPTERS = toc_chapters()
# Browser errors that are known, harmless and not ours to fix (none now:
# the doubled `const THEBE_JS_URL` of Sphinx 7.x, sphinx-doc/sphinx#13402,
# is written once by _templates/layout.html).
KNOWN_NOISE: list[re.Pattern] = []
PROBLEM = re.compile(r"\b(WARNING|ERROR|CRITICAL)\b")
# ipykernel 7 prints this notice on stderr every time a notebook executes
# (not on a cached build); it is about the kernel's local TCP socket.
BUILD_NOISE = [
    re.compile(r"^\[IPKernelApp\] WARNING \| Kernel is running over TCP "
               r"without encryption"),
]


# -- the build -------------------------------------------------------------

def test_build_has_no_warnings(site_build):
    returncode, log, _ = site_build
    problems = [line for line in log.splitlines() if PROBLEM.search(line)
                and not any(k.search(line) for k in BUILD_NOISE)]
    assert returncode == 0 and not problems, (
        f"jupyter-book build exited {returncode} with "
        f"{len(problems)} warning/error line(s) "
        f"(full log: {SITE / 'build.log'}):\n" + "\n".join(problems)
        + ("" if problems else "\n" + log[-3000:])
    )


def test_site_build_executed_no_chapter_again(site_build):
    """The build reads the executions of the chapter tests from the cache:
    each chapter runs once per test run, not twice."""
    _, log, _ = site_build
    executed = [line for line in log.splitlines()
                if "Executing notebook" in line]
    assert not executed, (
        "the site build executed chapters that conftest.run_chapter had "
        "already executed and cached (a cache key mismatch, or d2lmini "
        "changed during the run):\n" + "\n".join(executed))


# -- the Colab button ------------------------------------------------------

class _Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a" and dict(attrs).get("href"):
            self.hrefs.append(dict(attrs)["href"])


def _html_page(html_dir: Path, chapter: str) -> Path:
    page = html_dir / f"{chapter}.html"
    if not page.is_file():
        pytest.fail(f"{page} was not built")
    return page


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_colab_button(site_build, chapter):
    config = book_config()
    repo_url = config["repository"]["url"].rstrip("/").removesuffix(".git")
    parts = urlparse(repo_url)
    assert parts.netloc == "github.com", repo_url
    org_repo = parts.path.strip("/")
    branch = config["repository"].get("branch", "main")
    book_path = (config["repository"].get("path_to_book") or "").strip("/")
    nb_path = "/".join(p for p in (book_path, f"{chapter}.ipynb") if p)
    expected = (f"https://colab.research.google.com/github/{org_repo}/"
                f"blob/{branch}/{nb_path}")
    parser = _Links()
    parser.feed(_html_page(site_build[2], chapter).read_text("utf-8"))
    colab = [h for h in parser.hrefs if "colab.research.google.com" in h]
    assert colab, f"no Colab launch button on {chapter}.html"
    assert expected in colab, (
        f"Colab button of {chapter} points to {colab}, expected {expected}")


# -- the browser -----------------------------------------------------------

# The text of the article as a reader sees it, without code and rendered
# math, to look for TeX that KaTeX left alone.
PROSE_JS = """() => {
  const article = document.querySelector('article').cloneNode(true);
  article.querySelectorAll('pre, code, script, style, .katex, '
      + '.cell_input, .cell_output, .animation')
    .forEach(e => e.remove());
  return article.innerText;
}"""

RAW_TEX = re.compile(r"\$[^$\s][^$]*\$|\\\(|\\\)|\\\[|\\\]|\\begin\{|"
                     r"\\frac|\\mathbf|\\[a-zA-Z]+\{")


def _check_math(page, chapter):
    """Every formula was rendered by KaTeX: no `.math` element without
    KaTeX's markup, no KaTeX error, no TeX left in the prose."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        # KaTeX's auto-render runs once, at DOMContentLoaded.
        page.wait_for_function(
            "() => window.katex && document.querySelectorAll("
            "'article .math').length === document.querySelectorAll("
            "'article .math .katex').length", timeout=30_000)
    except PlaywrightTimeout:
        pytest.fail(f"{chapter}: KaTeX did not render the math within 30 s "
                    f"(blocked requests: {page.blocked}; errors: "
                    f"{page.errors})")
    n_math = page.locator("article .katex").count()
    assert n_math > 0, f"{chapter}: KaTeX rendered no math"
    errors = page.evaluate("""() => [...document.querySelectorAll(
        '.katex-error')].map(e => (e.title || e.textContent).slice(0, 120))""")
    assert not errors, f"{chapter}: KaTeX errors: {errors[:5]}"
    # KaTeX's stylesheet and its fonts arrived: a rendered formula has
    # KaTeX's own font, not the page's.
    font = page.evaluate("""() => getComputedStyle(document.querySelector(
        'article .katex')).fontFamily""")
    assert "KaTeX_Main" in font, (
        f"{chapter}: KaTeX's stylesheet did not load (font: {font})")
    raw = RAW_TEX.findall(page.evaluate(PROSE_JS))
    assert not raw, f"{chapter}: raw TeX in the text: {sorted(set(raw))}"
    return n_math


def _check_images(page, chapter):
    page.wait_for_function(
        "() => [...document.querySelectorAll('article img')]"
        ".every(i => i.complete)", timeout=30_000)
    images = page.evaluate("""() => [...document.querySelectorAll(
        'article img')].map(i => ({src: i.getAttribute('src').slice(0, 80),
        width: i.naturalWidth, anim: !!i.closest('.animation')}))""")
    broken = [i["src"] for i in images if i["width"] == 0]
    assert not broken, f"{chapter}: images that did not load: {broken}"
    figures = [i for i in images if not i["anim"]]
    assert figures, f"{chapter}: no figure on the page"
    return len(figures)


def _check_live_traces(page, chapter):
    """Every live trace drew its path, and its first slider answers the
    keyboard: the path and the printed end point change."""
    widgets = page.locator("article .d2lmini-live")
    for k in range(widgets.count()):
        w = widgets.nth(k)
        w.scroll_into_view_if_needed()
        path = w.locator(".d2l-main path.d2l-path").first
        path.wait_for(state="attached", timeout=10_000)
        before = path.get_attribute("d")
        assert before, f"{chapter}: live trace {k} drew no path"
        if not w.is_visible():  # inside a solution that is still closed
            continue
        legend = w.locator(".d2l-legend").inner_text()
        slider = w.locator("input[type=range]").first
        value = slider.input_value()
        slider.focus()
        key = ("ArrowLeft" if float(value) >= float(
            slider.get_attribute("max")) else "ArrowRight")
        page.keyboard.press(key)
        assert slider.input_value() != value, (
            f"{chapter}: live trace {k}: the slider ignored {key}")
        page.wait_for_function(
            "([p, d]) => p.getAttribute('d') !== d",
            arg=[path.element_handle(), before], timeout=5_000)
        assert w.locator(".d2l-legend").inner_text() != legend, (
            f"{chapter}: live trace {k}: the printed end point did not "
            "change with the slider")
    return widgets.count()


def _check_solutions(page, chapter, shot_name):
    solutions = page.locator("article .solution.dropdown")
    count = solutions.count()
    assert count, f"{chapter}: no solution dropdown (exercise solution)"
    body = ":scope > :not(.admonition-title)"
    for k in range(count):
        content = solutions.nth(k).locator(body)
        assert content.count(), f"{chapter}: solution {k} is empty"
        assert not any(content.nth(j).is_visible()
                       for j in range(content.count())), (
            f"{chapter}: solution {k} is visible before it is opened")
    first = solutions.first
    first.locator(".admonition-title").click()
    first.locator(body).first.wait_for(state="visible", timeout=5_000)
    first.scroll_into_view_if_needed()
    first.screenshot(path=str(SHOTS / f"{shot_name}-solution.png"))
    return count


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_in_browser(page, server, chapter):
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot_name = chapter.replace("/", "-")
    page.goto(f"{server}/{chapter}.html", wait_until="load")
    n_math = _check_math(page, chapter)
    n_figures = _check_images(page, chapter)
    page.screenshot(path=str(SHOTS / f"{shot_name}.png"), full_page=True)
    n_live = _check_live_traces(page, chapter)
    if n_live:
        page.locator("article .d2lmini-live").first.screenshot(
            path=str(SHOTS / f"{shot_name}-live.png"))
    n_solutions = _check_solutions(page, chapter, shot_name)
    page.screenshot(path=str(SHOTS / f"{shot_name}-solution-open-page.png"),
                    full_page=True)
    page.wait_for_timeout(300)  # let late errors arrive
    problems = [f"blocked non-local request: {u}" for u in page.blocked] + [
        e for e in page.errors if not any(k.search(e) for k in KNOWN_NOISE)]
    assert not problems, (
        f"{chapter}: the page is not clean offline:\n" + "\n".join(problems))
    print(f"{chapter}: {n_math} formulas, {n_figures} figures, "
          f"{n_live} live trace(s), {n_solutions} solution(s)")


def test_book_has_live_traces(site_build):
    """The browser test moves a slider of every live trace it finds; make
    sure the chapters that draw 2-D traces have one, so that check cannot
    pass vacuously."""
    missing = [c for c in CHAPTERS
               if "d2lmini-live" not in _html_page(site_build[2], c)
               .read_text("utf-8")
               and c not in WITHOUT_LIVE_TRACE]
    assert not missing, f"chapters without a live 2-D trace: {missing}"


# The chapter on the Adam paper's experiments trains classifiers on the
# digits; it has no 2-D problem to trace.
WITHOUT_LIVE_TRACE = {"chapters/adam-paper"}
# Every chapter page weighs at most this much, images included.
MAX_PAGE_BYTES = 1_000_000


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_page_weight(site_build, chapter):
    html_dir = site_build[2]
    page = _html_page(html_dir, chapter)
    text = page.read_text("utf-8")
    total = page.stat().st_size
    for src in set(re.findall(r'<img[^>]+src="([^"#?]+)"', text)):
        image = (page.parent / src).resolve()
        if image.is_file():
            total += image.stat().st_size
    assert total <= MAX_PAGE_BYTES, (
        f"{chapter}: {total / 1e6:.2f} MB with its images, more than "
        f"{MAX_PAGE_BYTES / 1e6:.0f} MB")


# A first visit to a chapter, everything it loads included (the page, its
# images, stylesheets, scripts, fonts), weighs at most this much. Measured
# in the browser as the bytes of every response, uncompressed (a server
# may compress them; file:// does not).
MAX_COLD_VISIT_BYTES = 2_000_000


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_cold_visit_weight(page, server, chapter):
    sizes = {}

    def record(response):
        try:
            sizes[response.url] = len(response.body())
        except Exception:  # a redirect or an aborted request has no body
            sizes.setdefault(response.url, 0)

    page.on("response", record)
    page.goto(f"{server}/{chapter}.html", wait_until="networkidle")
    # Scroll to the end so lazily loaded images and fonts arrive too.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    # (not networkidle again: on pages whose live traces animate, it did
    # not settle within 30 s; a local server answers within this pause)
    page.wait_for_timeout(2000)
    total = sum(sizes.values())
    heaviest = sorted(sizes.items(), key=lambda kv: -kv[1])[:6]
    assert total <= MAX_COLD_VISIT_BYTES, (
        f"{chapter}: a first visit loads {total / 1e6:.2f} MB, more than "
        f"{MAX_COLD_VISIT_BYTES / 1e6:.0f} MB; heaviest: " + ", ".join(
            f"{urlparse(u).path} {n / 1e3:.0f} kB" for u, n in heaviest))
    print(f"{chapter}: {total / 1e6:.2f} MB in {len(sizes)} files")


# What a page must never show: a cell's stderr, or a path of the machine
# that built it (a kernel's temporary file, a home or build directory).
LEAKS = {
    "a stderr block": re.compile(r'class="[^"]*\b(?:output_)?stderr\b'),
    "a machine path": re.compile(
        r"/tmp/|/home/|/root/|/private/var/|ipykernel_\d+|/work/|"
        r"site-packages/|[A-Z]:\\Users\\"),
}


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_no_stderr_and_no_machine_path(site_build, chapter):
    text = _html_page(site_build[2], chapter).read_text("utf-8")
    found = {what: sorted(set(m.group(0) for m in rx.finditer(text)))[:5]
             for what, rx in LEAKS.items() if rx.search(text)}
    assert not found, f"{chapter}: the page shows {found}"


@pytest.mark.parametrize("name", ["intro", "notation", "references"])
def test_front_and_back_matter_render(page, server, name):
    """The pages around the chapters: their math renders (the notation
    page is mostly math), and no TeX is left in their text (the
    bibliography and the citation pop-ups take their titles from
    references.bib)."""
    page.goto(f"{server}/{name}.html", wait_until="load")
    if page.locator("article .math").count():
        _check_math(page, name)
    raw = RAW_TEX.findall(page.evaluate(PROSE_JS))
    assert not raw, f"{name}: raw TeX in the text: {sorted(set(raw))}"
    assert not page.errors, f"{name}: {page.errors}"

