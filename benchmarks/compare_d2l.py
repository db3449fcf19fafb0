"""d2lmini's airfoil suite against the d2l 1.0.3 helpers, as ratios.

The developers' guide measures speed by ratios against a baseline run in
the same process. The baseline here cannot share a process with the book:
d2l 1.0.3 must stay out of the book's environment (it pins old numpy,
pandas and matplotlib and imports torchvision), so it lives in a throwaway
one (``setup_d2l_venv.sh``). This driver therefore keeps two processes
alive, ``d2l_baseline.py --serve`` there and ``airfoil_suite.py --serve``
here, and has them run the same experiment one right after the other,
alternating which goes first, experiment by experiment, ``--reps`` times.
Each pair is measured within seconds, under nearly the same machine load,
which matters on a shared machine where the load moves the wall time of a
whole suite by 2x or more. Each process pays its one-time costs (imports,
first figure, first optimizer, first backward pass) before the first
experiment; they are reported apart and left out of the ratios. Both render
every figure as a notebook does (see ``notebook.py``).

Usage, from the repository root::

    bash benchmarks/setup_d2l_venv.sh /tmp/d2lvenv   # once
    .venv/bin/python benchmarks/compare_d2l.py \\
        --d2l-python /tmp/d2lvenv/bin/python --reps 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import notebook  # noqa: E402


class Suite:
    """A serving process: ``run(i)`` runs experiment ``i`` there."""

    def __init__(self, python: str, script: str) -> None:
        self.proc = subprocess.Popen(
            [python, str(HERE / script), "--serve"], cwd=HERE,  # d2l: ../data
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.warm_up = json.loads(self.proc.stdout.readline())["warm_up"]

    def run(self, i: int) -> dict:
        self.proc.stdin.write(f"{i}\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--d2l-python", required=True,
                        help="python of the throwaway env with d2l 1.0.3")
    parser.add_argument("--python", default=sys.executable,
                        help="python of the book's env (default: this one)")
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    base = Suite(args.d2l_python, "d2l_baseline.py")
    ours = Suite(args.python, "airfoil_suite.py")
    n = len(notebook.EXPERIMENTS)
    runs = {"d2l": [[None] * n for _ in range(args.reps)],
            "ours": [[None] * n for _ in range(args.reps)]}
    for rep in range(args.reps):
        for i in range(n):
            order = [("d2l", base), ("ours", ours)]
            if (rep + i) % 2:
                order.reverse()
            for key, suite in order:
                runs[key][rep][i] = suite.run(i)
        b_wall = sum(r["seconds"] for r in runs["d2l"][rep])
        o_wall = sum(r["seconds"] for r in runs["ours"][rep])
        b_cpu = sum(r["cpu_seconds"] for r in runs["d2l"][rep])
        o_cpu = sum(r["cpu_seconds"] for r in runs["ours"][rep])
        loads = [r["load1"] for k in runs for r in runs[k][rep]]
        print(f"rep {rep + 1}: d2l 1.0.3 {b_wall:6.2f} s (CPU {b_cpu:5.2f} "
              f"s), d2lmini {o_wall:5.2f} s (CPU {o_cpu:4.2f} s): "
              f"{b_wall / o_wall:5.1f}x wall, {b_cpu / o_cpu:5.1f}x CPU; "
              f"load average {min(loads):.1f} to {max(loads):.1f} on "
              f"{runs['ours'][rep][0]['cores']} cores", flush=True)
    base.close()
    ours.close()
    print()
    header = (f"{'experiment (median of reps)':28s} {'d2l loss':>8s} "
              f"{'ours':>6s} {'diff':>6s} {'d2l s':>7s} {'ours s':>7s} "
              f"{'ratio':>6s}")
    print(header)
    print("-" * len(header))
    worst = 0.0
    for i, experiment in enumerate(notebook.EXPERIMENTS):
        b = [runs["d2l"][rep][i] for rep in range(args.reps)]
        o = [runs["ours"][rep][i] for rep in range(args.reps)]
        b_loss = statistics.median(r["final_loss"] for r in b)
        o_loss = statistics.median(r["final_loss"] for r in o)
        b_s = statistics.median(r["seconds"] for r in b)
        o_s = statistics.median(r["seconds"] for r in o)
        worst = max(worst, abs(b_loss - o_loss))
        print(f"{experiment[0]:28s} {b_loss:8.3f} {o_loss:6.3f} "
              f"{o_loss - b_loss:+6.3f} {b_s:7.3f} {o_s:7.3f} "
              f"{b_s / o_s:5.1f}x")
    print("-" * len(header))
    walls, cpus = [], []
    for rep in range(args.reps):
        walls.append(sum(r["seconds"] for r in runs["d2l"][rep])
                     / sum(r["seconds"] for r in runs["ours"][rep]))
        cpus.append(sum(r["cpu_seconds"] for r in runs["d2l"][rep])
                    / sum(r["cpu_seconds"] for r in runs["ours"][rep]))
    print(f"suite of {n}, median of {args.reps} reps: "
          f"{statistics.median(walls):.1f}x faster in wall time (reps: "
          f"{', '.join(f'{r:.1f}' for r in walls)}), "
          f"{statistics.median(cpus):.1f}x in CPU time (reps: "
          f"{', '.join(f'{r:.1f}' for r in cpus)})")
    print(f"largest difference of median final losses: {worst:.3f} "
          "(d2l's runs: torch.manual_seed(0), then its own DataLoader "
          "order)")
    print(f"one-time warm-up per process, left out: d2l {base.warm_up:.2f}"
          f" s, d2lmini {ours.warm_up:.2f} s")


if __name__ == "__main__":
    main()
