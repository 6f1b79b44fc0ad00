"""Import, undo, export and duplicates from the Customer menu of the real main window."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from csdesk.domain import Channel, Customer, CustomerDraft, Role
from csdesk.errors import NotFound, UserError
from csdesk.services.desk import Desk
from csdesk.services.importing.plan import FIRST_PAGE_ROWS
from csdesk.ui.dialogs.column_mapping import ColumnMappingDialog, guess, sample
from csdesk.ui.dialogs.find_duplicates import FindDuplicatesDialog, MergeConfirm
from csdesk.ui.dialogs.import_dialog import ImportDialog
from csdesk.ui.features import transfer
from csdesk.ui.features.transfer import TransferFeature
from csdesk.ui.main_window import MainWindow
from tests.import_helpers import import_helpers

DATA = Path(__file__).resolve().parents[1] / "data" / "import"
SHOTS = Path(os.environ.get("CSDESK_SHOTS", "/tmp/csdesk-shots"))


def shot(widget: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / name))


@pytest.fixture
def lead(desk: Desk) -> str:
    """Importing, undoing and merging need a shift lead: act as one."""
    desk.auth.act_as_cli()
    desk.auth.add_staff("Lee", Role.LEAD, "2468")
    desk.act_as("Lee")
    return "Lee"


def feature(window: MainWindow) -> TransferFeature:
    found = window.findChild(TransferFeature, "transferFeature")
    assert isinstance(found, TransferFeature)
    return found


def open_dialog(qtbot: QtBot, window: MainWindow, path: Path) -> ImportDialog:
    dialog = ImportDialog(window, window.desk, path)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.plan is not None or bool(dialog.error_text), timeout=10000)
    return dialog


def test_menu_entries_sit_in_the_customer_menu_before_quit(window: MainWindow) -> None:
    texts = [a.text() for a in window.menu("&Customer").actions() if a.text()]
    assert texts.index("&Import customers…") < texts.index("&Quit")
    for text in ("&Undo last import…", "E&xport customers…", "Find &duplicates…"):
        assert text in texts
    assert texts[-1] == "&Quit"


def test_import_preview_then_apply_then_undo(qtbot: QtBot, window: MainWindow, desk: Desk, lead: str) -> None:
    before = desk.customers.count()
    dialog = open_dialog(qtbot, window, DATA / "square_export.csv")
    plan = dialog.plan
    assert plan is not None and plan.fmt == "square"
    ModelTester(None).check(dialog.model, force_py=True)
    summary = plan.summary()
    assert summary["created"] >= 3 and summary["skipped"] >= 1
    text = dialog.counts.text()
    assert f"<b>{summary['created']}</b> new" in text and f"<b>{summary['skipped']}</b> skipped" in text
    # every skipped row says why
    dialog.filter.setCurrentIndex(dialog.filter.findData("skip"))
    assert dialog.model.rowCount() == summary["skipped"]
    for row in range(dialog.model.rowCount()):
        assert dialog.model.index(row, 1).data() == "Skipped"
        assert dialog.model.index(row, 3).data()
    reasons = " ".join(dialog.model.index(r, 3).data() for r in range(dialog.model.rowCount()))
    assert "no name" in reasons
    dialog.filter.setCurrentIndex(0)
    # a bad phone number is left out with a word in the preview; the person is imported
    whys = [dialog.model.index(r, 3).data() or "" for r in range(dialog.model.rowCount())]
    assert any("left out" in w and "digits" in w for w in whys)
    shot(dialog, "import_preview.png")
    assert dialog.import_button.isEnabled()

    changes: list[object] = []
    window.bus.changed.connect(changes.append)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_value is not None, timeout=15000)
    result = dialog.result_value
    assert result is not None and not result.cancelled
    assert result.created == summary["created"]
    assert desk.customers.count() == before + summary["created"]
    assert "Imported:" in dialog.status.text() and dialog.undo_button.isVisible()
    # the import ran on a worker's connection; its Op published what the service reported
    assert any(
        getattr(c, "extra", {}).get("import_batch") == result.batch_id for c in changes
    ), "the window hears about the import"
    shot(dialog, "import_done.png")
    # Ana García Márquez is findable straight away
    assert any(h.display_name.startswith("Ana") for h in desk.search.search("garcía márquez ana"))

    qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.undo_value is not None, timeout=15000)
    assert dialog.undo_value is not None and dialog.undo_value.removed == summary["created"]
    assert desk.customers.count() == before
    assert "Import undone" in dialog.status.text()
    dialog.close()


def test_any_other_csv_asks_which_column_holds_what(
    qtbot: QtBot, window: MainWindow, lead: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[list[str]] = []

    def ask(
        _parent: object, header: list[str], rows: list[list[str]], current: object = None
    ) -> dict[str, str]:
        asked.append(header)
        assert rows and rows[0][0] == "Jürgen Schäfer"
        return {"Kunde": "name", "Telefon": "phone:home", "Handy": "phone", "E-Mail-Adresse": "email"}

    monkeypatch.setattr(ColumnMappingDialog, "ask", ask)
    dialog = ImportDialog(window, window.desk, DATA / "other_semicolon.csv")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=10000)
    assert asked and asked[0][0] == "Kunde"
    assert dialog.plan is not None and dialog.plan.fmt == "csv"
    assert dialog.plan.count("create") == 2
    assert dialog.columns_button.isVisible() or not dialog.isVisible()
    names = {dialog.model.index(r, 2).data() for r in range(dialog.model.rowCount())}
    assert "Jürgen Schäfer" in names and "Dağ Yılmaz" in names


def test_the_column_mapping_dialog_guesses_and_refuses_an_empty_mapping(qtbot: QtBot) -> None:
    header, rows = sample(DATA / "other_semicolon.csv")
    assert header[:2] == ["Kunde", "Telefon"]
    guessed = guess(header)
    assert guessed.get("Telefon", "").startswith("phone")
    dialog = ColumnMappingDialog(None, header, rows)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    shot(dialog, "import_columns.png")
    for combo in dialog.combos.values():
        combo.setCurrentIndex(0)  # leave everything out
    dialog.done_mapping()
    assert dialog.mapping is None and dialog.error.isVisible()
    dialog.combos["Kunde"].setCurrentIndex(dialog.combos["Kunde"].findData("name"))
    dialog.combos["Handy"].setCurrentIndex(dialog.combos["Handy"].findData("phone:work"))
    dialog.done_mapping()
    assert dialog.mapping == {"Kunde": "name", "Handy": "phone:work"}


def test_staff_may_preview_but_not_import(qtbot: QtBot, window: MainWindow) -> None:
    assert window.desk.actor.role == Role.STAFF
    dialog = open_dialog(qtbot, window, DATA / "contacts_v4.vcf")
    assert dialog.plan is not None and dialog.plan.fmt == "vcard"
    assert not dialog.import_button.isEnabled()
    assert "shift lead" in dialog.status.text()


def test_a_big_import_can_be_cancelled_and_what_went_in_undone(
    qtbot: QtBot, window: MainWindow, desk: Desk, lead: str, tmp_path: Path
) -> None:
    big = tmp_path / "big.csv"
    with big.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["First Name", "Last Name", "Email", "Accepts Marketing"])  # Shopify
        for i in range(4000):
            writer.writerow([f"Test{i}", "Bulk", f"bulk{i}@example.org", "no"])
    before = desk.customers.count()
    dialog = open_dialog(qtbot, window, big)
    assert dialog.plan is not None and dialog.plan.count("create") == 4000
    # the view fetches the preview a page at a time
    assert dialog.model.rowCount() == 500 and dialog.model.canFetchMore()
    ModelTester(None).check(dialog.model, force_py=True)
    dialog.table.scrollToBottom()
    qtbot.waitUntil(lambda: dialog.model.rowCount() > 500, timeout=5000)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)  # at once: stop after a batch
    qtbot.waitUntil(lambda: dialog.result_value is not None, timeout=30000)
    result = dialog.result_value
    assert result is not None and result.cancelled
    assert 0 < result.created < 4000
    assert desk.customers.count() == before + result.created
    assert "stopped it part-way" in dialog.status.text()
    qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.undo_value is not None, timeout=30000)
    assert desk.customers.count() == before


def test_import_from_the_menu_and_undo_last_import(
    qtbot: QtBot, window: MainWindow, desk: Desk, lead: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = DATA / "google_contacts.csv"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(source), ""))

    def drive(dialog: ImportDialog) -> int:
        dialog.show()
        qtbot.waitUntil(lambda: dialog.plan is not None, timeout=10000)
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.result_value is not None, timeout=15000)
        dialog.accept()
        return 1

    monkeypatch.setattr(ImportDialog, "exec", drive)
    before = desk.customers.count()
    window.findChild(type(feature(window).import_action), "importCustomersAction").trigger()
    after = desk.customers.count()
    assert after > before
    assert "Imported google_contacts.csv" in window.statusBar().currentMessage()

    told: list[str] = []
    monkeypatch.setattr(transfer, "ask_yes", lambda _p, _t, text: told.append(text) or True)
    monkeypatch.setattr(transfer, "tell", lambda _p, _t, text: told.append(text))
    undone = feature(window).undo_last_import()
    assert undone is not None and undone.removed == after - before
    assert "google_contacts.csv" in told[0] and "removed" in told[1]
    assert desk.customers.count() == before
    # nothing left to undo now
    assert feature(window).undo_last_import() is None
    assert told[-1] == "There is no import to undo."


def test_export_csv_and_vcard_in_a_worker(
    qtbot: QtBot, window: MainWindow, desk: Desk, lead: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    count = feature(window).export_customers(tmp_path / "all.csv", "csv")
    assert count == desk.customers.count()
    with (tmp_path / "all.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][0] == "csdesk_id" and len(rows) == count + 1
    chosen = tmp_path / "phones"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(chosen), transfer.VCARD_FILTER))
    assert feature(window).export_customers() == count
    text = (tmp_path / "phones.vcf").read_text(encoding="utf-8")
    assert text.count("BEGIN:VCARD") == count and "José" in text


def test_staff_cannot_export_and_is_told_why(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    told: list[str] = []
    monkeypatch.setattr(transfer, "tell", lambda _p, _t, text: told.append(text))
    assert feature(window).export_customers(tmp_path / "x.csv") is None
    assert not (tmp_path / "x.csv").exists()
    assert "shift lead" in told[0]


def test_duplicates_merge_from_the_ui(
    qtbot: QtBot,
    window: MainWindow,
    desk: Desk,
    lead: str,
    known: dict[str, Customer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    twin = desk.customers.create(
        CustomerDraft(first_name="Jose", last_name="Garcia Marquez", phones=(("mobile", "+1 555 010 4477"),))
    )
    desk.visits.log(twin.id, channel=Channel.PHONE, purpose="called about a refund")
    jose = known["jose"]
    visits_before = desk.customers.get(jose.id).visit_count

    confirms: list[MergeConfirm] = []

    def drive(confirm: MergeConfirm) -> int:
        confirms.append(confirm)
        confirm.show()
        qtbot.waitExposed(confirm)
        shot(confirm, "merge_confirm.png")
        assert confirm.keep_first.isChecked()  # the older record is the suggestion
        qtbot.mouseClick(confirm.merge_button, Qt.MouseButton.LeftButton)
        return 1

    monkeypatch.setattr(MergeConfirm, "exec", drive)
    dialog = FindDuplicatesDialog(window, desk)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.loaded, timeout=15000)
    ModelTester(None).check(dialog.model, force_py=True)
    row = next(
        r
        for r in range(dialog.model.rowCount())
        if {dialog.model.pair(r).keep_id, dialog.model.pair(r).other_id} == {jose.id, twin.id}  # type: ignore[union-attr]
    )
    pair = dialog.model.pair(row)
    assert pair is not None and pair.reason.startswith("same phone")
    dialog.table.selectRow(row)
    shot(dialog, "duplicates.png")
    rows_before = dialog.model.rowCount()
    result = dialog.merge_selected()
    assert confirms and result is not None
    assert result.customer_id == jose.id and result.merged_id == twin.id
    with pytest.raises(NotFound):
        desk.customers.get(twin.id)
    assert desk.customers.get(jose.id).visit_count == visits_before + 1
    assert dialog.model.rowCount() < rows_before
    assert "Merged" in dialog.status.text()


def test_merge_is_cancelled_by_default(qtbot: QtBot, desk: Desk, known: dict[str, Customer]) -> None:
    other = desk.customers.create(CustomerDraft(first_name="Zoe", last_name="Quaglia-Obst"))
    confirm = MergeConfirm(None, known["zoe"], other)
    qtbot.addWidget(confirm)
    confirm.show()
    qtbot.keyClick(confirm, Qt.Key.Key_Return)  # Enter alone never merges
    assert confirm.choice is None
    confirm.keep_second.setChecked(True)
    confirm.confirm()
    assert confirm.choice == (other.id, known["zoe"].id)


def test_preview_failures_are_shown_not_raised(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[list[str]] = []
    monkeypatch.setattr(ColumnMappingDialog, "ask", lambda _p, header, _r, _c=None: asked.append(header))
    bad = tmp_path / "garbage.csv"
    bad.write_bytes(b"\x00\x01\x02garbage;;\n=cmd|' /C calc'!A0;;\n")
    dialog = open_dialog(qtbot, window, bad)
    qtbot.waitUntil(lambda: bool(dialog.status.text()), timeout=5000)
    assert dialog.plan is None and asked  # the column step was offered, then cancelled
    assert "column" in dialog.status.text()
    assert not dialog.import_button.isEnabled()


def test_an_interrupted_import_is_told_and_can_be_finished_from_the_menu(
    qtbot: QtBot, window: MainWindow, desk: Desk, lead: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from csdesk.services.importing import service as import_service

    monkeypatch.setattr(import_service, "BATCH_ROWS", 100)
    src = tmp_path / "people.csv"
    src.write_text(
        "First Name,Email\n" + "".join(f"P{i},p{i}@example.com\n" for i in range(300)), encoding="utf-8"
    )
    before = desk.customers.count()

    def fail(done: int, _total: int) -> bool:
        if done == 100:
            raise OSError(28, "No space left on device")
        return True

    with pytest.raises(UserError, match="stopped after 100 of 300 rows"):
        desk.imports.apply(desk.imports.preview(src), fail)
    found = feature(window)
    text = found.show_unfinished_imports()
    assert "100 of 300 rows" in text and window.statusBar().currentMessage() == text
    assert found.resume_action.isEnabled()
    shot(window, "import_interrupted.png")
    told: list[str] = []
    monkeypatch.setattr(transfer, "ask_yes", lambda _p, _t, q: told.append(q) or True)
    monkeypatch.setattr(transfer, "tell", lambda _p, _t, t: told.append(t))
    result = found.resume_interrupted_import()
    assert result is not None and result.created == 300
    assert "No space left on device" in told[0] and "300 new" in told[1]
    assert desk.customers.count() == before + 300
    assert not found.resume_action.isEnabled()


def test_a_new_window_tells_of_an_interrupted_import_once_its_first_results_are_shown(
    qtbot: QtBot, desk: Desk, known: dict[str, Customer], lead: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The message loads the import service, so it waits for the first search (issue 17); it
    # must still come, by itself, without anyone calling show_unfinished_imports.
    from csdesk.services.importing import service as import_service

    monkeypatch.setattr(import_service, "BATCH_ROWS", 100)
    src = tmp_path / "people.csv"
    src.write_text("First Name\n" + "".join(f"Q{i}\n" for i in range(250)), encoding="utf-8")

    def fail(done: int, _total: int) -> bool:
        if done == 100:
            raise OSError(28, "No space left on device")
        return True

    with pytest.raises(UserError):
        desk.imports.apply(desk.imports.preview(src), fail)
    win = MainWindow(desk)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: "100 of 250 rows" in win.statusBar().currentMessage(), timeout=10000)
    assert feature(win).resume_action.isEnabled()
    win.teardown()


def big_square_csv(path: Path, rows: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["Square Customer ID", "First Name", "Last Name", "Email Address", "Phone Number"])
        for i in range(rows):
            writer.writerow([f"SQ{i:08d}", f"Big{i}", "Fileson", f"big{i}@example.com",
                             f"+1 415-{300 + i // 10000:03d}-{i % 10000:04d}"])
    return path


def test_a_big_files_first_rows_show_while_the_rest_is_planned(
    qtbot: QtBot, window: MainWindow, lead: str, tmp_path: Path
) -> None:
    # Issue 17: the preview's first page on screen at once, for any file size; progress as before.
    src = big_square_csv(tmp_path / "big.csv", 20_000)
    dialog = ImportDialog(window, window.desk, src)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.model.rowCount() > 0, timeout=30000)
    # still planning: the rows shown are the file's first, read-only, Import not offered yet
    assert dialog.plan is None and dialog.busy and dialog.model.partial
    assert dialog.bar.isVisible() and not dialog.import_button.isEnabled()
    assert "being read" in dialog.counts.text()
    assert dialog.model.total() == FIRST_PAGE_ROWS
    shown = [dialog.model.index(r, 2).data() for r in range(3)]
    assert shown == ["Big0 Fileson", "Big1 Fileson", "Big2 Fileson"]
    assert dialog.model.index(0, 1).data() == "New"
    ModelTester(None).check(dialog.model, force_py=True)
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=120000)
    assert not dialog.model.partial and dialog.model.total() == 20_000
    assert dialog.plan.count("create") == 20_000
    assert dialog.import_button.isEnabled()


def test_cancelling_a_preview_after_its_first_rows_shows_nothing_and_writes_nothing(
    qtbot: QtBot, window: MainWindow, desk: Desk, tmp_path: Path
) -> None:
    src = big_square_csv(tmp_path / "big.csv", 20_000)
    before = desk.customers.count()
    dialog = ImportDialog(window, window.desk, src)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.model.rowCount() > 0, timeout=30000)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=60000)
    assert dialog.plan is None and dialog.model.rowCount() == 0
    assert "nothing" in dialog.status.text().lower()
    assert desk.customers.count() == before


def test_the_window_previews_and_imports_a_big_file_with_helper_processes(
    qtbot: QtBot, window: MainWindow, desk: Desk, lead: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # services/importing/pool.py: a big file's rows staged in helper processes, from the
    # dialog's worker thread; first rows, progress, the plan and the import as with one process.
    from csdesk.services.importing import pool

    started: list[int] = []

    class Counted(pool.StagingPool):
        def _launch(self) -> None:
            super()._launch()
            started.append(len(self._procs))

    monkeypatch.setattr(pool, "StagingPool", Counted)
    monkeypatch.setattr(pool, "helpers_for", lambda size, load=None: 2)  # this file is under MIN_BYTES
    src = big_square_csv(tmp_path / "big.csv", 12_000)
    before = desk.customers.count()
    dialog = ImportDialog(window, window.desk, src)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.model.rowCount() > 0, timeout=30000)
    assert [dialog.model.index(r, 2).data() for r in range(2)] == ["Big0 Fileson", "Big1 Fileson"]
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=120000)
    assert started == [2]
    assert dialog.plan.count("create") == 12_000 and dialog.model.total() == 12_000
    last = dialog.plan.items[11_999]
    assert (last.line, last.name, last.row["email"]) == (12_001, "Big11999 Fileson", "big11999@example.com")
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_value is not None, timeout=120000)
    assert dialog.result_value is not None and dialog.result_value.created == 12_000
    assert desk.customers.count() == before + 12_000


def test_cancelling_a_preview_planned_with_helpers_stops_them(
    qtbot: QtBot, window: MainWindow, desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from csdesk.services.importing import pool

    monkeypatch.setattr(pool, "helpers_for", lambda size, load=None: 2)
    monkeypatch.setattr(pool, "START_ROWS", 500)
    src = big_square_csv(tmp_path / "big.csv", 40_000)
    before = desk.customers.count()
    dialog = ImportDialog(window, window.desk, src)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.model.rowCount() > 0, timeout=30000)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=60000)
    assert dialog.plan is None and dialog.model.rowCount() == 0
    assert "nothing" in dialog.status.text().lower()
    assert desk.customers.count() == before
    # Children of every thread (the preview's worker thread started them): none is a helper.
    assert import_helpers() == set()
