"""`csdesk --help`, `--version` and a group's `--help`, each in a fresh Python process.

Usage: python tests/benchmarks/bench_cli_help.py [--runs R] [--tree CHECKOUT ...]
(--tree: run that checkout's csdesk, e.g. main's, and again with this one: the runs alternate, a
before/after pair at the same load.)

Issue 17: a command line should not import what it does not use; the root's --help listed the
commands by importing every command module. Prints wall-clock and CPU p50/p99 (ms) per command
line and tree, with the machine's load. Bytecode is compiled once (a warm-up run) into a cache
outside the tree, as an installed csdesk runs from compiled bytecode.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYCACHE = Path(tempfile.gettempdir()) / "csdesk-bench-pycache"
LINES = (["--help"], ["--version"], ["export", "--help"], ["search", "--help"])


def _env(tree: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    env["PYTHONPATH"] = str(tree)
    return env


def one_run(args: list[str], tree: Path) -> tuple[float, float]:
    """(wall ms, CPU ms of the child) for one `python -m csdesk ARGS`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "csdesk", *args], env=_env(tree), check=True,
                   stdout=subprocess.DEVNULL, cwd=tree)  # fmt: skip
    wall = (time.perf_counter() - start) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return wall, cpu


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--tree", type=Path, action="append", default=[])
    opts = parser.parse_args()
    trees = [t.resolve() for t in opts.tree] or [ROOT]
    if opts.tree and ROOT not in trees:
        trees.append(ROOT)
    for tree in trees:  # warm-up: compile bytecode for each tree
        for args in LINES:
            one_run(args, tree)
    results: dict[tuple[str, Path], list[tuple[float, float]]] = {}
    for _ in range(opts.runs):
        for args in LINES:
            for tree in trees:  # alternate, so both trees see the same load
                results.setdefault((" ".join(args), tree), []).append(one_run(args, tree))
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}, "
          f"{opts.runs} runs each")  # fmt: skip
    for (line, tree), runs in results.items():
        wall = [w for w, _ in runs]
        cpu = [c for _, c in runs]
        print(f"csdesk {line:<16} {tree!s:<22} wall p50 {statistics.median(wall):6.1f} ms "
              f"p99 {_p(wall, 0.99):6.1f} ms   CPU p50 {statistics.median(cpu):6.1f} ms "
              f"p99 {_p(cpu, 0.99):6.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
