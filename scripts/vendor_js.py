"""Re-vendor the JavaScript library behind the live traces' contour lines.

The live 2-D traces (``d2lmini/live.py``, ``d2lmini/js/draw.js``) draw the
contour lines of f with ``contours()`` from d3-contour (marching squares),
which imports a few helpers from d3-array. This script fetches the pinned
versions from the npm registry with ``npm install`` into a temporary
folder, bundles only what ``contours`` needs with esbuild into one small
minified IIFE (global ``d2lminiD3``), and writes

- ``d2lmini/js/vendor/d3-contour.min.js``: the bundle;
- ``d2lmini/js/vendor/LICENSES.txt``: the licenses of every bundled package;
- ``d2lmini/js/vendor/VERSIONS.json``: versions, the registry's integrity
  hashes and the bundle's sha256.

Nothing is fetched when the book is built or read: the output is committed.
Run ``python scripts/vendor_js.py`` to re-vendor after changing the pins,
``python scripts/vendor_js.py --check`` to rebuild in a temporary folder and
check that it reproduces the committed bundle byte for byte. Needs Node and
npm (and the registry) only when it runs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "d2lmini" / "js" / "vendor"
PINS = {"d3-contour": "4.0.3", "d3-array": "3.2.4"}
BUILD_PINS = {"esbuild": "0.28.2"}  # the bundler, not shipped
ENTRY = 'export { contours } from "d3-contour";\n'


def _run(cmd: list[str], cwd: Path) -> str:
    out = subprocess.run(cmd, cwd=cwd, check=True, capture_output=True,
                         text=True)
    return out.stdout


def build(work: Path) -> dict[str, bytes]:
    """Install the pins into ``work`` and return the vendored files."""
    (work / "package.json").write_text(
        json.dumps({"name": "d2lmini-vendor", "private": True}))
    pins = [f"{k}@{v}" for k, v in {**PINS, **BUILD_PINS}.items()]
    _run(["npm", "install", "--no-audit", "--no-fund", "--save-exact",
          *pins], work)
    (work / "entry.mjs").write_text(ENTRY)
    meta = work / "meta.json"
    _run([str(work / "node_modules" / ".bin" / "esbuild"), "entry.mjs",
          "--bundle", "--format=iife", "--global-name=d2lminiD3",
          "--minify", "--target=es2017", "--legal-comments=none",
          f"--metafile={meta}", "--outfile=bundle.js"], work)
    # Which packages ended up in the bundle (for the licenses).
    inputs = json.loads(meta.read_text())["inputs"]
    bundled = sorted({p.split("node_modules/")[1].split("/")[0]
                      for p in inputs if "node_modules/" in p})
    lock = json.loads((work / "package-lock.json").read_text())["packages"]
    versions, licenses = {}, []
    for name in bundled:
        entry = lock[f"node_modules/{name}"]
        pkg = work / "node_modules" / name
        versions[name] = {"version": entry["version"],
                          "integrity": entry["integrity"],
                          "license": json.loads(
                              (pkg / "package.json").read_text())["license"]}
        lic = next(p for p in sorted(pkg.iterdir())
                   if p.name.upper().startswith("LICENSE"))
        licenses.append(f"{name} {entry['version']}\n"
                        f"{'=' * 40}\n{lic.read_text().strip()}\n")
    names = ", ".join(f"{n} {versions[n]['version']}" for n in bundled)
    header = (f"/* {names}: contours() bundled for d2lmini by "
              "scripts/vendor_js.py. ISC licenses in LICENSES.txt. */\n")
    bundle = (header + (work / "bundle.js").read_text()).encode()
    versions_json = {
        "packages": versions,
        "bundler": {k: lock[f"node_modules/{k}"]["version"]
                    for k in BUILD_PINS},
        "entry": ENTRY.strip(),
        "d3-contour.min.js": {
            "sha256": hashlib.sha256(bundle).hexdigest(),
            "bytes": len(bundle),
        },
    }
    return {
        "d3-contour.min.js": bundle,
        "LICENSES.txt": "\n".join(licenses).encode(),
        "VERSIONS.json": (json.dumps(versions_json, indent=2) + "\n").encode(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="rebuild and compare with the committed files")
    args = parser.parse_args()
    if shutil.which("npm") is None:
        print("npm not found: install Node.js (with npm) to re-vendor",
              file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="d2lmini-vendor-") as tmp:
        files = build(Path(tmp))
    if args.check:
        bad = [n for n, data in files.items()
               if not (TARGET / n).is_file()
               or (TARGET / n).read_bytes() != data]
        if bad:
            print("differs from the committed vendor files: "
                  + ", ".join(bad), file=sys.stderr)
            return 1
        print("vendored files reproduce byte for byte")
        return 0
    TARGET.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (TARGET / name).write_bytes(data)
        print(f"wrote {TARGET / name} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
