"""A batch of e-mail: 500 letters queued (rendered, recorded, put in the outbox in one
transaction), then sent over one STARTTLS + AUTH connection to a loopback aiosmtpd.

Usage: python tests/benchmarks/bench_email.py [--count 500] [--template thank_you]
Targets (issue 18): queued in < 2 s, sent in < 60 s. Prints p50/p99 per message too.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--template", default="thank_you")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-email-") as folder:
        tmp = Path(folder)
        os.environ["CSDESK_DATA_DIR"] = str(tmp / "data")
        os.environ["XDG_DATA_HOME"] = str(tmp / "xdg")
        os.environ["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"
        from csdesk.domain import CustomerDraft
        from csdesk.services.desk import Desk
        from tests import mail_server

        server = mail_server.start(tmp)
        os.environ["SSL_CERT_FILE"] = str(server.cert)
        desk = Desk.open(tmp / "bench.db")
        mail_server.configure(desk, server)
        ids = [
            desk.customers.create(CustomerDraft(first_name=f"Zoë{i}", last_name="Ñúñez",
                                                email=f"c{i}@example.test")).id
            for i in range(args.count)
        ]
        marks: list[float] = []

        def tick(done: int, total: int) -> bool:
            marks.append(time.perf_counter())
            return True

        t0 = time.perf_counter()
        report = desk.outbox.queue_batch(args.template, ids, progress=tick)
        queued_s = time.perf_counter() - t0
        per_queue = [b - a for a, b in itertools.pairwise(marks)]
        assert len(report.queued) == args.count, report.skipped[:3]
        marks.clear()
        t0 = time.perf_counter()
        sent = desk.mail_sender.send_due(progress=tick)
        sent_s = time.perf_counter() - t0
        per_send = [b - a for a, b in itertools.pairwise(marks)]
        assert len(sent.sent) == args.count, (sent.stopped, sent.failed[:3])
        assert len(server.received) == args.count
        size = sum(len(m.as_bytes()) for m in server.received) / args.count
        desk.close()
        server.controller.stop()
        load = os.getloadavg()
        print(f"e-mails: {args.count} ({args.template}), mean size {size / 1024:.1f} KiB")
        print(f"queue: {queued_s:.2f} s total (target < 2 s); per letter p50 "
              f"{statistics.median(per_queue) * 1000:.2f} ms, p99 {pct(per_queue, 0.99) * 1000:.2f} ms")
        print(f"send:  {sent_s:.2f} s total (target < 60 s); per message p50 "
              f"{statistics.median(per_send) * 1000:.2f} ms, p99 {pct(per_send, 0.99) * 1000:.2f} ms")
        print(f"load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
