"""d2lmini installs and runs on a Colab-like python, with the versions we pin
and with the oldest ones pyproject.toml admits.

Colab has torch, numpy, matplotlib and ipywidgets but not d2lmini, so a
chapter's first cell installs it. We simulate that with a fresh virtual
environment that sees the main venv's third-party packages (through a .pth
file pointing at a folder of links to them, without d2lmini: installing torch
from scratch would cost a minute) and run a chapter in a kernel started from
that venv's python, in a temporary folder, with D2LMINI_SOURCE pointing the
install cell at this checkout. pip builds a real (non-editable) wheel, so the
test also proves that the wheel carries every file of the package.

Every chapter has the same install cell (tests/test_chapters.py checks it)
and every chapter runs in the main environment (tests/test_notebooks.py), so
one chapter, the first of _toc.yml, is run here per environment; then every
module of the installed package is imported and its data loaded.

The oldest versions: numpy and matplotlib at the floors of pyproject.toml's
dependencies, installed from PyPI into the fresh venv (pip keeps a cache);
torch at its floor too, which must be the version this venv has: PyPI has
no CPU-only torch for Linux (its wheels pull gigabytes of CUDA libraries),
so the floor is the CPU build pinned in requirements.txt. The unit tests of
the package's core run there as well.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import nbformat
import pytest
from conftest import REPO, book_execution, toc_chapters

pytestmark = [pytest.mark.notebooks]

CELL_TIMEOUT = 600
FIRST_CHAPTER = toc_chapters()[0]
# Distributions that the oldest-versions venv installs itself instead of
# linking them from the main venv (with what depends on numpy's ABI).
OLDEST = ("numpy", "matplotlib")
NOT_LINKED = ("numpy", "matplotlib", "mpl_toolkits", "contourpy", "pylab",
              "matplotlib_inline")
# matplotlib-inline 0.2 needs matplotlib 3.7 or newer (rcParams._get): with
# an older matplotlib, the 0.1 releases of its time.
OLDEST_COMPANIONS = ("matplotlib-inline<0.2",)
# The unit tests of the package's core (plots, data, training loops, update
# rules) that run again with the oldest versions; all of them would double
# the unit tests' share of `make test`.
OLDEST_UNIT_TESTS = ("tests/test_package.py", "tests/test_train.py",
                     "tests/test_optim.py",
                     # reads rcParams through matplotlib 3.7's private
                     # rcParams._get, which 3.6 lacks (d2lmini does not
                     # use it): the test, not the package, needs 3.7
                     "--deselect", "tests/test_package.py::"
                     "test_import_is_cheap_and_has_no_side_effects")


def floors() -> dict[str, str]:
    """{'numpy': '1.23.2', ...}: the lower bounds of d2lmini's
    dependencies in pyproject.toml."""
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    found = {}
    for requirement in project["dependencies"]:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*>=\s*([0-9][0-9.]*)",
                             requirement.strip())
        assert match, (f"pyproject.toml: {requirement!r} is not of the "
                       "form NAME>=VERSION, which this test reads")
        found[match.group(1).lower()] = match.group(2)
    return found


def _site_packages(python: Path) -> Path:
    out = subprocess.run(
        [str(python), "-c",
         "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True)
    return Path(out.stdout.strip())


def _distribution(entry: Path) -> str:
    """'numpy' for numpy/, numpy-2.4.6.dist-info/, numpy.libs/ ..."""
    return re.split(r"[-.]", entry.name, maxsplit=1)[0].lower()


def _fresh_python(tmp: Path, env: dict, not_linked=()) -> Path:
    """A new venv with the main venv's packages, except d2lmini (and the
    distributions in not_linked)."""
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
        if ("d2lmini" in entry.name.lower() or entry.suffix == ".pth"
                or _distribution(entry) in not_linked):
            continue
        (shared / entry.name).symlink_to(entry)
    fresh_site = _site_packages(python)
    # Appended after the venv's own site-packages, like Colab's dist-packages.
    (fresh_site / "zz_colab_shared.pth").write_text(f"{shared}\n")
    return python


def _run(python: Path, code: str, cwd: Path, env: dict):
    return subprocess.run([str(python), "-c", code], cwd=cwd, env=env,
                          capture_output=True, text=True)


def _colab_env(python: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "VIRTUAL_ENV", "MPLBACKEND",
                        "PYTHONHOME", "PIP_REQUIRE_VIRTUALENV"}}
    env.update(
        VIRTUAL_ENV=str(python.parent.parent),
        PATH=f"{python.parent}{os.pathsep}{env.get('PATH', '')}",
        D2LMINI_SOURCE=str(REPO),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PYTHONNOUSERSITE="1",
    )
    return env


def _versions(python: Path, workdir: Path, env: dict) -> dict[str, str]:
    probe = _run(python, "import json, numpy, matplotlib, torch; "
                 "print(json.dumps({m.__name__: m.__version__.split('+')[0] "
                 "for m in (numpy, matplotlib, torch)}))", workdir, env)
    assert probe.returncode == 0, probe.stderr
    return json.loads(probe.stdout)


def _run_chapter(python: Path, chapter: str, tmp: Path, workdir: Path,
                 env: dict) -> None:
    """Run a chapter top to bottom in a kernel started from `python`."""
    from jupyter_client.kernelspec import KernelSpecManager
    from nbclient.exceptions import CellExecutionError

    notebook = workdir / Path(chapter).with_suffix(".ipynb").name
    shutil.copy(REPO / f"{chapter}.ipynb", notebook)
    kernels = tmp / "kernels"
    (kernels / "colab").mkdir(parents=True)
    (kernels / "colab" / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher",
                 "-f", "{connection_file}"],
        "display_name": "Colab-like Python", "language": "python",
    }))
    # Over Unix sockets, as the book's own executions (no TCP port races).
    km = book_execution.kernel_manager(
        "colab",
        kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)]))
    nb = nbformat.read(notebook, as_version=4)
    client = book_execution.notebook_client(
        nb, km=km, timeout=CELL_TIMEOUT, allow_errors=False,
        resources={"metadata": {"path": str(workdir)}})
    try:
        client.execute(env=env, cwd=str(workdir))
    except CellExecutionError as error:
        pytest.fail(f"{chapter} failed on a Colab-like python:\n{error}",
                    pytrace=False)
    finally:
        nbformat.write(nb, notebook)  # the executed copy, for a post-mortem
        book_execution.shut_down(km)  # nbclient leaves a km passed in alive


def _check_installed_package(python: Path, workdir: Path, env: dict) -> None:
    """The install cell put a real d2lmini in the venv: every file of the
    package, every module importable, its data loadable."""
    probe = _run(python, "import d2lmini, pathlib; "
                 "print(pathlib.Path(d2lmini.__file__).resolve().parent)",
                 workdir, env)
    assert probe.returncode == 0, probe.stderr
    package = Path(probe.stdout.strip())
    assert package.is_relative_to(_site_packages(python)), (
        f"d2lmini was imported from {package}, not from the fresh venv")
    assert (package / "data" / "airfoil_self_noise.dat").is_file(), (
        f"the wheel did not carry data/airfoil_self_noise.dat: {package}")
    source = REPO / "d2lmini"
    missing = sorted(
        str(p.relative_to(source)) for p in source.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
        and not p.name.startswith(".") and p.suffix != ".pyc"
        and not (package / p.relative_to(source)).is_file())
    assert not missing, f"the wheel lacks files of d2lmini/: {missing}"
    probe = _run(python, """if True:
        import importlib, pkgutil, d2lmini
        for mod in pkgutil.walk_packages(d2lmini.__path__, "d2lmini."):
            importlib.import_module(mod.name)
        for name in d2lmini.__all__:
            getattr(d2lmini, name)
        data_iter, dim = d2lmini.get_data_ch11(batch_size=10, n=1500)
        assert dim == 5, dim
        print("ok")
        """, workdir, env)
    assert probe.returncode == 0 and probe.stdout.strip() == "ok", (
        f"the installed d2lmini does not import or load its data:\n"
        f"{probe.stdout}\n{probe.stderr}")


def _prepare(tmp_path: Path, not_linked=()) -> tuple[Path, Path, dict]:
    clean = {k: v for k, v in os.environ.items()
             if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    python = _fresh_python(tmp_path, clean, not_linked)
    env = _colab_env(python)
    workdir = tmp_path / "work"  # not the repo: its root must not import
    workdir.mkdir()
    return python, workdir, env


def _before_install(python: Path, workdir: Path, env: dict) -> None:
    """What Colab has, and not d2lmini."""
    probe = _run(python, "import torch, numpy, matplotlib, ipywidgets, "
                 "ipykernel", workdir, env)
    assert probe.returncode == 0, (
        f"fresh venv lacks a package:\n{probe.stderr}")
    probe = _run(python, "import importlib.util, sys; "
                 "sys.exit(importlib.util.find_spec('d2lmini') is not None)",
                 workdir, env)
    assert probe.returncode == 0, (
        "d2lmini is already importable in the fresh venv, so the test "
        f"would not exercise the install cell:\n{probe.stderr}")


def test_chapter_runs_on_colab_like_python(tmp_path):
    python, workdir, env = _prepare(tmp_path)
    _before_install(python, workdir, env)
    _run_chapter(python, FIRST_CHAPTER, tmp_path, workdir, env)
    _check_installed_package(python, workdir, env)


def test_oldest_admitted_versions(tmp_path):
    """numpy, matplotlib and torch at pyproject.toml's floors: the install
    cell keeps them (no upgrade), a chapter runs, the package imports and
    loads its data, and its unit tests pass."""
    low = floors()
    assert set(low) == {"numpy", "torch", "matplotlib"}, low
    python, workdir, env = _prepare(tmp_path, NOT_LINKED)
    pins = [f"{name}=={low[name]}" for name in OLDEST]
    pins += OLDEST_COMPANIONS
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--only-binary=:all:",
         *pins], cwd=workdir, env=env, capture_output=True, text=True)
    assert install.returncode == 0, (
        f"cannot install the oldest admitted {pins} here:\n"
        f"{install.stdout[-2000:]}\n{install.stderr[-2000:]}")
    expected = {name: low[name] for name in low}
    assert _versions(python, workdir, env) == expected, (
        "the venv does not have the oldest admitted versions (torch's "
        "floor must be the CPU build pinned in requirements.txt)")
    _before_install(python, workdir, env)
    _run_chapter(python, FIRST_CHAPTER, tmp_path, workdir, env)
    assert _versions(python, workdir, env) == expected, (
        "installing d2lmini changed numpy, matplotlib or torch")
    _check_installed_package(python, workdir, env)

    # The package's own unit tests, with the oldest versions (d2lmini from
    # the checkout).
    tests = subprocess.run(
        [str(python), "-m", "pytest", *OLDEST_UNIT_TESTS, "-q", "-x",
         "-p", "no:cacheprovider", "-o", "addopts="],
        cwd=REPO, env=dict(env, PYTHONPATH=str(REPO), OMP_NUM_THREADS="1"),
        capture_output=True, text=True, timeout=900)
    assert tests.returncode == 0, (
        f"the unit tests fail with {expected}:\n{tests.stdout[-4000:]}\n"
        f"{tests.stderr[-2000:]}")
