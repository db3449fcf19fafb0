"""A chapter runs top to bottom on a Colab-like machine.

Colab has torch, numpy, matplotlib and ipywidgets but not d2lmini, so the
chapter's first cell must install it. We simulate that with a fresh virtual
environment that sees the main venv's third-party packages (through a .pth
file pointing at a folder of links to them, without d2lmini: installing torch
from scratch would cost a minute) and run the notebook in a kernel started
from that venv's python, in a temporary folder, with D2LMINI_SOURCE pointing
the install cell at this checkout. pip builds a real (non-editable) wheel,
so the test also proves that the wheel carries the data files.

Every chapter in _toc.yml runs in its own fresh venv (about 15 s of set-up
each, plus the chapter's own run time).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import nbformat
import pytest
from conftest import REPO, toc_chapters

pytestmark = [pytest.mark.notebooks, pytest.mark.xdist_group("colab")]

CELL_TIMEOUT = 600


def _site_packages(python: Path) -> Path:
    out = subprocess.run(
        [str(python), "-c",
         "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True)
    return Path(out.stdout.strip())


def _fresh_python(tmp: Path, env: dict) -> Path:
    """A new venv with the main venv's packages, except d2lmini."""
    base = getattr(sys, "_base_executable", sys.executable)
    venv = tmp / "colab-venv"
    subprocess.run([base, "-m", "venv", str(venv)], check=True, env=env)
    python = venv / "bin" / "python"
    # Main site-packages as links, less everything d2lmini: the editable
    # install leaves a d2lmini/ folder (its data files) there, which would
    # import as an empty namespace package and hide the missing install.
    main_site = Path(sysconfig.get_paths()["purelib"])
    shared = tmp / "colab-shared"
    shared.mkdir()
    for entry in main_site.iterdir():
        if "d2lmini" in entry.name.lower() or entry.suffix == ".pth":
            continue
        (shared / entry.name).symlink_to(entry)
    fresh_site = _site_packages(python)
    # Appended after the venv's own site-packages, like Colab's dist-packages.
    (fresh_site / "zz_colab_shared.pth").write_text(f"{shared}\n")
    return python


def _run(python: Path, code: str, cwd: Path, env: dict):
    return subprocess.run([str(python), "-c", code], cwd=cwd, env=env,
                          capture_output=True, text=True)


@pytest.mark.parametrize("chapter", toc_chapters())
def test_chapter_runs_on_colab_like_python(tmp_path, chapter):
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "VIRTUAL_ENV", "MPLBACKEND",
                        "PYTHONHOME", "PIP_REQUIRE_VIRTUALENV"}}
    python = _fresh_python(tmp_path, env)
    env.update(
        VIRTUAL_ENV=str(python.parent.parent),
        PATH=f"{python.parent}{os.pathsep}{env.get('PATH', '')}",
        D2LMINI_SOURCE=str(REPO),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PYTHONNOUSERSITE="1",
    )
    workdir = tmp_path / "work"  # not the repo: its root must not import
    workdir.mkdir()
    notebook = workdir / Path(chapter).with_suffix(".ipynb").name
    shutil.copy(REPO / f"{chapter}.ipynb", notebook)

    # Before: what Colab has, and not d2lmini.
    probe = _run(python, "import torch, numpy, matplotlib, ipywidgets, "
                 "ipykernel", workdir, env)
    assert probe.returncode == 0, f"fresh venv lacks a package:\n" \
        f"{probe.stderr}"
    probe = _run(python, "import importlib.util, sys; "
                 "sys.exit(importlib.util.find_spec('d2lmini') is not None)",
                 workdir, env)
    assert probe.returncode == 0, (
        "d2lmini is already importable in the fresh venv, so the test "
        f"would not exercise the install cell:\n{probe.stderr}")
    probe = _run(python, "import d2lmini", workdir, env)
    assert probe.returncode != 0, "`import d2lmini` works before the install"

    # A kernel started from the fresh python.
    kernels = tmp_path / "kernels"
    (kernels / "colab").mkdir(parents=True)
    (kernels / "colab" / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher",
                 "-f", "{connection_file}"],
        "display_name": "Colab-like Python", "language": "python",
    }))
    km = KernelManager(
        kernel_name="colab",
        kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)]))
    nb = nbformat.read(notebook, as_version=4)
    client = NotebookClient(
        nb, km=km, timeout=CELL_TIMEOUT, allow_errors=False,
        resources={"metadata": {"path": str(workdir)}})
    try:
        client.execute(env=env, cwd=str(workdir))
    except CellExecutionError as error:
        pytest.fail(f"{chapter} failed on a Colab-like python:\n{error}",
                    pytrace=False)
    finally:
        nbformat.write(nb, notebook)  # the executed copy, for a post-mortem

    # After: the install cell put a real d2lmini, with its data, in the venv.
    probe = _run(python, "import d2lmini, pathlib; "
                 "print(pathlib.Path(d2lmini.__file__).resolve().parent)",
                 workdir, env)
    assert probe.returncode == 0, probe.stderr
    package = Path(probe.stdout.strip())
    assert package.is_relative_to(_site_packages(python)), (
        f"d2lmini was imported from {package}, not from the fresh venv")
    assert (package / "data").is_dir(), f"no data/ folder in {package}"
    assert (package / "data" / "airfoil_self_noise.dat").is_file(), (
        f"the wheel did not carry data/airfoil_self_noise.dat: "
        f"{sorted(p.name for p in (package / 'data').iterdir())}")
