"""Static checks of the chapters: what is committed, how they start, and
that the code they show from scratch is the code d2lmini runs.

Executing the chapters is tests/test_notebooks.py's job; building and
browsing the site is tests/test_site.py's.
"""

from __future__ import annotations

import ast
import inspect
import json
import textwrap
from pathlib import Path

import pytest
import yaml

import d2lmini

ROOT = Path(__file__).resolve().parent.parent
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())


def toc_files() -> list[str]:
    files = []
    for part in TOC.get("parts", []):
        files += [entry["file"] for entry in part.get("chapters", [])]
    return files


CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
IDS = [p.stem for p in CHAPTERS]


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def source(cell: dict) -> str:
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


def test_there_are_chapters_and_all_are_in_the_toc():
    assert CHAPTERS, "no chapters found"
    listed = set(toc_files())
    for path in CHAPTERS:
        assert f"chapters/{path.stem}" in listed, (
            f"{path.name} is not in _toc.yml"
        )
    for entry in listed:
        assert (ROOT / entry).with_suffix(".ipynb").exists() or (
            ROOT / entry
        ).with_suffix(".md").exists(), f"_toc.yml lists missing {entry}"


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_committed_without_outputs(path):
    dirty = [
        i for i, c in enumerate(cells(path))
        if c["cell_type"] == "code"
        and (c.get("outputs") or c.get("execution_count"))
    ]
    assert not dirty, (
        f"{path.name}: cells {dirty} carry outputs; run `make strip`"
    )


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_first_cell_installs_d2lmini_from_the_configured_repository(path):
    first = cells(path)[0]
    assert first["cell_type"] == "code"
    assert "remove-cell" in first.get("metadata", {}).get("tags", []), (
        "the install cell must be hidden on the website (tag remove-cell)"
    )
    src = source(first)
    assert 'find_spec("d2lmini") is None' in src
    url = CONFIG["repository"]["url"]
    assert f'"git+{url}"' in src, (
        f"{path.name} installs from another URL than _config.yml's {url}"
    )


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_install_cell_is_the_same_in_every_chapter(path):
    """tests/test_colab.py runs the install cell of one chapter on a
    Colab-like python; that covers every chapter only if they share it."""
    reference = CHAPTERS[0]
    assert source(cells(path)[0]) == source(cells(reference)[0]), (
        f"{path.name}'s first cell differs from {reference.name}'s: copy "
        "the install cell verbatim"
    )


KERNEL_WIDGETS = ("ipywidgets", "explore_2d", "explore_airfoil",
                  "AirfoilExplorer", "interact(", "interactive(",
                  "interact_manual(", "interactive_output")
HIDDEN = ("remove-output", "remove-cell")


def _tags(cell: dict) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def _uses_kernel_widgets(cell: dict) -> list[str]:
    return sorted(word for word in KERNEL_WIDGETS if word in source(cell))


def kernel_widget_problems(nb_cells: list[dict]) -> list[str]:
    """Where a notebook breaks the rule for widgets that need a kernel.

    ipywidgets need a running kernel: on the static pages they would look
    live and do nothing (the book's 2-D traces are in-page widgets,
    d2l.live_trace_2d, which need none). A code cell that uses them is
    allowed only if

    1. it is tagged ``remove-output`` (the site shows its code, not the
       dead widgets), and
    2. the next code cell is its static stand-in: it uses no kernel
       widget itself and is tagged neither ``remove-output`` nor
       ``remove-cell``, so the site shows what it computes.

    Returns one message per violation (none: the notebook is fine).
    """
    code = [(i, c) for i, c in enumerate(nb_cells)
            if c["cell_type"] == "code"]
    problems = []
    for k, (i, cell) in enumerate(code):
        words = _uses_kernel_widgets(cell)
        if not words:
            continue
        if "remove-output" not in _tags(cell):
            problems.append(
                f"cell {i} uses kernel widgets {words} but is not tagged "
                "remove-output")
        if k + 1 == len(code):
            problems.append(
                f"cell {i} uses kernel widgets {words} and no code cell "
                "follows it: add a static stand-in after it")
            continue
        j, nxt = code[k + 1]
        if _uses_kernel_widgets(nxt):
            problems.append(
                f"cell {j}, the static stand-in of widget cell {i}, uses "
                f"kernel widgets {_uses_kernel_widgets(nxt)} itself")
        hidden = sorted(set(HIDDEN) & set(_tags(nxt)))
        if hidden:
            problems.append(
                f"cell {j}, the static stand-in of widget cell {i}, is "
                f"tagged {hidden}: the site must show its output")
    return problems


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_kernel_widgets_only_with_a_static_stand_in(path):
    """A headless execution of an ipywidgets Output widget also stalled
    now and then until the cell's timeout; the book's executor re-polls
    (scripts/book_execution.py, _repolling), so the chapters are executed
    the way it does (tests/test_notebooks.py)."""
    problems = kernel_widget_problems(cells(path))
    assert not problems, f"{path.name}: " + "; ".join(problems)


def _code(src: str, *tags: str) -> dict:
    return {"cell_type": "code", "source": src,
            "metadata": {"tags": list(tags)} if tags else {}}


def _md(src: str) -> dict:
    return {"cell_type": "markdown", "source": src, "metadata": {}}


WIDGET = "d2l.explore_airfoil(lr=(0.001, 0.05, 0.001))"
STAND_IN = "d2l.plot_histories(runs);"


@pytest.mark.parametrize(("nb_cells", "expected"), [
    ([_code("x = 1"), _code(STAND_IN)], []),
    ([_code(WIDGET, "remove-output"), _code(STAND_IN)], []),
    ([_code(WIDGET, "remove-output"), _md("On the site:"),
      _code(STAND_IN, "hide-input")], []),
    ([_code(WIDGET), _code(STAND_IN)], ["not tagged remove-output"]),
    ([_code(WIDGET, "remove-input"), _code(STAND_IN)],
     ["not tagged remove-output"]),
    ([_code(WIDGET, "remove-output"), _md("no code after it")],
     ["no code cell follows it"]),
    ([_code(WIDGET, "remove-output"), _code(STAND_IN, "remove-output")],
     ["tagged ['remove-output']"]),
    ([_code(WIDGET, "remove-output"), _code(STAND_IN, "remove-cell")],
     ["tagged ['remove-cell']"]),
    ([_code(WIDGET, "remove-output"),
      _code("import ipywidgets", "remove-output"), _code(STAND_IN)],
     ["uses kernel widgets ['ipywidgets'] itself",
      "tagged ['remove-output']"]),
    ([_code("from ipywidgets import interact\ninteract(f, x=1)"),
      _code(STAND_IN)], ["not tagged remove-output"]),
])
def test_kernel_widget_rule(nb_cells, expected):
    problems = kernel_widget_problems(nb_cells)
    assert len(problems) == len(expected), problems
    for problem, part in zip(problems, expected):
        assert part in problem


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_chapter_has_title_exercises_and_solutions(path):
    text = "\n".join(source(c) for c in cells(path)
                     if c["cell_type"] == "markdown")
    assert "\n# " in "\n" + text, "a chapter starts with a # title"
    assert "## Exercises" in text
    n_ex = text.count("{exercise-start}")
    n_sol = text.count("{solution-start}")
    assert n_ex >= 1 and n_ex == n_sol == text.count("{solution-end}")
    assert text.count(":class: dropdown") >= n_sol, (
        "every solution is hidden behind a toggle"
    )


def _strip(node: ast.AST) -> ast.AST:
    """Drop docstrings and annotations, which the book may show or not."""
    for n in ast.walk(node):
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body = n.body
            if (body and isinstance(body[0], ast.Expr)
                    and isinstance(body[0].value, ast.Constant)
                    and isinstance(body[0].value.value, str)):
                n.body = body[1:] or [ast.Pass()]
            n.returns = None
            for arg in (n.args.args + n.args.kwonlyargs
                        + n.args.posonlyargs):
                arg.annotation = None
            for arg in (n.args.vararg, n.args.kwarg):
                if arg is not None:
                    arg.annotation = None
    return node


def _shown_functions() -> list[tuple[str, str, ast.FunctionDef]]:
    """(chapter, name, def) for every top-level def named like a helper."""
    found = []
    for path in CHAPTERS:
        for cell in cells(path):
            if cell["cell_type"] != "code":
                continue
            lines = [ln for ln in source(cell).splitlines()
                     if not ln.lstrip().startswith(("%", "!"))]
            try:
                tree = ast.parse("\n".join(lines))
            except SyntaxError:
                continue
            for node in tree.body:
                if (isinstance(node, ast.FunctionDef)
                        and node.name in d2lmini._all_exports()):
                    found.append((path.stem, node.name, node))
    return found


SHOWN = _shown_functions()


@pytest.mark.parametrize(
    ("chapter", "name", "node"), SHOWN,
    ids=[f"{c}-{n}" for c, n, _ in SHOWN],
)
def test_from_scratch_code_is_the_package_code(chapter, name, node):
    package_src = textwrap.dedent(inspect.getsource(getattr(d2lmini, name)))
    package_node = ast.parse(package_src).body[0]
    shown = ast.dump(_strip(node))
    runs = ast.dump(_strip(package_node))
    assert shown == runs, (
        f"chapters/{chapter}.ipynb shows a {name}() that differs from "
        f"d2lmini.{name}; keep them equal (docstrings and type hints may "
        "differ)"
    )


# --- what a chapter defines and calls must exist in the package -----------

# Update rules a chapter defines on purpose and the package leaves out:
# each is a variant the chapter takes apart, not an optimizer of the book.
CHAPTER_ONLY_RULES = {
    ("adadelta", "adadelta_no_g"): "Adadelta without the rescaled "
    "gradient, to show what that term does",
    ("adam", "adam_l2"): "Adam with an L2 penalty, the foil of AdamW",
}


def _code_trees(nb_cells: list[dict]) -> list[ast.Module]:
    trees = []
    for cell in nb_cells:
        if cell["cell_type"] != "code":
            continue
        lines = [ln for ln in source(cell).splitlines()
                 if not ln.lstrip().startswith(("%", "!"))]
        try:
            trees.append(ast.parse("\n".join(lines)))
        except SyntaxError:
            continue
    return trees


def defined_optimizers(nb_cells: list[dict]) -> list[str]:
    """Top-level functions of a notebook's code cells that are update
    rules ``(params, states, hyperparams)`` or state initialisers
    ``init_*_states``."""
    found = []
    for tree in _code_trees(nb_cells):
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef):
                continue
            args = [a.arg for a in node.args.args]
            if (args[:3] == ["params", "states", "hyperparams"]
                    or (node.name.startswith("init_")
                        and node.name.endswith("_states"))):
                found.append(node.name)
    return found


def missing_optimizers(chapter: str, nb_cells: list[dict]) -> list[str]:
    exported = d2lmini._all_exports()
    return [name for name in defined_optimizers(nb_cells)
            if name not in exported
            and (chapter, name) not in CHAPTER_ONLY_RULES]


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_every_optimizer_a_chapter_defines_is_in_the_package(path):
    missing = missing_optimizers(path.stem, cells(path))
    assert not missing, (
        f"{path.name} defines {missing}, which d2lmini does not have: "
        "register each in d2lmini/optim.py's REGISTRY (the chapter then "
        "shows the package's code, test_from_scratch_code_is_the_package_"
        "code), or, for a variant the chapter only takes apart, list it in "
        "CHAPTER_ONLY_RULES with the reason")


def test_an_unregistered_optimizer_is_found():
    nb = [_code("def sophia(params, states, hyperparams):\n    pass\n"),
          _code("def init_sophia_states(feature_dim):\n    return ()\n"),
          _code("def adam(params, states, hyperparams):\n    pass\n"),
          _code("def helper(x):\n    return x\n")]
    assert missing_optimizers("new", nb) == ["sophia", "init_sophia_states"]
    assert missing_optimizers("adam", [_code(
        "def adam_l2(params, states, hyperparams):\n    pass\n")]) == []


def check_calls(nb_cells: list[dict]) -> list[str | None]:
    """The exercise names of every ``check(NAME, ...)`` call in the code
    cells (``d2l.check``, ``d2lmini.check`` or ``check``); ``None`` where
    the name is not a string literal."""
    names = []
    for tree in _code_trees(nb_cells):
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            fn = node.func
            called = (fn.attr if isinstance(fn, ast.Attribute)
                      else getattr(fn, "id", None))
            if called != "check":
                continue
            first = node.args[0]
            names.append(first.value if isinstance(first, ast.Constant)
                         and isinstance(first.value, str) else None)
    return names


def unknown_checks(nb_cells: list[dict]) -> list[str | None]:
    from d2lmini.checks import _lookup

    return [name for name in check_calls(nb_cells)
            if name is None or _lookup(name) is None]


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_every_check_a_chapter_calls_exists(path):
    """A check name that does not exist would show "Not yet: there is no
    check with this name" on the page, which builds without a warning."""
    assert check_calls(cells(path)), f"{path.name} calls no check"
    unknown = unknown_checks(cells(path))
    assert not unknown, (
        f"{path.name} calls d2l.check with {unknown}: no such check in "
        "d2lmini/checks/ (None: the name is not a string literal)")


def test_an_unknown_check_name_is_found():
    nb = [_code('d2l.check("gd.lr_bound", 0.5)'),
          _code('d2l.check("gd.no_such_exercise", 1)\nname = "gd.x"'),
          _code("d2l.check(name, 1)")]
    assert check_calls(nb) == ["gd.lr_bound", "gd.no_such_exercise", None]
    assert unknown_checks(nb) == ["gd.no_such_exercise", None]
