"""A big CSV file's rows read and validated in helper processes while this one plans them.

Why: a preview spends ~60% of its CPU on work that needs no database and no earlier row:
reading the CSV, making the Record, validating it (phonenumbers, folding, e-mail checks). One
Python process does that on one core (measured ~60 µs a row of the ~85 a preview costs). Here
`workers` processes do it on the other core(s), chunks of CHUNK_ROWS rows each in turn, and
send back plain values (marshal: no pickling of classes); this process keeps what must stay
in file order and in one place, and is the same code as the serial preview: the "same e-mail as
row N" memory, matching against the database, namesakes, the plan's pages (plan.Planner).

Every helper reads the whole file itself (the CSV reader in C is ~4 µs a row; a row of another
helper's chunk is skipped before it is made a Record), so no process hands text to another,
and a row's line number and a broken line's error are the very ones the serial reader gives
(streaming.open_csv_stream, the same function). Helpers are plain `python -m` processes
(helper.py, worker.py) rather than multiprocessing's: its "spawn" runs the caller's main script again
in each child (a script without an `if __name__ == "__main__"` guard then fails), and "fork"
is not safe in a process running Qt and worker threads.

The helpers are started once the first page is planned, and the rows up to `start` are staged
here while they start (~0.15 s of CPU each: a fresh Python importing csdesk's rules and
phonenumbers), so the first page never waits for them.

What a helper sends, one message per chunk, in the order of its chunks:
  ("rows", [row, ...])          a full chunk
  ("end", [row, ...])           the file ended inside (or right at the start of) this chunk
  ("error", [row, ...], text)   a UserError from reading (a broken line, the file changed):
                                the rows before it, then the same message the serial path raises
  ("failed", [], text)          anything else: this process says the preview could not finish
A helper that dies without a word (killed, out of memory) is seen as the end of its pipe.
"""

from __future__ import annotations

import marshal
import os
import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import csdesk
from csdesk.errors import UserError
from csdesk.services.importing.items import PlanItem
from csdesk.services.importing.plan import FIRST_PAGE_ROWS
from csdesk.services.importing.records import Record
from csdesk.services.importing.staging import Staged, stage
from csdesk.services.importing.worker import read_frame

if TYPE_CHECKING:
    from csdesk.services.importing.plan import Source
    from csdesk.services.importing.streaming import StreamedText

# Below this many bytes (~15,000 rows of a Square export) the helpers' start-up costs more
# than they save: such a file is planned in this process alone.
MIN_BYTES = 2 * 1024 * 1024
# Rows staged here while the helpers start.
START_ROWS = 3000
# Rows a message: big enough that a message costs little per row, small enough that what the
# helpers run ahead of the planner stays a few MB.
CHUNK_ROWS = 500
# Messages a helper may be ahead, read off its pipe by a thread here. A pipe holds ~64 KB (a
# tenth of a message): a helper waited for this process at every message and this process for
# the helpers, and on a busy machine (load 3-4 on 2 cores) that stalling made the preview
# slower with helpers than without (17.0 s against 7.5 s for 100,000 rows).
AHEAD = 8


class HelperStopped(UserError):
    """A helper process stopped without finishing its rows; `why` says so in a clause (an
    import that had written batches already puts it in its own "stopped after N rows")."""

    def __init__(self, why: str) -> None:
        super().__init__(
            f"The preview could not be finished: {why}. Nothing was imported; preview the file again."
        )
        self.why = why


def helpers_for(size: int, load: float | None = None) -> int:
    """How many helper processes a file of `size` bytes is planned with (0: none), the machine
    having `load` runnable processes on average (the last minute's load if not given)."""
    from csdesk.services.parallel import spare_cores  # the demo's rule: this process's cores

    cores = spare_cores()
    # A frozen build (PyInstaller) has no `python -m` to start: it plans alone.
    if cores < 2 or size < MIN_BYTES or getattr(sys, "frozen", False):
        return 0
    if load is None:
        try:
            load = os.getloadavg()[0]
        except (AttributeError, OSError):  # Windows has no load average
            load = 0.0
    # The helpers cost ~25% more CPU in all (each reads the whole file, start-up, messages):
    # with no core to spare they only take it from others and stall on them. 100,000 rows,
    # 2 cores, A/B, the load when each run began: at 1.4-2.0 the preview took 5.5-5.7 s with
    # them and 7.2-9.2 s without; at 2.1-2.8, 10.6-17.1 s with and 8.1-8.6 without; at 3.7-6,
    # 10.9-25 s with and 10.7-13.7 without.
    if load >= cores:
        return 0
    # This process plans (~30 µs a row) while they stage (~60 µs): two keep two cores busy.
    return min(2, cores)


def _unflat(row: tuple[Any, ...]) -> Staged:
    values, name, reason, warnings, valid = row
    rec = Record(*values)
    return rec, PlanItem(rec.line, "skip", name, reason, warnings=list(warnings)), valid


class StagingPool:
    """Helper processes staging a CSV file's rows from `start` on (see the module's doc)."""

    def __init__(
        self,
        text: StreamedText,
        fmt: str,
        mapping: dict[str, str] | None,
        region: str,
        *,
        workers: int,
        start: int | None = None,
        chunk: int | None = None,
    ) -> None:
        self.start = START_ROWS if start is None else start
        chunk = CHUNK_ROWS if chunk is None else chunk
        self._procs: list[subprocess.Popen[bytes]] = []
        self._errs: list[IO[bytes]] = []
        self._boxes: list[queue.Queue[tuple[Any, ...] | None]] = []
        self._readers: list[threading.Thread] = []
        self._stop = threading.Event()
        # The very csdesk this process runs, whatever the caller's path: a source tree is put
        # first on the helper's path; an installed csdesk is found there as here (putting
        # site-packages before the standard library could shadow it).
        env = dict(os.environ)
        root = Path(csdesk.__file__).resolve().parent.parent
        if root.name not in ("site-packages", "dist-packages"):
            env["PYTHONPATH"] = os.pathsep.join(p for p in (str(root), env.get("PYTHONPATH")) if p)
        self._env = env
        where = (str(text.path), text.encoding, text.errors, text.sha256)
        self._job = (where, fmt, mapping, region, self.start, chunk)
        self._workers = workers
        # Started once the first page is planned: started with it, their start-up (a Python
        # importing csdesk's rules, ~0.15 s of CPU each) put off that page on a busy machine
        # (0.12 s alone, 0.77 s with them at load 5).
        self.launch_at = min(FIRST_PAGE_ROWS, self.start)

    def _launch(self) -> None:
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)  # Windows: no console flashing up
        workers = self._workers
        try:
            for me in range(workers):
                # What a dying helper last said, for the error; closed in close().
                err = tempfile.TemporaryFile()  # noqa: SIM115
                self._errs.append(err)
                proc = subprocess.Popen(
                    # -P: not the working folder first on the path (a file there named like a
                    # module would be imported instead)
                    [sys.executable, "-P", "-m", "csdesk.services.importing.helper"],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err,
                    env=self._env, creationflags=flags,
                )  # fmt: skip
                self._procs.append(proc)
                assert proc.stdin is not None
                proc.stdin.write(marshal.dumps((*self._job, me, workers)))
                proc.stdin.close()
                box: queue.Queue[tuple[Any, ...] | None] = queue.Queue(AHEAD)
                reader = threading.Thread(
                    target=self._drain, args=(proc.stdout, box), name=f"import-helper-{me}", daemon=True
                )
                reader.start()
                self._boxes.append(box)
                self._readers.append(reader)
        except BaseException:
            self.close()
            raise

    def staged(self, records: Iterator[Record], region: str) -> Iterator[Staged]:
        """Every row in file order: the first `start` staged here from `records` (the serial
        reader of the same file), the rest as the helpers send them."""
        for position, rec in enumerate(records):
            if position == self.launch_at:
                self._launch()
            if position >= self.start:
                break
            yield (rec, *stage(rec, region))
        else:
            return  # the file ended before the helpers' first row
        number = 0  # of the chunk: helper number % workers sends it
        while True:
            message = self._receive(number % len(self._procs))
            for row in message[1]:
                yield _unflat(row)
            if message[0] == "rows":
                number += 1
                continue
            if message[0] == "end":
                return
            if message[0] == "error":
                raise UserError(message[2])
            raise HelperStopped(f"a helper process failed ({message[2]})")

    def _drain(self, source: IO[bytes], box: queue.Queue[tuple[Any, ...] | None]) -> None:
        """A helper's messages into its box, as fast as it sends them; None when it ended."""
        while not self._stop.is_set():
            try:
                message = read_frame(source)
            except (OSError, ValueError, EOFError):  # closed by close(), or cut short
                message = None
            while not self._stop.is_set():
                try:
                    box.put(message, timeout=0.1)
                    break
                except queue.Full:
                    continue
            if message is None or message[0] != "rows":
                return

    def _receive(self, worker: int) -> tuple[Any, ...]:
        proc = self._procs[worker]
        message = self._boxes[worker].get()
        if message is not None:
            return message
        code = proc.wait()
        err = self._errs[worker]
        err.seek(0)
        said = err.read().decode("utf-8", "replace").strip().splitlines()
        last = f": {said[-1][:200]}" if said else ""
        raise HelperStopped(f"a helper process reading the file stopped (exit code {code}{last})")

    def close(self) -> None:
        """Stop the helpers (they may still be reading after a cancel or an error)."""
        self._stop.set()
        for proc in self._procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
        for reader in self._readers:
            reader.join()  # it sees the pipe's end (or the stop) at once
        for proc in self._procs:
            if proc.stdout is not None:
                proc.stdout.close()
        for err in self._errs:
            err.close()
        self._procs, self._errs, self._boxes, self._readers = [], [], [], []


@contextmanager
def staged_rows(source: Source, region: str) -> Iterator[Iterator[Staged] | None]:
    """The file's rows staged by helper processes when it is a CSV file big enough for them to
    pay (see helpers_for), else None: plan.build_plan then stages each row itself."""
    text = source.text
    workers = helpers_for(text.path.stat().st_size) if text is not None else 0
    if text is None or not workers:
        yield None
        return
    pool = StagingPool(text, source.fmt, source.mapping, region, workers=workers)
    try:
        yield pool.staged(source.records, region)
    finally:
        pool.close()
