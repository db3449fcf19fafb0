"""`make lab`: the chapters in JupyterLab, in the book's environment.

    .venv/bin/python scripts/lab.py [--root DIR] [JUPYTERLAB OPTIONS ...]

What it does, in order:

1. Copies every ``chapters/NAME.ipynb`` to ``work/NAME.ipynb`` unless that
   file exists. ``work/`` is git-ignored: a student's edits and outputs go
   there and never dirty the committed chapters, and a copy that exists is
   the student's work and is never overwritten. To start a chapter afresh,
   delete (or rename) its copy and run the command again. A chapter added
   to the book later is copied at the next start.
2. Trusts those copies (what ``jupyter trust work/NAME.ipynb`` does), so
   that the live traces saved in them (HTML with a script) run when the
   notebook is opened again. JupyterLab 4 runs the script of an HTML
   output that a kernel produced in the open session, but shows a saved
   one only sanitized (without its script, so the trace does not draw)
   unless the notebook is trusted. JupyterLab signs a notebook it saves
   itself when all its outputs are trusted; the copies are trusted again
   at every start for the ones saved elsewhere (another editor, another
   machine, ``nbconvert --execute``). Only the copies of the book's
   chapters are trusted, not other notebooks in ``work/``.
3. Starts JupyterLab from this Python (the kernel ``python3`` is this
   Python too, where ``d2lmini`` is installed), with the repository as its
   root (``chapters/`` and ``work/`` both show) and the file browser open
   on ``work/``. Nothing needs the network: JupyterLab's page comes from
   the installed package, and the announcements (news), the update check
   and the extension manager's PyPI listing are off.

Options after ``--root`` go to JupyterLab, e.g. ``--port 8890`` or
``--no-browser``; with make: ``make lab LAB_ARGS="--no-browser"``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORK = "work"

# Defaults for this environment's JupyterLab (an overrides file: a
# student's own choices in JupyterLab's settings editor still win).
# "fetchNews": "false" also drops the first-start question about news.
SETTINGS = {
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}
# The server's side of the same: no news feed, no update check, and an
# extension manager that lists what is installed and asks PyPI nothing.
SERVER_OPTIONS = [
    "--LabApp.news_url=None",
    "--LabApp.check_for_updates_class="
    "jupyterlab.handlers.announcements.NeverCheckForUpdate",
    "--LabApp.extension_manager=readonly",
]


def copy_chapters(root: Path) -> tuple[list[Path], list[Path]]:
    """Copy each chapters/*.ipynb into work/ where it is missing.

    Returns (copied, kept): the copies made now and the copies that were
    there already (left as they are).
    """
    chapters = root / "chapters"
    notebooks = sorted(chapters.glob("*.ipynb"))
    if not notebooks:
        raise SystemExit(
            f"lab: no notebooks in {chapters}: run this from the book's "
            "repository (or give --root the folder that holds chapters/)")
    work = root / WORK
    if work.exists() and not work.is_dir():
        raise SystemExit(f"lab: {work} exists and is not a folder; move it "
                         "away, the students' copies go there")
    work.mkdir(exist_ok=True)
    copied, kept = [], []
    for source in notebooks:
        target = work / source.name
        try:
            # "x": never replace a file that exists, even one created
            # between a check and the copy.
            with open(source, "rb") as src, open(target, "xb") as dst:
                shutil.copyfileobj(src, dst)
        except FileExistsError:
            kept.append(target)
        else:
            copied.append(target)
    return copied, kept


def trust(paths: list[Path]) -> list[Path]:
    """Sign the notebooks as ``jupyter trust`` does; return the ones that
    could not be read as notebooks (left untrusted)."""
    import nbformat
    from nbformat.sign import NotebookNotary

    notary = NotebookNotary()
    unreadable = []
    for path in paths:
        try:
            # As jupyter_server reads it when it checks the signature.
            nb = nbformat.read(path, as_version=4)
        except Exception:  # a broken file is the student's to mend
            unreadable.append(path)
            continue
        notary.sign(nb)
    return unreadable


def write_settings() -> Path:
    """Write SETTINGS where this environment's JupyterLab reads defaults
    (``<app dir>/settings/overrides.d``); returns the file."""
    from jupyterlab.commands import get_app_dir

    target = Path(get_app_dir()) / "settings" / "overrides.d"
    target = target / "d2lmini-book.json"
    text = json.dumps(SETTINGS, indent=2) + "\n"
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return target


def lab_command(root: Path, extra: list[str]) -> list[str]:
    return [sys.executable, "-m", "jupyterlab",
            f"--ServerApp.root_dir={root}",
            f"--LabApp.default_url=/lab/tree/{WORK}",
            *SERVER_OPTIONS, *extra]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Open the book's chapters in JupyterLab (copies in "
                    "work/, trusted, offline).",
        epilog="Other options are passed to JupyterLab (e.g. --port 8890, "
               "--no-browser).")
    parser.add_argument("--root", type=Path, default=REPO,
                        help="the folder with chapters/ (default: the "
                             "repository this script is in)")
    args, extra = parser.parse_known_args(argv)
    root = args.root.resolve()
    try:
        import jupyterlab  # noqa: F401

        import d2lmini  # noqa: F401
    except ImportError as exc:
        raise SystemExit(
            f"lab: {exc.name} is not installed in {sys.executable}: run "
            "`make lab` (which runs `make setup` first), or "
            "`.venv/bin/python scripts/lab.py`") from None
    if not root.is_dir():
        raise SystemExit(f"lab: --root {args.root}: no such folder")

    copied, kept = copy_chapters(root)
    unreadable = trust(copied + kept)
    write_settings()
    work = root / WORK
    print(f"lab: your copies of the chapters are in {work}/ "
          f"({len(copied)} new, {len(kept)} kept as you left them); "
          "edit and run those, not chapters/. To start a chapter afresh, "
          "delete its copy and run `make lab` again.", flush=True)
    for path in unreadable:
        print(f"lab: {path} is not a readable notebook; left untrusted.",
              flush=True)
    # JupyterLab replaces this process: Ctrl+C stops the server as usual.
    # The environment's kernel "python3" (this Python) comes before one of
    # the same name in the user's own folders.
    env = dict(os.environ, JUPYTER_PREFER_ENV_PATH="1")
    command = lab_command(root, extra)
    os.execve(command[0], command, env)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
