"""A letter is recorded only once its file exists (issue 13.2): one letter, a batch, a full disk.

Real files, real processes, the real Qt renderer the CLI and the window use.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from csdesk.domain import CustomerDraft
from csdesk.errors import UserError
from csdesk.render.qt import QtRenderer
from csdesk.services.desk import Desk
from tests.settings_seam import set_setting


def letters_in(db_path: Path) -> int:
    desk = Desk.open(db_path)
    try:
        return int(desk.db.execute("SELECT count(*) FROM letters").fetchone()[0])
    finally:
        desk.close()


@pytest.fixture
def people(desk: Desk) -> list[int]:
    return [desk.customers.create(CustomerDraft(first_name=n)).id for n in ("Ada", "Bo", "Cy")]


def csdesk(db: Path | str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "csdesk", "--db", str(db), *args],
        capture_output=True, text=True, timeout=120, env={**os.environ}, check=False,
    )


@pytest.mark.parametrize("target", ["/proc/x.pdf", "/dev/full"])
def test_cli_letter_that_cannot_be_written_is_not_recorded(
    desk: Desk, people: list[int], db_target: Path | str, target: str
) -> None:
    done = csdesk(db_target, "letter", "thank_you", "--customer", str(people[0]), "-o", target)
    assert done.returncode == 1, done.stdout
    assert "nothing was written" in done.stderr and "Traceback" not in done.stderr
    assert "recorded" not in done.stdout
    assert desk.letters.for_customer(people[0]) == []


@pytest.mark.parametrize("target", ["/proc/x.pdf", "/dev/full"])
def test_cli_batch_that_cannot_be_written_records_nothing(
    desk: Desk, people: list[int], db_target: Path | str, target: str
) -> None:
    # the desk's own book (on the server too): the people exist there
    ids = ",".join(map(str, people))
    done = csdesk(db_target, "letters", "thank_you", "--customers", ids, "-o", target)
    assert done.returncode == 1, done.stdout
    assert "nothing was written" in done.stderr and "Wrote" not in done.stdout
    assert all(desk.letters.for_customer(c) == [] for c in people)


def test_a_written_letter_is_recorded_once(desk: Desk, people: list[int], tmp_path: Path) -> None:
    out = tmp_path / "ada.pdf"
    letter = desk.letter_output.save_pdf(QtRenderer(), "thank_you", people[0], out)
    assert out.read_bytes().startswith(b"%PDF")
    assert [x.id for x in desk.letters.for_customer(people[0])] == [letter.id]
    with pytest.raises(UserError, match="already exists"):
        desk.letter_output.save_pdf(QtRenderer(), "thank_you", people[0], out)
    assert len(desk.letters.for_customer(people[0])) == 1


FULL_DISK = """
import resource, signal, sys
from pathlib import Path
from csdesk.errors import UserError
from csdesk.render.qt import QtRenderer
from csdesk.services.desk import Desk

db, out, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
desk = Desk.open(db)
ids = [int(x) for x in sys.argv[4].split(",")]
# A real short write: past this size the kernel refuses to grow any file (EFBIG), as a full disk
# would. The database files stay below it; the PDFs (a 1.2 MB logo on every letter) do not.
biggest = max(p.stat().st_size for p in db.parent.glob(db.name + "*"))
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (biggest + 200_000, resource.RLIM_INFINITY))
try:
    result = desk.letter_output.run_batch(QtRenderer(), "thank_you", ids, out)
except UserError as exc:
    resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    print("error:", exc)
else:
    resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    print("letters:", len(result.letters), "failed:", len(result.failed))
desk.close()
"""


def noise_png(path: Path, side: int = 640) -> Path:
    """An incompressible PNG (random pixels), so every PDF with it is over a megabyte."""
    rows = b"".join(b"\x00" + os.urandom(side * 3) for _ in range(side))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 1))
    path.write_bytes(png + chunk(b"IEND", b""))
    return path


@pytest.mark.parametrize("mode", ["one pdf", "a pdf each"])
def test_a_full_disk_during_a_batch_records_nothing(
    desk: Desk, db_path: Path, tmp_path: Path, mode: str
) -> None:
    set_setting(desk, "shop_logo", str(noise_png(tmp_path / "logo.png")))
    ids = [desk.customers.create(CustomerDraft(first_name=f"Person {i}")).id for i in range(5)]
    desk.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "all.pdf" if mode == "one pdf" else folder
    done = subprocess.run(
        [sys.executable, "-c", FULL_DISK, str(db_path), str(out), mode, ",".join(map(str, ids))],
        capture_output=True, text=True, timeout=300, env={**os.environ}, check=False,
    )
    assert done.returncode == 0, done.stderr
    if mode == "one pdf":
        assert done.stdout.startswith("error:") and "nothing was" in done.stdout, done.stdout
    else:  # each customer's letter failed on its own, and says so
        assert done.stdout.strip() == "letters: 0 failed: 5", done.stdout
    assert sorted(folder.glob("*.pdf")) == []
    assert sum(len(desk.letters.for_customer(c)) for c in ids) == 0
    assert not [p for p in folder.iterdir() if p.name.endswith(".part")]


def test_batch_into_a_missing_folder_is_refused(
    desk: Desk, people: list[int], tmp_path: Path
) -> None:
    with pytest.raises(UserError, match="does not exist"):
        desk.letter_output.run_batch(QtRenderer(), "thank_you", people, tmp_path / "nope")
    assert not (tmp_path / "nope").exists()
    assert all(desk.letters.for_customer(c) == [] for c in people)
