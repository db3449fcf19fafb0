"""The theme in a real browser: navigation on phones and tablets, dark mode
readable, nothing wider than the column, each script once, one search entry.

Every chapter page of the built site (fixtures of conftest.py: the site is
built once per run and served locally; every request elsewhere is blocked,
so all of this holds offline). What is checked comes from issue 15; the
fixes live in _static/d2lmini-theme.{css,js} and _templates/layout.html.
Screenshots of one chapter (SHOWCASE), light and dark, desktop and phone,
land in test-output/screenshots/theme-*.png.
"""

from __future__ import annotations

import pytest
from conftest import CHAPTERS, OUTPUT

pytestmark = [pytest.mark.site, pytest.mark.xdist_group("site")]

SHOTS = OUTPUT / "screenshots"
# A chapter with figures, exercise feedback boxes and a proof whose display
# equations are wider than a phone.
SHOWCASE = "chapters/sgd"
PHONE, TABLET, DESKTOP = 390, 768, 1280
# The live traces pick their own palette from the background they sit on;
# their contrast is checked by their own test (test_live_browser.py).
NOT_OURS = ".d2lmini-live"
MIN_CONTRAST = 4.5  # WCAG AA for normal text


def _open(page, server, chapter, width, height=900):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{server}/{chapter}.html", wait_until="load")
    # KaTeX's auto-render runs at DOMContentLoaded; the fonts may come later.
    page.evaluate("document.fonts.ready.then(() => true)")


def _shot(page, name, element=None):
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = str(SHOTS / f"theme-{name}.png")
    if element is None:
        page.screenshot(path=path)
    else:
        element.scroll_into_view_if_needed()
        page.screenshot(path=path)


def _open_solutions(page):
    """Open every exercise solution, so that their text is checked too."""
    titles = page.locator("article .solution.dropdown > .admonition-title")
    for k in range(titles.count()):
        titles.nth(k).click()
    page.wait_for_timeout(300)  # togglebutton's transition


# -- the navigation ----------------------------------------------------------

DIALOG_OPEN = "id => document.getElementById(id).open"
DIALOG_CLOSED = "id => !document.getElementById(id).open"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_navigation_opens_and_closes(page, server, chapter):
    """On a phone and a tablet, ☰ opens the chapter list and the contents
    button the page's contents, and a tap beside each closes it; on a
    desktop, ☰ hides the sidebar and shows it again."""
    name = chapter.split("/")[-1]
    for width in (PHONE, TABLET):
        _open(page, server, chapter, width)
        for kind, dialog, link, outside_x in [
            ("primary", "pst-primary-sidebar-modal", "a.current", width - 8),
            ("secondary", "pst-secondary-sidebar-modal", "a.nav-link", 8),
        ]:
            button = page.locator(f".bd-header-article .{kind}-toggle")
            assert button.is_visible(), (
                f"{chapter} at {width} px: no visible {kind} toggle")
            button.click()
            page.wait_for_function(DIALOG_OPEN, arg=dialog, timeout=3_000)
            shown = page.locator(f"#{dialog} {link}").first
            assert shown.is_visible(), (
                f"{chapter} at {width} px: the {kind} dialog opened empty")
            if chapter == SHOWCASE:
                _shot(page, f"{name}-{width}-{kind}-open")
            page.mouse.click(outside_x, 450)  # the backdrop beside it
            page.wait_for_function(DIALOG_CLOSED, arg=dialog, timeout=3_000)
            assert not button.is_hidden(), (
                f"{chapter} at {width} px: the {kind} toggle is gone after "
                "closing")
    _open(page, server, chapter, DESKTOP)
    sidebar_link = page.locator("#pst-primary-sidebar a.current").first
    toggle = page.locator(".bd-header-article .primary-toggle")
    assert sidebar_link.is_visible(), f"{chapter}: no sidebar on a desktop"
    toggle.click()
    sidebar_link.wait_for(state="hidden", timeout=3_000)
    if chapter == SHOWCASE:
        _shot(page, f"{name}-{DESKTOP}-sidebar-hidden")
    toggle.click()
    sidebar_link.wait_for(state="visible", timeout=3_000)
    assert not page.evaluate(DIALOG_OPEN, "pst-primary-sidebar-modal"), (
        f"{chapter}: ☰ opened the phone's dialog on a desktop")
    assert not page.errors, f"{chapter}: {page.errors}"


# -- one search entry, each script once -------------------------------------

SEARCH_ENTRIES = """() => [...document.querySelectorAll(
    '.search-button-field, .search-button, form.bd-search')]
  .filter(e => e.checkVisibility({visibilityProperty: true})
               && e.getBoundingClientRect().width > 0)
  .map(e => e.className)"""


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_one_search_entry_and_no_script_error(page, server, chapter):
    for width in (PHONE, TABLET, DESKTOP):
        _open(page, server, chapter, width)
        entries = page.evaluate(SEARCH_ENTRIES)
        assert len(entries) == 1, (
            f"{chapter} at {width} px: {len(entries)} search entries "
            f"visible: {entries}")
    # Each inline script once: the doubled `const THEBE_JS_URL` threw.
    page.wait_for_timeout(300)
    assert not page.errors, f"{chapter}: {page.errors}"


# -- dark mode ---------------------------------------------------------------

# The WCAG contrast of every visible text against what is behind it: the
# element's background and its ancestors', composited down to the first
# opaque one (colours read through a canvas, whatever their CSS syntax).
CONTRAST_JS = """([skip, minimum]) => {
  const ctx = document.createElement('canvas').getContext('2d',
      {willReadFrequently: true});
  const rgba = (css) => {
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = '#000';
    ctx.fillStyle = css;
    ctx.fillRect(0, 0, 1, 1);
    const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
    return [r, g, b, a / 255];  // getImageData is not premultiplied
  };
  const over = (top, below) => top.slice(0, 3).map(
      (c, i) => c * top[3] + below[i] * (1 - top[3])).concat([1]);
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const background = (element) => {
    const layers = [];
    for (let e = element; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    return layers.reverse().reduce((below, c) => over(c, below),
                                   [255, 255, 255, 1]);
  };
  const opacity = (element) => {
    let o = 1;
    for (let e = element; e; e = e.parentElement)
      o *= parseFloat(getComputedStyle(e).opacity);
    return o;
  };
  const visible = (element) => {
    const r = element.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1 || !element.checkVisibility(
        {opacityProperty: true, visibilityProperty: true})) return false;
    // Text for screen readers only (KaTeX's MathML, skip links) is clipped
    // away by an ancestor.
    for (let e = element; e; e = e.parentElement) {
      const c = getComputedStyle(e);
      if (c.clip !== 'auto' || c.clipPath !== 'none') return false;
    }
    return true;
  };
  const low = [];
  const seen = new Set();
  const walker = document.createTreeWalker(document.body,
                                           NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!node.textContent.trim() || seen.has(element)) continue;
    seen.add(element);
    if (element.closest(skip) || !visible(element)) continue;
    const bg = background(element);
    const fg = rgba(getComputedStyle(element).color);
    fg[3] *= opacity(element);
    const [l1, l2] = [luminance(over(fg, bg)), luminance(bg)];
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    if (ratio < minimum) low.push(
        `${ratio.toFixed(2)}:1 "${node.textContent.trim().slice(0, 30)}" `
        + `(${element.tagName.toLowerCase()}.`
        + `${[...element.classList].join('.')}: `
        + `${getComputedStyle(element).color} on `
        + `rgb(${bg.slice(0, 3).map(Math.round).join(', ')}))`);
  }
  return {checked: seen.size, low};
}"""


def _low_contrast(page):
    # Away from the buttons, whose tooltips fade in and out (an element
    # halfway through a fade is not what a reader reads).
    width = page.viewport_size["width"]
    page.mouse.move(width // 2, 600)
    page.wait_for_timeout(400)
    result = page.evaluate(CONTRAST_JS, [NOT_OURS, MIN_CONTRAST])
    assert result["checked"] > 100, "the contrast check found no text"
    return result["low"]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_text_readable_light_and_dark(page, server, chapter):
    """The first click on the theme button turns the page dark; in both
    modes every visible text (solutions opened, exercise feedback boxes
    included) has a contrast of at least 4.5:1 with its background."""
    name = chapter.split("/")[-1]
    _open(page, server, chapter, DESKTOP)
    _open_solutions(page)
    assert page.locator("article .d2lmini-feedback").count(), (
        f"{chapter}: no exercise feedback box to check")
    for mode in ("light", "dark"):
        if mode == "dark":
            page.locator(".bd-header-article .theme-switch-button").click()
            theme = page.evaluate("document.documentElement.dataset.theme")
            assert theme == "dark", (
                f"{chapter}: the first click on the theme button gave the "
                f"{theme} theme, not dark")
            page.wait_for_timeout(200)
        low = _low_contrast(page)
        assert not low, (
            f"{chapter}, {mode} mode: {len(low)} text(s) below "
            f"{MIN_CONTRAST}:1:\n" + "\n".join(low[:20]))
        if chapter == SHOWCASE:
            _shot(page, f"{name}-{DESKTOP}-{mode}")
            _shot(page, f"{name}-{DESKTOP}-{mode}-feedback",
                  page.locator("article .d2lmini-feedback").first)
            _shot(page, f"{name}-{DESKTOP}-{mode}-figure",
                  page.locator("article div.cell_output img").first)
    # The phone in dark mode (the choice is kept), with its open dialog.
    page.set_viewport_size({"width": PHONE, "height": 800})
    page.wait_for_timeout(200)
    page.locator(".bd-header-article .primary-toggle").click()
    page.wait_for_function(DIALOG_OPEN, arg="pst-primary-sidebar-modal")
    low = _low_contrast(page)
    assert not low, (f"{chapter}, dark, {PHONE} px, chapters open: "
                     + "\n".join(low[:20]))
    if chapter == SHOWCASE:
        _shot(page, f"{name}-{PHONE}-dark-primary-open")
    assert not page.errors, f"{chapter}: {page.errors}"


# -- nothing wider than the column ------------------------------------------

# Output blocks and display equations: each fits its column, or scrolls
# sideways and shows the cue (the fade of d2lmini-theme.css); none reaches
# out of the article, clipped or not.
WIDTHS_JS = """(skip) => {
  const article = document.querySelector('article');
  const column = article.getBoundingClientRect();
  const problems = [];
  let checked = 0;
  const blocks = article.querySelectorAll(
      'div.cell_output > .output, div.cell_output pre, div.cell_output img,'
      + ' div.math, .katex-display > .katex > .katex-html');
  for (const block of blocks) {
    const r = block.getBoundingClientRect();
    if (!r.width || !block.checkVisibility() || block.closest(skip))
      continue;
    checked += 1;
    const name = `${block.tagName.toLowerCase()}.`
        + `${[...block.classList].join('.')} `
        + `"${block.textContent.trim().slice(0, 40)}"`;
    if (r.left < column.left - 1 || r.right > column.right + 1)
      problems.push(`${name} reaches out of the column (${Math.round(r.left)}`
          + `-${Math.round(r.right)} px, column ${Math.round(column.left)}-`
          + `${Math.round(column.right)} px)`);
    if (block.scrollWidth <= block.clientWidth + 1) continue;
    const style = getComputedStyle(block);
    const scrolls = ['auto', 'scroll'].includes(style.overflowX);
    const cue = (style.maskImage || style.webkitMaskImage || 'none')
        !== 'none';
    if (!scrolls || !cue)
      problems.push(`${name} is ${block.scrollWidth} px wide in `
          + `${block.clientWidth} px and ` + (scrolls ? 'scrolls with no cue'
          : `hides the rest (overflow-x: ${style.overflowX})`));
  }
  return {checked, problems};
}"""


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_outputs_and_equations_fit_the_column(page, server, chapter):
    name = chapter.split("/")[-1]
    for width in (DESKTOP, PHONE):
        _open(page, server, chapter, width)
        _open_solutions(page)
        result = page.evaluate(WIDTHS_JS, NOT_OURS)
        assert result["checked"], f"{chapter}: no output block found"
        assert not result["problems"], (
            f"{chapter} at {width} px:\n" + "\n".join(result["problems"]))
        if chapter == SHOWCASE and width == PHONE:
            wide = page.locator(".katex-html.d2l-more-right").first
            assert wide.count(), (
                f"{SHOWCASE}: no wide equation with its cue at {PHONE} px")
            for mode in ("light", "dark"):
                if mode == "dark":
                    page.locator(".theme-switch-button:visible").click()
                _shot(page, f"{name}-{PHONE}-{mode}-wide-equation", wide)
