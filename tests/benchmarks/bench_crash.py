"""1,000 kill -9 cycles: damaged files and lost committed writes (both must be 0), and the time.

Run: .venv/bin/python -m tests.benchmarks.bench_crash [CYCLES]
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from tests.store.crash_harness import run_cycles


def main() -> int:
    cycles = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory(prefix="csdesk-crash-") as folder:
        os.environ["CSDESK_DATA_DIR"] = folder
        report = run_cycles(Path(folder), cycles)
    load = os.getloadavg()
    print(
        f"crash: {report.cycles} kill -9 cycles in {report.seconds:.1f} s "
        f"({report.seconds / report.cycles * 1000:.0f} ms each) over {report.files} files; "
        f"{report.committed} committed writes; damaged files {len(report.damaged)}, "
        f"lost committed writes {len(report.lost)}; load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    for line in (report.damaged + report.lost)[:20]:
        print("  ", line)
    return 0 if not report.damaged and not report.lost else 1


if __name__ == "__main__":
    raise SystemExit(main())
