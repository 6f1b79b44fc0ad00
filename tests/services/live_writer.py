"""One counter of the multi-process test (tests/services/test_live_processes.py): N mixed writes
on the same customers as the other counters, printing what it committed and what was refused."""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

from csdesk.domain import CustomerDraft
from csdesk.errors import Conflict
from csdesk.services.desk import Desk
from csdesk.store.server.target import is_server


def main(path: str, counter: int, writes: int, seed: int) -> None:
    rng = random.Random(seed)
    target: Path | str = path if is_server(path) else Path(path)  # the server's URL, or the file
    desk = Desk.open(target, computer=f"Counter {counter}")
    ids = [int(r[0]) for r in desk.db.execute("SELECT id FROM customers ORDER BY id")]
    out: dict[str, list[object]] = {"visits": [], "notes": [], "edits": [], "conflicts": [],
                                    "errors": [], "waits": []}
    for i in range(writes):
        cid = rng.choice(ids)
        started = time.perf_counter()
        try:
            what = rng.random()
            if what < 0.35:
                out["visits"].append(desk.visits.log(cid, purpose=f"c{counter} visit {i}").id)
            elif what < 0.6:
                out["notes"].append(desk.notes.add(cid, f"c{counter} note {i}").id)
            else:
                seen = desk.customers.get(cid)
                time.sleep(rng.random() * 0.004)  # a person typing: others may save meanwhile
                saved = desk.customers.update(
                    cid, CustomerDraft(first_name=seen.first_name, company=f"c{counter}-{i}"),
                    version=seen.version,
                )
                out["edits"].append([cid, seen.version, saved.version, f"c{counter}-{i}"])
        except Conflict as exc:
            out["conflicts"].append([cid, str(exc)])
        except Exception as exc:  # anything else is a failure the test reports
            out["errors"].append(f"{type(exc).__name__}: {exc}")
        out["waits"].append(time.perf_counter() - started)
    desk.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
