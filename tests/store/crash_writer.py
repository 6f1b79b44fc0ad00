"""Writer for the crash test: creates customers (with a visit) and prints each id after commit.

Run as: python crash_writer.py DB_PATH TAG (or forked by the test: write_forever).
Prints "ready", then "<id> <name>" per committed write.
"""

from __future__ import annotations

import sys
from typing import TextIO

from csdesk.domain import CustomerDraft
from csdesk.services.desk import Desk


def write_forever(path: str, tag: str, out: TextIO, *, checkpoints: bool = False) -> None:
    desk = Desk.open(path, source="crash-test")
    if checkpoints:
        desk.start_background_checkpoints(interval_s=0.01)  # kills land in checkpoints too
    print("ready", file=out, flush=True)
    n = 0
    while True:
        name = f"Crash{tag}x{n}"
        customer = desk.customers.create(
            CustomerDraft(
                first_name=name,
                last_name="Writer",
                email=f"{name.lower()}@example.com",
                phones=(("mobile", f"+1 415 555 {n % 10000:04d}"),),
                address="a" * (n % 400),  # within the 500-character limit
            )
        )
        desk.visits.log(customer.id, purpose=f"visit {n}")
        # Printed only after both transactions committed: a promise the test holds us to.
        print(customer.id, name, file=out, flush=True)
        n += 1


def main() -> None:
    write_forever(sys.argv[1], sys.argv[2], sys.stdout)


if __name__ == "__main__":
    main()
