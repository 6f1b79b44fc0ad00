"""Kill -9 an import at random moments, many times; count damaged files and lost or phantom rows.

Run: PYTHONPATH=$PWD python tests/benchmarks/bench_import_kill.py [CYCLES] [ROWS]

Each cycle forks a child that imports ROWS customers (250 per batch) into one database and
SIGKILLs it a random moment after it starts writing (the preview is not what is tested).
The next open must find the database intact, the import marked interrupted, and exactly the
rows its counts say were committed (none lost, none extra).
Every fourth cycle resumes the import instead of leaving it, so later cycles start from data.
"""

from __future__ import annotations

import os
import random
import signal
import sys
import tempfile
import time
from pathlib import Path

from csdesk.services.desk import Desk
from csdesk.services.importing import service as import_service


def main(cycles: int, rows: int) -> None:
    rng = random.Random(14)
    folder = Path(tempfile.mkdtemp(prefix="csdesk-kill-"))
    db_path = folder / "shop.db"
    Desk.open(db_path).close()
    damaged = lost = phantom = not_marked = resumed = 0
    mid_import = finished = before_start = committed = 0
    started = time.perf_counter()
    for cycle in range(cycles):
        src = folder / f"c{cycle}.csv"
        src.write_text(
            "First Name,Last Name,Email\n"
            + "".join(f"K{cycle}-{i},L,k{cycle}-{i}@example.com\n" for i in range(rows)),
            encoding="utf-8",
        )
        ready, tell = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(ready)
                import_service.BATCH_ROWS = 250
                desk = Desk.open(db_path)
                desk.auth.act_as_cli()
                plan = desk.imports.preview(src)
                os.write(tell, b"x")  # the kill lands while it writes, at a random moment
                desk.imports.apply(plan)
            finally:
                os._exit(0)
        os.close(tell)
        os.read(ready, 1)
        os.close(ready)
        time.sleep(rng.uniform(0.0, 1.2))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        desk = Desk.open(db_path)
        if desk.db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            damaged += 1
        batch = desk.imports.batches(1)
        if batch and batch[0]["file_name"] == src.name:
            b = batch[0]
            have = desk.db.execute(
                "SELECT count(*) FROM customers WHERE first_name LIKE ?", [f"K{cycle}-%"]
            ).fetchone()[0]
            lost += max(0, b["created_count"] - have)
            phantom += max(0, have - b["created_count"])
            if b["status"] == "running":
                not_marked += 1
            mid_import += b["status"] == "interrupted"
            finished += b["status"] == "done"
            committed += b["created_count"]
            if b["status"] == "interrupted" and cycle % 4 == 0:
                desk.auth.act_as_cli()
                desk.imports.resume(b["id"])
                resumed += 1
        else:
            before_start += 1
        desk.close()
    took = time.perf_counter() - started
    print(f"cycles: {cycles} of {rows:,} rows, {took:.1f} s ({took / cycles:.2f} s a cycle)")
    print(f"damaged files: {damaged}; committed rows lost: {lost}; rows beyond the counts: {phantom}")
    print(
        f"killed mid-import: {mid_import} ({committed:,} rows committed in all), before the first "
        f"batch: {before_start}, after it finished: {finished}"
    )
    print(f"imports left 'running' after the next open: {not_marked}; resumed to the end: {resumed}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40, int(sys.argv[2]) if len(sys.argv) > 2 else 3000)
