"""`csdesk call NUMBER` to the caller on screen.

Usage: python tests/benchmarks/bench_call.py [--customers N] [--runs R]

1. Cold: no csdesk running; `csdesk call` starts the window with the caller (command start to
   the started window answering).
2. Warm: against that running window, R calls of a known customer's number. Two figures:
   send -> caller shown (measured by the command: from writing the request to the window's
   answer, which comes after the customer is open), and the whole command's wall time (Python
   start, imports, socket). Target for send -> caller shown: under 200 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    e.setdefault("QT_QPA_PLATFORM", "offscreen")
    e.pop("CSDESK_STARTUP_PROBE", None)
    return e


def csdesk(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "csdesk", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=env(),
        check=True,
        timeout=120,
    )


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        csdesk(db, "demo", "--customers", str(args.customers), "--seed", "3")
        hits = json.loads(csdesk(db, "search", "555", "--json").stdout)
        number = next(p for h in hits for p in h["phones"] if p.startswith("+1555"))
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


if __name__ == "__main__":
    main()
