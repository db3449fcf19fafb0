/* The book's fixes to its theme: sphinx-book-theme 1.3.0 on
 * pydata-sphinx-theme 0.17.1 (pinned in requirements.txt). Jupyter Book
 * loads every .js file of _static/ on every page. Checked in Chromium by
 * tests/test_site_theme.py. */
(function () {
  "use strict";

  function ready(callback) {
    if (document.readyState !== "loading") {
      callback();
    } else {
      document.addEventListener("DOMContentLoaded", callback);
    }
  }

  /* 1. The sidebar buttons. Each page has two ☰ buttons (.primary-toggle)
   * and two contents buttons (.secondary-toggle): the first of each sits in
   * pydata's header, which sphinx-book-theme hides below 992 px; the
   * visible ones sit in the article's header. Both themes attach their
   * handlers to document.querySelector(".primary-toggle"), the first one
   * only (pydata: open the sidebar as a dialog; the book theme: on wide
   * screens, hide or show the sidebar instead), so the buttons a reader
   * can click did nothing but show their tooltip. A click on any other
   * toggle is handed to the first one, where the themes' own code runs. */
  function forwardSidebarToggles() {
    ["primary", "secondary"].forEach(function (kind) {
      var buttons = document.querySelectorAll("." + kind + "-toggle");
      var wired = buttons[0];
      Array.prototype.slice.call(buttons, 1).forEach(function (button) {
        button.addEventListener("click", function (event) {
          event.preventDefault();
          event.stopPropagation();
          wired.click();
        });
      });
    });
  }

  /* 2. The theme button. pydata cycles light -> auto -> dark (or
   * dark -> auto -> light), and "auto" looks the same as the mode the
   * system prefers: from the book's default, light, on a light system,
   * the first click changed nothing visible. When the current mode is
   * the one the system prefers, the click is made to start from "auto",
   * whose next step in pydata's cycle is the other mode: every click now
   * switches between light and dark, and pydata still does the switch. */
  function flipThemeOnEveryClick() {
    var prefersDark = window.matchMedia("(prefers-color-scheme: dark)");
    document.querySelectorAll(".theme-switch-button").forEach(function (b) {
      b.addEventListener("click", function () {
        var system = prefersDark.matches ? "dark" : "light";
        var mode = localStorage.getItem("mode") ||
          document.documentElement.dataset.mode;
        if (mode === system) {
          localStorage.setItem("mode", "auto");
        }
      }, true);  // capture: before pydata's own handler on the button
    });
  }

  /* 3. A cue on blocks that scroll sideways (a wide equation, a wide
   * table): their content fades out on the side where more of it is
   * hidden (classes d2l-more-left / d2l-more-right, see the
   * stylesheet). */
  var SCROLLERS = [
    "article .katex-display > .katex > .katex-html",
    "article div.cell_output pre",
    "article .pst-scrollable-table-container",
  ].join(", ");

  function markOverflow(element) {
    var more = element.scrollWidth - element.clientWidth;
    element.classList.toggle("d2l-more-left",
      more > 1 && element.scrollLeft > 1);
    element.classList.toggle("d2l-more-right",
      more > 1 && element.scrollLeft < more - 1);
  }

  function scrollCues() {
    var elements = document.querySelectorAll(SCROLLERS);
    var markAll = function () { elements.forEach(markOverflow); };
    // A size change (the window, a solution opened, fonts arrived).
    var observer = window.ResizeObserver && new ResizeObserver(markAll);
    elements.forEach(function (element) {
      element.addEventListener("scroll", function () {
        markOverflow(element);
      }, { passive: true });
      if (observer) { observer.observe(element); }
    });
    markAll();
    if (document.fonts) { document.fonts.ready.then(markAll); }
  }

  ready(forwardSidebarToggles);
  ready(flipThemeOnEveryClick);
  // After KaTeX's auto-render, which runs at DOMContentLoaded.
  if (document.readyState === "complete") {
    scrollCues();
  } else {
    window.addEventListener("load", scrollCues);
  }
})();
