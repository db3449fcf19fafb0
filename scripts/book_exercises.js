/* Exercises answered in the page, and the reader's progress: the script
 * of the answer boxes, the counts and the reset button that
 * scripts/book_exercises.py writes into the pages. The
 * build writes it, stripped, as _static/d2lmini-exercises-HASH.js, into
 * the pages that have a box or a count only; on a page with a box it
 * then loads the evaluator (d2lmini/js/checks.js), which sets
 * window.d2lmini.check(name, answer) for the boxes, for tests and for a
 * reader's own scripts. Progress is kept
 * in this browser only: localStorage["d2lmini:exercises"] holds
 * {name: {answer, message}} for every exercise passed, the answer as
 * typed.
 * Checked in Chromium by tests/test_site_exercises.py. */
(function () {
  "use strict";
  if (typeof document === "undefined") {
    return;
  }

  var KEY = "d2lmini:exercises";

  function ready(callback) {
    if (document.readyState !== "loading") {
      callback();
    } else {
      document.addEventListener("DOMContentLoaded", callback);
    }
  }

  /* -- the saved answers (none where the browser keeps no storage) ---- */

  function load() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(KEY) || "{}");
      return saved && typeof saved === "object" && !Array.isArray(saved) ?
        saved : {};
    } catch (err) {
      return {};
    }
  }

  function save(saved) {
    try {
      window.localStorage.setItem(KEY, JSON.stringify(saved));
    } catch (err) {
      /* storage off or full: the verdict still shows, nothing is kept */
    }
  }

  function forget() {
    try {
      window.localStorage.removeItem(KEY);
    } catch (err) {
      /* nothing was kept */
    }
  }

  /* -- the counts ------------------------------------------------------ */

  function updateCounts() {
    var saved = load();
    document.querySelectorAll(".d2lmini-progress[data-checks]")
      .forEach(function (line) {
        var names = [];
        try {
          names = JSON.parse(line.getAttribute("data-checks"));
        } catch (err) {
          names = [];
        }
        var done = names.filter(function (name) {
          return Object.prototype.hasOwnProperty.call(saved, name);
        }).length;
        var count = line.querySelector(".d2lmini-progress-done");
        if (count) {
          count.textContent = String(done);
        }
        line.classList.toggle("d2lmini-progress-complete",
          names.length > 0 && done === names.length);
      });
  }

  /* -- a verdict ------------------------------------------------------- */

  function show(region, result, note) {
    region.textContent = "";
    region.className = "d2lmini-verdict d2lmini-feedback " +
      (result.passed ? "d2lmini-feedback-passed" :
        "d2lmini-feedback-not-yet");
    var word = document.createElement("strong");
    word.textContent = result.passed ? "Passed" : "Not yet";
    region.appendChild(word);
    region.appendChild(document.createTextNode(" " + result.message));
    if (!result.passed && result.hint) {
      region.appendChild(document.createElement("br"));
      var label = document.createElement("em");
      label.textContent = "Hint:";
      region.appendChild(label);
      region.appendChild(document.createTextNode(" " + result.hint));
    }
    if (note) {
      var small = document.createElement("span");
      small.className = "d2lmini-verdict-note";
      small.textContent = " " + note;
      region.appendChild(small);
    }
  }

  function say(region, text) {
    region.className = "d2lmini-verdict d2lmini-verdict-plain";
    region.textContent = text;
  }

  /* -- the evaluator, loaded once the page is ready -------------------- */

  /* d2lmini/js/checks.js sets window.d2lmini.check(name, answer). It is
   * loaded after the page (it is not needed to show it), once; a box used
   * before it arrives waits for it. Its address is the data-evaluator
   * attribute of this script's tag. */
  var SCRIPT = document.currentScript;
  var EVALUATOR = SCRIPT && SCRIPT.getAttribute("data-evaluator");
  var loading = null;

  function ours() {
    var api = window.d2lmini;
    return api && typeof api.check === "function" ? api : null;
  }

  function evaluator() {
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        if (ours()) {
          resolve(ours());
          return;
        }
        if (!EVALUATOR) {
          reject(new Error("no evaluator on this page"));
          return;
        }
        var tag = document.createElement("script");
        tag.src = EVALUATOR;
        tag.onload = function () {
          if (ours()) {
            resolve(ours());
          } else {
            reject(new Error("the evaluator set no check"));
          }
        };
        tag.onerror = function () {
          reject(new Error("the evaluator did not load"));
        };
        document.head.appendChild(tag);
      });
      loading.catch(function () {
        loading = null;  /* a later use tries again */
      });
    }
    return loading;
  }

  /* -- an answer box --------------------------------------------------- */

  function wire(form) {
    var name = form.getAttribute("data-check");
    var input = form.querySelector("input");
    var region = form.querySelector(".d2lmini-verdict");
    form.addEventListener("focusin", function () {
      evaluator().catch(function () {
        /* said at the next submit */
      });
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = input.value.trim();
      if (!text) {
        say(region, "Type your answer in the box first.");
        input.focus();
        return;
      }
      /* Emptied first, so that the same verdict twice is announced twice. */
      region.textContent = "";
      evaluator().then(function (api) {
        /* The evaluator reads typed text as d2l.check reads a string:
         * 0.5, 1e-3, 2/3, 0.5, 0.9 (a pair), 1, 0; 0, 1 (a matrix). */
        var result = api.check(name, text);
        window.setTimeout(function () {
          show(region, result);
        }, 30);
        if (result.passed) {
          var saved = load();
          saved[name] = {answer: text, message: result.message};
          save(saved);
          updateCounts();
        }
      }, function () {
        say(region, "The checker of this page did not load; reload the " +
          "page, or run the cell in a notebook.");
      });
    });
    /* An exercise passed on an earlier visit: its answer and verdict. */
    var saved = load();
    if (Object.prototype.hasOwnProperty.call(saved, name)) {
      var entry = saved[name] || {};
      input.value = String(typeof entry === "string" ? entry :
        entry.answer || "");
      show(region, {passed: true, message: String(entry.message || "")},
        "(passed on an earlier visit; saved in this browser)");
    }
  }

  ready(function () {
    var forms = document.querySelectorAll("form.d2lmini-answer[data-check]");
    forms.forEach(wire);
    if (forms.length) {
      evaluator().catch(function () {
        /* said at the next submit; a later use tries again */
      });
    }
    document.querySelectorAll(".d2lmini-progress-reset")
      .forEach(function (button) {
        button.addEventListener("click", function () {
          if (window.confirm("Forget every exercise passed in this " +
              "browser?")) {
            forget();
            updateCounts();
          }
        });
      });
    updateCounts();
    /* Another tab of the book passed an exercise, or reset. */
    window.addEventListener("storage", function (event) {
      if (event.key === KEY || event.key === null) {
        updateCounts();
      }
    });
  });
})();
