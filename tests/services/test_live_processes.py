"""Three counters in three processes, 500 mixed writes each on the same 20 customers, on the
file and on the server (the `db_target` fixture runs it on both engines): every committed append
is there, no save silently overwrote another (each refused one was reported as a Conflict), and
nothing failed but conflicts (the file with its ordinary busy timeout, the server with its row
locks)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from csdesk.domain import CustomerDraft
from csdesk.services.desk import Desk

WRITER = Path(__file__).with_name("live_writer.py")
ROOT = Path(__file__).resolve().parents[2]


WRITES = 500


def test_three_counters_five_hundred_writes_each(db_target: Path | str, engine: str) -> None:
    db_path = db_target
    desk = Desk.open(db_path)
    for n in range(20):
        desk.customers.create(CustomerDraft(first_name=f"Shared{n}"))
    desk.close()
    procs = [
        subprocess.Popen(
            [sys.executable, str(WRITER), str(db_path), str(c), str(WRITES), str(c)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
            # this checkout's csdesk, not whichever one the environment has installed
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        for c in (1, 2, 3)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
        results.append(json.loads(out))
    assert [e for r in results for e in r["errors"]] == []
    desk = Desk.open(db_path)
    db = desk.db
    visits = {int(r[0]) for r in db.execute("SELECT id FROM visits")}
    notes = {int(r[0]) for r in db.execute("SELECT id FROM notes")}
    assert {v for r in results for v in r["visits"]} <= visits
    assert {n for r in results for n in r["notes"]} <= notes
    assert len(visits) == sum(len(r["visits"]) for r in results)
    # No silent overwrite: every save that was not refused moved its customer's version on by
    # exactly one from the version it was read at, so the saves of one customer form a chain.
    edits = [e for r in results for e in r["edits"]]
    per_customer = Counter(cid for cid, _read, _saved, _company in edits)
    for _cid, read, saved, _company in edits:
        assert saved == read + 1
    for cid, count in per_customer.items():
        version, company = db.execute(
            "SELECT version, company FROM customers WHERE id = ?", [cid]
        ).fetchone()
        assert version == 1 + count  # one bump per accepted save, none lost, none extra
        chain = sorted((read, c) for c_id, read, _s, c in edits if c_id == cid)
        assert [read for read, _c in chain] == list(range(1, count + 1))
        assert company == chain[-1][1]  # the last accepted save is what is stored
    conflicts = [c for r in results for c in r["conflicts"]]
    assert all("changed" in text and "details" in text for _cid, text in conflicts)
    # Every audit row of an accepted edit, none of a refused one
    audited = db.execute(
        "SELECT count(*) FROM audit WHERE entity = 'customer' AND action = 'update'"
    ).fetchone()[0]
    assert audited == len(edits)
    waits = sorted(w for r in results for w in r["waits"])
    assert len(waits) == 3 * WRITES
    p50, p99, longest = waits[len(waits) // 2], waits[int(len(waits) * 0.99)], waits[-1]
    print(f"{engine}: visits {len(visits)}, notes {len(notes)}, edits {len(edits)}, conflicts "
          f"{len(conflicts)}; write wait p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
          f"longest {longest * 1000:.0f} ms")
    desk.close()
