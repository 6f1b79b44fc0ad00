"""Drafts survive a crash: atomic files, found again after SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from csdesk.errors import UserError
from csdesk.services.desk import Desk
from csdesk.services.drafts import DraftService, draft_key, drafts_dir_for

ROOT = Path(__file__).resolve().parents[2]


def test_save_get_list_discard(desk: Desk) -> None:
    drafts = desk.drafts
    assert drafts.pending() == []
    drafts.save("visit", 5, {"purpose": "fitted walking boots", "satisfaction": 4})
    drafts.save("note", 5, {"body": "Daughter started uni — ask how it’s going 🎓"})
    drafts.save("visit", None, {"purpose": "walk-in"})
    again = drafts.save("visit", 5, {"purpose": "fitted walking boots, size 43"})
    found = drafts.get("visit", 5)
    assert found == again and found.fields["purpose"].endswith("size 43")
    assert drafts.get("note", 5).fields["body"].endswith("🎓")  # type: ignore[union-attr]
    assert {d.key for d in drafts.pending()} == {"visit-5", "note-5", "visit-new"}
    assert drafts.discard("visit", 5) is True
    assert drafts.discard("visit", 5) is False
    assert drafts.get("visit", 5) is None
    assert {d.key for d in drafts.pending()} == {"note-5", "visit-new"}


def test_each_database_has_its_own_drafts(tmp_path: Path) -> None:
    assert drafts_dir_for(tmp_path / "a.db") != drafts_dir_for(tmp_path / "b.db")
    one = DraftService(drafts_dir_for(tmp_path / "a.db"))
    one.save("note", 1, {"body": "x"})
    assert DraftService(drafts_dir_for(tmp_path / "b.db")).pending() == []


def test_unreadable_and_partial_files_are_skipped(desk: Desk) -> None:
    desk.drafts.save("note", 1, {"body": "fine"})
    folder = desk.drafts.folder
    (folder / "note-2.json").write_text("{not json", encoding="utf-8")
    (folder / "note-3.json").write_text(
        '{"kind": "../../etc", "customer_id": 3, "fields": {}, "saved_at": ""}', encoding="utf-8"
    )
    (folder / ".draft-abc.part").write_text('{"kind": "note"', encoding="utf-8")
    assert [d.key for d in desk.drafts.pending()] == ["note-1"]


@pytest.mark.parametrize("kind", ["", "../x", "Visit", "a/b", "x" * 40, "visit\x00"])
def test_hostile_kinds_are_refused(kind: str) -> None:
    with pytest.raises(ValueError):
        draft_key(kind, 1)


def test_too_big_a_draft_is_a_user_error(desk: Desk) -> None:
    with pytest.raises(UserError):
        desk.drafts.save("note", 1, {"body": "x" * 100_000})
    assert desk.drafts.get("note", 1) is None


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from csdesk.services.drafts import DraftService, drafts_dir_for

    drafts = DraftService(drafts_dir_for(Path(sys.argv[1])))
    n = 0
    while True:
        n += 1
        drafts.save("visit", 42, {"purpose": "fitted walking boots " * 50, "n": n})
        if n == 1:
            print("saved", flush=True)
    """
)


def test_draft_survives_sigkill_mid_write(tmp_path: Path) -> None:
    db_path = tmp_path / "shop.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db_path)], stdout=subprocess.PIPE, env=env, text=True
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "saved"
        time.sleep(0.3)  # mid-stream: it is rewriting the draft as fast as it can
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    found = DraftService(drafts_dir_for(db_path)).pending()
    assert [d.key for d in found] == ["visit-42"]
    assert found[0].fields["purpose"] == "fitted walking boots " * 50
    assert found[0].fields["n"] >= 1
