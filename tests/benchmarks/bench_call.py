"""`csdesk call NUMBER` to the caller on screen.

Usage: python tests/benchmarks/bench_call.py [--customers N] [--runs R] [--tree CHECKOUT ...]
(--tree: the painted figure's `csdesk call` comes from that checkout, e.g. main's, and again from
this one: the calls alternate, to the same open window of this checkout, a before/after pair at
the same load.)

1. Cold: no csdesk running; `csdesk call` starts the window with the caller (command start to
   the started window answering).
2. Warm: against that running window, R calls of a known customer's number. Two figures:
   send -> caller shown (measured by the command: from writing the request to the window's
   answer, which comes after the customer is open), and the whole command's wall time (Python
   start, imports, socket). Target for send -> caller shown: under 200 ms.
3. Painted (issue 17): a window started with CSDESK_CALL_PROBE=1 prints the moment the customer
   view is next painted after each call; R calls alternating between two customers, each timed
   from just before `csdesk call` is spawned to that paint, beside the CPU time (user+sys) of each
   `csdesk call` process, which a loaded machine inflates far less than the wall clock.
   Target: p50 < 150 ms, p99 < 250 ms. The machine's load is printed with the figures.

Every process runs from compiled bytecode, as an installed csdesk does: PYTHONDONTWRITEBYTECODE
is dropped and the .pyc files go to a cache outside the tree (the one bench_startup.py uses), and
one call before the timed ones fills it. Without that each `csdesk call` compiled its modules
again (~40-50 ms of every figure), which no shop's softphone pays.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYCACHE = Path(tempfile.gettempdir()) / "csdesk-bench-pycache"  # as bench_startup.py's


def env(tree: Path = ROOT) -> dict[str, str]:
    e = dict(os.environ)
    e.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed app has its .pyc: see the docstring
    e["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    e["PYTHONPATH"] = str(tree) + os.pathsep + e.get("PYTHONPATH", "")
    e.setdefault("QT_QPA_PLATFORM", "offscreen")
    e.pop("CSDESK_STARTUP_PROBE", None)
    return e


def csdesk(db: Path, *args: str, tree: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "csdesk", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=env(tree),
        check=True,
        timeout=120,
        cwd=tree,  # `-m` puts the working folder first on the path: the tree's own csdesk
    )


def cpu_ms_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * 1000


def painted_calls(
    db: Path, numbers: list[str], runs: int, trees: list[Path]
) -> dict[Path, tuple[list[float], list[float]]]:
    """For each tree, ms from spawning its `csdesk call` to the caller painted in an already-open
    window (this checkout's), and the CPU ms of each `csdesk call` process (the window's own CPU
    is not in it: it is still running). The trees take turns, call by call."""
    env_probe = {**env(), "CSDESK_CALL_PROBE": "1"}
    window = subprocess.Popen(
        [sys.executable, "-m", "csdesk", "--db", str(db), "--call", numbers[0]],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env_probe,
        cwd=ROOT,
    )
    assert window.stdout is not None
    try:
        wait_for_window(db)
        found: dict[Path, tuple[list[float], list[float]]] = {tree: ([], []) for tree in trees}
        turns = len(trees)
        for i in range(-turns, runs * turns):  # the first round: warm-up calls, not counted
            tree = trees[i % turns]
            number = numbers[(i + 1) % len(numbers)]  # another customer each time: a real change
            cpu_before = cpu_ms_of_children()
            spawned = time.time()
            out = json.loads(csdesk(db, "call", number, "--json", tree=tree).stdout)
            painted = read_paint(window.stdout)
            assert out["shown"] == "customer" and not out["started"], out
            if i >= 0:
                found[tree][0].append((painted - spawned) * 1000)
                found[tree][1].append(cpu_ms_of_children() - cpu_before)
        return found
    finally:
        window.terminate()
        window.wait(30)


def wait_for_window(db: Path) -> None:
    """Until the window answers on its socket and has shown its first caller."""
    sys.path.insert(0, str(ROOT))
    from csdesk.ui.socket_guard import server_name

    deadline = time.monotonic() + 60
    while not os.path.exists(server_name(db)):
        if time.monotonic() > deadline:
            raise SystemExit("the window did not come up within 60 s")
        time.sleep(0.1)
    time.sleep(2.0)  # listening; its own first caller (from --call) shown and painted


def read_paint(stream: object) -> float:
    assert hasattr(stream, "readline")
    while True:
        ready, _, _ = select.select([stream], [], [], 30)
        if not ready:
            raise SystemExit("the window printed no paint within 30 s")
        line = stream.readline()
        if not line:
            raise SystemExit("the window stopped")
        if line.startswith("call-probe painted_at="):
            return float(line.split("=", 1)[1])


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--tree", type=Path, action="append",
                        help="a csdesk checkout whose `csdesk call` is timed (repeat it: the calls "
                        "alternate); default this one")
    args = parser.parse_args()
    trees: list[Path] = args.tree or [ROOT]
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        csdesk(db, "demo", "--customers", str(args.customers), "--seed", "3")
        hits = json.loads(csdesk(db, "search", "555", "--json", "--limit", "100").stdout)
        numbers = [h["phones"][0] for h in hits if h["phones"] and h["phones"][0].startswith("+1555")]
        numbers = [n for n in numbers if len(json.loads(csdesk(db, "search", n, "--json").stdout)) == 1]
        number = numbers[0]
        print(f"load before: {load()}")
        started = time.perf_counter()
        cold = json.loads(csdesk(db, "call", number, "--json").stdout)
        cold_ms = (time.perf_counter() - started) * 1000
        pid = int(cold["pid"])
        try:
            shown: list[float] = []
            wall: list[float] = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                out = json.loads(csdesk(db, "call", number, "--json").stdout)
                wall.append((time.perf_counter() - t0) * 1000)
                assert out["shown"] == "customer", out
                shown.append(float(out["ms"]))
        finally:
            os.kill(pid, signal.SIGTERM)
        painted_by_tree = painted_calls(db, numbers[:2], args.runs, trees)
    print(f"csdesk call, {args.customers:,} customers, {args.runs} calls")
    print(f"  cold (csdesk not running, started with the caller): {cold_ms:.0f} ms")
    print(
        f"  send -> caller shown: p50 {statistics.median(shown):.1f} ms, p99 {pct(shown, 99):.1f} ms"
        f" (target < 200 ms)"
    )
    print(
        f"  whole command (interpreter + imports + socket): p50 {statistics.median(wall):.0f} ms,"
        f" p99 {pct(wall, 99):.0f} ms"
    )
    for tree, (painted, cpus) in painted_by_tree.items():
        print(f"  `csdesk call` of {tree}:")
        print(
            f"    spawn -> caller painted in the open window: p50 {statistics.median(painted):.0f} ms,"
            f" p99 {pct(painted, 99):.0f} ms, max {max(painted):.0f} ms (target p50 < 150, p99 < 250)"
        )
        print(
            f"    CPU (user+sys) of each `csdesk call` process: p50 {statistics.median(cpus):.0f} ms,"
            f" p99 {pct(cpus, 99):.0f} ms"
        )
    print(f"load after: {load()}")


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
