"""Build the website for a few chapters only, to look at them quickly.

    .venv/bin/python scripts/build_one.py chapters/adam [chapters/yogi ...]

The pages land in test-output/one-NAME/_build/html (NAME: the first
chapter's name). The book's own _config.yml is used, with a table of
contents that lists the front page, the given chapters and the
bibliography, and the build runs with ``-W -n --keep-going`` like the real
one. Each such folder keeps its own execution cache, so a rebuild of an
unchanged chapter takes seconds. The main build (``make book``) is not
touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
# Files and folders of the book that a partial build needs as they are.
LINKED = ["_config.yml", "intro.md", "references.md", "references.bib",
          "notation.md", "_katex",
          # the theme's stylesheet, script and template
          "_static", "_templates",
          # the book's Sphinx extension (_config.yml: local_extensions)
          "scripts"]


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    names = [a.removesuffix(".ipynb").removesuffix(".md") for a in argv]
    for name in names:
        if not any((REPO / (name + ext)).is_file()
                   for ext in (".ipynb", ".md")):
            print(f"no such chapter: {name}(.ipynb|.md)")
            return 2
    root = REPO / "test-output" / f"one-{Path(names[0]).name}"
    root.mkdir(parents=True, exist_ok=True)
    for entry in LINKED:
        target, link = REPO / entry, root / entry
        if target.exists() and not link.exists():
            link.symlink_to(target)
    (root / "chapters").mkdir(exist_ok=True)
    for name in names:
        for ext in (".ipynb", ".md"):
            src, dst = REPO / (name + ext), root / (name + ext)
            if src.is_file():
                # A copy, not a link: jupyter-book resolves links and would
                # then find the file outside the book.
                shutil.copy2(src, dst)
    toc = {
        "format": "jb-book",
        "root": "intro",
        "parts": [
            {"caption": "Chapters", "numbered": True,
             "chapters": [{"file": n} for n in names]},
            {"caption": "Back matter",
             "chapters": [{"file": "references"}]
             + ([{"file": "notation"}]
                if (REPO / "notation.md").is_file() else [])},
        ],
    }
    (root / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False))
    jb = Path(sys.executable).with_name("jupyter-book")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    code = subprocess.call(
        [str(jb), "build", str(root), "-W", "-n", "--keep-going"], env=env)
    print(f"\npages: {root / '_build' / 'html'}")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
