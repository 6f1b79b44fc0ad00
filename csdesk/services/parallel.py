"""Pure-Python work on the other cores: jobs run in worker processes, answers come back in order.

For CPU-bound generation only (the demo's million customers): the GIL keeps threads on one core.
The caller keeps every database write in its own process and transaction; workers never open
the database, they only compute and return picklable values.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def spare_cores() -> int:
    """Cores this process may use (its affinity, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no sched_getaffinity
        return os.cpu_count() or 1


def ordered_map(
    fn: Callable[..., T], jobs: Iterable[tuple[Any, ...]], workers: int, ahead: int = 2
) -> Iterator[T]:
    """fn(*job) for each job, yielded in the jobs' order.

    workers == 0: in this process, one at a time (the same answers: fn must be pure). Otherwise
    `workers` processes started with 'spawn': a fork would copy a window's threads or an open
    database connection into the child, and spawn is what macOS and Windows do anyway. At most
    `ahead` answers per worker wait to be taken, so memory stays bounded however many jobs.
    Closing the iterator early (a cancel, an error while writing) cancels the jobs not started.
    """
    if getattr(sys, "frozen", False):
        # A PyInstaller build starts itself again as each worker; csdesk/__main__.py's
        # freeze_support should turn that run into the worker, but no built bundle has been
        # seen doing so, and a wrong guess runs csdesk's command line in every child: a bundle
        # works alone (as the import's helpers do), slower but certain.
        workers = 0
    if workers <= 0:
        for job in jobs:
            yield fn(*job)
        return
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    pending: deque[Future[T]] = deque()
    try:
        queue = iter(jobs)
        for job in queue:
            pending.append(pool.submit(fn, *job))
            if len(pending) >= workers * ahead:
                break
        while pending:
            answer = pending.popleft().result()
            for job in queue:  # keep the workers busy while the caller uses the answer
                pending.append(pool.submit(fn, *job))
                break
            yield answer
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
