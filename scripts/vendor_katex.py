"""Re-vendor KaTeX's stylesheet and fonts, which render the book's math.

The book's math is rendered in the reader's browser by KaTeX, through
sphinxcontrib-katex (pinned in requirements.txt). That extension ships
KaTeX's JavaScript (``katex.min.js``, ``auto-render.min.js``) and copies it
into every build, but takes KaTeX's stylesheet and fonts from a CDN by
default: offline, and on any reader's network that blocks the CDN, formulas
would come out unstyled. So the stylesheet and fonts of the *same* KaTeX
version are vendored here, into ``_katex/katex/`` (served next to the
pages through ``html_extra_path``), and the build refuses to run if they
are missing or of another version (``scripts/book_site.py``).

Only the ``woff2`` fonts are kept (every browser of the last eight years
reads them); the stylesheet's ``src`` lists are rewritten to name only
those. The script writes

- ``_katex/katex/katex.min.css`` and ``_katex/katex/fonts/*.woff2``;
- ``_katex/katex/LICENSE`` (MIT) and ``_katex/katex/VERSIONS.json``
  (version, the registry's integrity hash, each file's sha256).

Run ``python scripts/vendor_katex.py`` after upgrading sphinxcontrib-katex,
``--check`` to rebuild in a temporary folder and compare with the committed
files byte for byte. Needs npm (and the registry) only when it runs;
nothing is fetched when the book is built or read.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "_katex" / "katex"
# A font face's sources: the woff2 first, then woff and ttf fallbacks.
FONT_SRC = re.compile(r'src:(url\(fonts/[^)]+\.woff2\) format\("woff2"\))'
                      r'(?:,url\([^)]+\) format\("[a-z]+"\))*')


def katex_version() -> str:
    """The KaTeX version of the installed sphinxcontrib-katex."""
    from sphinxcontrib import katex

    return katex.katex_version


def build(work: Path, version: str) -> dict[str, bytes]:
    """Install katex@version into ``work`` and return the vendored files."""
    (work / "package.json").write_text(
        json.dumps({"name": "d2lmini-katex", "private": True}))
    subprocess.run(["npm", "install", "--no-audit", "--no-fund",
                    "--save-exact", f"katex@{version}"], cwd=work,
                   check=True, capture_output=True, text=True)
    pkg = work / "node_modules" / "katex"
    css, count = FONT_SRC.subn(r"src:\1",
                               (pkg / "dist" / "katex.min.css").read_text())
    fonts = sorted((pkg / "dist" / "fonts").glob("*.woff2"))
    if count != len(fonts):
        raise RuntimeError(f"rewrote {count} font faces but found "
                           f"{len(fonts)} woff2 fonts: the stylesheet's "
                           "format changed; update FONT_SRC")
    files = {"katex.min.css": css.encode(),
             "LICENSE": (pkg / "LICENSE").read_bytes()}
    files.update({f"fonts/{f.name}": f.read_bytes() for f in fonts})
    lock = json.loads((work / "package-lock.json").read_text())["packages"]
    entry = lock["node_modules/katex"]
    versions = {
        "katex": {"version": entry["version"],
                  "integrity": entry["integrity"], "license": "MIT"},
        "files": {name: hashlib.sha256(data).hexdigest()
                  for name, data in sorted(files.items())},
    }
    files["VERSIONS.json"] = (json.dumps(versions, indent=2) + "\n").encode()
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="rebuild and compare with the committed files")
    args = parser.parse_args()
    if shutil.which("npm") is None:
        print("npm not found: install Node.js (with npm) to re-vendor",
              file=sys.stderr)
        return 1
    version = katex_version()
    with tempfile.TemporaryDirectory(prefix="d2lmini-katex-") as tmp:
        files = build(Path(tmp), version)
    if args.check:
        committed = {p.relative_to(TARGET).as_posix()
                     for p in TARGET.rglob("*") if p.is_file()}
        bad = sorted(n for n, data in files.items()
                     if not (TARGET / n).is_file()
                     or (TARGET / n).read_bytes() != data)
        extra = sorted(committed - set(files))
        if bad or extra:
            print(f"differs from the committed files: {bad}; "
                  f"not produced any more: {extra}", file=sys.stderr)
            return 1
        print(f"KaTeX {version}: vendored files reproduce byte for byte")
        return 0
    if TARGET.exists():
        shutil.rmtree(TARGET)
    for name, data in files.items():
        (TARGET / name).parent.mkdir(parents=True, exist_ok=True)
        (TARGET / name).write_bytes(data)
    print(f"KaTeX {version}: wrote {len(files)} files into {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
