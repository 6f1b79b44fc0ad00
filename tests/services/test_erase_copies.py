"""Erasure leaves no copies it does not name: drafts go too, every backup still holding the data
is said with when it goes, and a file rewrite that ran out of disk is reported as that."""

from __future__ import annotations

import os
import resource
import signal
from pathlib import Path

import pytest

from csdesk.domain import CustomerDraft
from csdesk.services.desk import Desk
from tests.services.helpers_security import fast_scrypt

__all__ = ["fast_scrypt"]
pytestmark = pytest.mark.usefixtures("fast_scrypt")


def test_erase_removes_the_customers_autosaved_drafts(desk: Desk) -> None:
    desk.auth.act_as_cli()
    maria = desk.customers.create(CustomerDraft(first_name="Maria", last_name="Garcia")).id
    other = desk.customers.create(CustomerDraft(first_name="John")).id
    desk.drafts.save("note", maria, {"body": "Maria's husband is allergic to nuts"})
    desk.drafts.save("visit", maria, {"purpose": "boots for Maria"})
    desk.drafts.save("note", other, {"body": "kept"})
    result = desk.privacy.erase(maria)
    assert result.drafts_removed == 2
    assert [d.customer_id for d in desk.drafts.pending()] == [other]
    leftovers = b"".join(p.read_bytes() for p in desk.drafts.folder.glob("*"))
    assert b"Maria" not in leftovers


def test_erase_names_every_backup_that_still_holds_the_data(desk: Desk, tmp_path: Path) -> None:
    desk.auth.act_as_cli()
    maria = desk.customers.create(CustomerDraft(first_name="Maria")).id
    desk.backups.auto("startup")
    desk.backups.backup()  # manual, in the folder
    outside = desk.backups.backup(tmp_path / "usb-stick.db").path
    result = desk.privacy.erase(maria)
    text = " ".join(result.copies)
    assert f"2 backups in {desk.backups.folder}" in text and "rotation deletes them by" in text
    assert str(outside) in text and "until you delete it" in text


def test_erase_on_a_full_disk_says_the_rewrite_failed_for_lack_of_space(
    db_path: Path,
) -> None:
    desk = Desk.open(db_path)
    for i in range(1500):
        desk.customers.create(CustomerDraft(first_name=f"Filler{i}", address="x" * 480))
    maria = desk.customers.create(CustomerDraft(first_name="Maria")).id
    desk.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    desk.close()
    # A real write failure: no file may grow past 300 KB. The erasure's own commit fits in the
    # WAL; VACUUM, which writes the whole ~1 MB file again, does not (EFBIG, SQLite's "full").
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (300_000, resource.RLIM_INFINITY))
            child = Desk.open(db_path)
            child.auth.act_as_cli()
            result = child.privacy.erase(maria)
            os.write(write_fd, f"{result.scrub_problem}|{result.file_scrubbed}".encode())
        finally:
            os._exit(0)
    os.close(write_fd)
    os.waitpid(pid, 0)
    with os.fdopen(read_fd) as reader:
        # EFBIG reaches SQLite as a write error (ENOSPC would be "full"): either way not "busy"
        assert reader.read() in ("no_space|False", "write_failed|False")
    desk = Desk.open(db_path)
    try:
        assert desk.customers.count() == 1500  # the erasure itself committed
    finally:
        desk.close()
