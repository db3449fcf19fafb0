"""Copy MathJax 3 from the installed `django-static-mathjax` wheel into
_mathjax/mathjax, so the website renders math without internet.

Only what `tex-chtml.js` loads is copied (the component, its TeX extensions,
the CHTML fonts and the menu), about 3 MB rather than the 43 MB package.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import mathjax  # the django-static-mathjax distribution

ROOT = Path(__file__).resolve().parent.parent
SOURCE = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
TARGET = ROOT / "_mathjax" / "mathjax"
KEEP = ["tex-chtml.js", "input/tex", "output/chtml", "ui", "a11y",
        "adaptors"]


def main() -> int:
    if not (SOURCE / "tex-chtml.js").is_file():
        print(f"MathJax not found at {SOURCE}; pip install -r "
              "requirements.txt first", file=sys.stderr)
        return 1
    if (TARGET / "tex-chtml.js").is_file():
        return 0
    for item in KEEP:
        src, dst = SOURCE / item, TARGET / item
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        elif src.is_file():
            shutil.copy2(src, dst)
    (TARGET / "LICENSE").write_bytes((SOURCE.parent / "LICENSE").read_bytes())
    return 0


if __name__ == "__main__":
    sys.exit(main())
