#!/usr/bin/env bash
# A throwaway environment with the d2l 1.0.3 package, for the baseline of
# benchmarks/compare_d2l.py. Never part of the book's environment.
# Usage: bash benchmarks/setup_d2l_venv.sh [DIR]   (default /tmp/d2lvenv)
set -euo pipefail
dir=${1:-/tmp/d2lvenv}
python3 -m venv "$dir"
"$dir/bin/pip" install -q torch==2.13.0
# d2l pins old versions of everything; install it alone, then what it
# imports (scipy at import time, IPython for its plots). torchvision has no
# CPU build here: d2l_baseline.py puts an empty module in its place.
"$dir/bin/pip" install -q d2l==1.0.3 --no-deps
"$dir/bin/pip" install -q matplotlib numpy pandas requests scipy \
    "ipython<9.16" matplotlib-inline
echo "ready: $dir/bin/python"
