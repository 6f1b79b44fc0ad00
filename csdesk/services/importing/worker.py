"""What a helper process of pool.StagingPool does (started as helper.py, which nothing imports:
run with -m, a module the package already imported would be loaded twice).

It reads its job (marshal bytes) from stdin, stages its chunks of the file (see pool.py) and
writes one frame per chunk to stdout: 4 bytes of length, then marshal bytes. Anything printed
on the way goes to stderr, so no stray print can break a frame.
"""

from __future__ import annotations

import marshal
import struct
import sys
from dataclasses import fields
from operator import attrgetter
from typing import IO, Any

from csdesk.errors import UserError
from csdesk.services.importing.records import Record

_LENGTH = struct.Struct("<I")
_record_values = attrgetter(*(f.name for f in fields(Record)))


def write_frame(out: IO[bytes], message: tuple[Any, ...]) -> None:
    data = marshal.dumps(message)
    out.write(_LENGTH.pack(len(data)) + data)
    out.flush()


def read_frame(source: IO[bytes]) -> tuple[Any, ...] | None:
    """The next message, or None when the helper's end is closed (it ended or died)."""
    head = source.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    data = source.read(_LENGTH.unpack(head)[0])
    # Our own helper's bytes, never a file's: marshal reads back only plain values.
    message: tuple[Any, ...] = marshal.loads(data)
    return message


def work(job: tuple[Any, ...], out: IO[bytes]) -> None:
    """Stage this helper's chunks of the file from row `start` on and send each (pool.py)."""
    from csdesk.services.importing import formats
    from csdesk.services.importing.collector import fewer_collections
    from csdesk.services.importing.staging import stage
    from csdesk.services.importing.streaming import StreamedText, open_csv_stream

    (path, encoding, errors, sha256), fmt, mapping, region, start, chunk, me, workers = job
    rows_out: list[tuple[Any, ...]] = []
    try:
        with fewer_collections():
            from pathlib import Path

            source = StreamedText(Path(path), encoding, errors, sha256)
            header, _count, rows = open_csv_stream(source)
            colmap = formats.mapping_for(fmt, header, mapping)
            # line: the row number a spreadsheet shows, as plan.open_file; `at` counts the rows
            # that are not blank, as the planner does when it deals out the chunks
            for at, (n, first, last, cells) in enumerate(rows, start=-start):
                if at < 0 or (at // chunk) % workers != me:
                    continue  # another helper's row (or one the planner stages itself)
                rec = formats.csv_record(colmap, cells, n, (first, last))
                item, valid = stage(rec, region)
                rows_out.append((_record_values(rec), item.name, item.reason, tuple(item.warnings), valid))
                if len(rows_out) == chunk:
                    write_frame(out, ("rows", rows_out))
                    rows_out = []
        write_frame(out, ("end", rows_out))
    except UserError as exc:
        write_frame(out, ("error", rows_out, exc.message))
    except BrokenPipeError:
        pass  # the planner stopped (cancelled, or it failed): nobody is listening
    except Exception as exc:  # said in one line by the process that plans
        write_frame(out, ("failed", [], f"{type(exc).__name__}: {exc}"))


def main() -> None:
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # frames only on the real stdout
    job = marshal.loads(sys.stdin.buffer.read())
    work(job, out)
