"""The Letters feature in the real main window: menu, Ctrl+Shift+W, the Letters tab, reprints, batch."""

from __future__ import annotations

import subprocess
import unicodedata
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QDialog, QFileDialog
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from csdesk import paths
from csdesk.domain import Customer, IssueDraft
from csdesk.errors import UserError
from csdesk.render.qt import QtRenderer, configure_printer
from csdesk.services.desk import Desk
from csdesk.services.letter_output import draw_pdf
from csdesk.services.rendering import PageSetup
from csdesk.ui.dialogs.batch_choice import BatchChoice, BatchChoiceDialog
from csdesk.ui.dialogs.batch_letters import BatchLettersDialog
from csdesk.ui.dialogs.letter_dialog import LetterDialog
from csdesk.ui.dialogs.page_setup import PageSetupDialog
from csdesk.ui.features.letters import LettersFeature
from csdesk.ui.main_window import MainWindow
from csdesk.ui.models.letters_model import LettersModel
from csdesk.ui.models.roles import ID_ROLE
from tests.settings_seam import set_setting
from tests.ui.conftest import type_search
from tests.ui.letter_preview import wait_preview


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return unicodedata.normalize("NFKC", out.stdout)


def feature(window: MainWindow) -> LettersFeature:
    found = window.findChild(LettersFeature, "lettersFeature")
    assert isinstance(found, LettersFeature)
    return found


def save_to(monkeypatch: pytest.MonkeyPatch, target: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "PDF"))


def write_with_ctrl_shift_w(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, template: str, out: Path
) -> list[LetterDialog]:
    """Press Ctrl+Shift+W and drive the real dialog: choose a template, Ctrl+S to save a PDF."""
    opened: list[LetterDialog] = []

    def drive(dialog: LetterDialog) -> int:  # replaces the blocking modal loop
        opened.append(dialog)
        dialog.show()
        dialog.activateWindow()
        qtbot.waitUntil(dialog.isActiveWindow)  # its Ctrl+S shortcut needs the focus
        dialog.select_template(template)
        wait_preview(qtbot, dialog)
        save_to(monkeypatch, out)
        qtbot.keyClick(dialog.templates, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        dialog.close()
        return int(QDialog.DialogCode.Rejected)

    monkeypatch.setattr(LetterDialog, "exec", drive)
    qtbot.keyClick(
        window.search.field,
        Qt.Key.Key_W,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    return opened


def open_by_search(qtbot: QtBot, window: MainWindow, text: str) -> None:
    type_search(qtbot, window, text)
    qtbot.keyClick(window.search.field, Qt.Key.Key_Return)
    assert window.customer_view.customer is not None


def test_no_customer_open_write_is_disabled_and_explained(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    feat = feature(window)
    assert not feat.write_action.isEnabled()
    assert "Open a customer first" in feat.write_action.toolTip()
    called: list[object] = []
    monkeypatch.setattr(LetterDialog, "ask", classmethod(lambda *a, **k: called.append(a)))
    assert feat.write_letter() is None  # e.g. called by another feature: it explains, no dialog
    assert not called
    assert "Open a customer first" in window.statusBar().currentMessage()
    titles = [a.text() for a in window.menu("&Letters").actions() if a.text()]
    assert titles == [
        "&Write a letter…",
        "Letters for &follow-ups due today…",
        "&Open templates folder",
        "&Reload templates",
        "&Page setup…",
    ]
    bar = [a.text() for a in window.menuBar().actions()]
    assert bar.index("&Letters") < bar.index("&Help") == len(bar) - 1  # Help stays last


def test_ctrl_shift_w_writes_a_letter_that_appears_in_the_letters_tab_and_reprints_exactly(
    qtbot: QtBot,
    window: MainWindow,
    desk: Desk,
    known: dict[str, Customer],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    set_setting(desk, "shop_name", "Harbour Lane Outfitters")
    open_by_search(qtbot, window, "pepe")
    feat = feature(window)
    assert feat.write_action.isEnabled()
    sections = window.customer_view.sections
    assert sections.tabText(feat.tab_index) == "Letters (0)"
    assert feat.panel.empty.isVisibleTo(feat.panel) and not feat.panel.reprint_button.isEnabled()

    original = tmp_path / "sent.pdf"
    opened = write_with_ctrl_shift_w(qtbot, window, monkeypatch, "thank_you", original)
    assert len(opened) == 1 and opened[0].windowTitle().startswith("Letter to José")
    assert original.is_file()
    sent_text = pdf_text(original)
    assert "Pepe" in sent_text and "{{" not in sent_text

    # The letter is on the tab, newest first, with date, title and who sent it.
    assert sections.tabText(feat.tab_index) == "Letters (1)"
    model = feat.model
    assert model.rowCount() == 1
    assert model.data(model.index(0, 1)) == "Thank you for your visit"
    assert model.data(model.index(0, 2)) == desk.actor.name
    assert model.data(model.index(0, 0)) == "30 Nov 2026"
    assert feat.panel.table.isVisibleTo(feat.panel) and feat.panel.reprint_button.isEnabled()

    # The template changes afterwards; the reprint is still the letter as it was sent.
    folder = paths.user_letters_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "thank_you.html.j2").write_text("{# title: Thanks v2 #}\nA new text entirely.\n")
    assert feat.reload_templates() == 5
    reprint = tmp_path / "again.pdf"
    save_to(monkeypatch, reprint)
    sections.setCurrentIndex(feat.tab_index)
    qtbot.mouseClick(feat.panel.save_button, Qt.MouseButton.LeftButton)
    assert reprint.is_file()
    assert pdf_text(reprint) == sent_text
    assert "Saved again.pdf" in feat.panel.status.text()
    assert len(desk.letters.for_customer(known["jose"].id)) == 1  # a reprint is not a new letter


def test_reprint_preview_paints_the_stored_letter(
    qtbot: QtBot,
    window: MainWindow,
    desk: Desk,
    known: dict[str, Customer],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    letter = desk.letters.produce("we_miss_you", known["zoe"].id, page_size="Letter")
    first = tmp_path / "first.pdf"

    draw_pdf(QtRenderer(), [letter.html], first, PageSetup("Letter", desk.letters.margins_mm()), "x")
    window.open_customer(known["zoe"].id)
    feat = feature(window)
    assert feat.model.rowCount() == 1  # the Change("letter") reached the tab

    previewed = tmp_path / "preview.pdf"
    seen: list[QPrintPreviewDialog] = []

    def fake_exec(dialog: QPrintPreviewDialog) -> int:
        # What the preview would paint on screen, painted onto a PDF printer instead.
        seen.append(dialog)
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        configure_printer(printer, PageSetup("Letter", desk.letters.margins_mm()))
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(previewed))
        dialog.paintRequested.emit(printer)
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(QPrintPreviewDialog, "exec", fake_exec)
    qtbot.mouseClick(feat.panel.reprint_button, Qt.MouseButton.LeftButton)
    assert len(seen) == 1 and seen[0].windowTitle() == f"Reprint: {letter.title}"
    assert pdf_text(previewed) == pdf_text(first)
    assert "Zoë" in pdf_text(previewed)
    assert "exactly as it was sent" in feat.panel.status.text()


def test_batch_for_followups_due_writes_one_pdf_and_refreshes_the_tab(
    qtbot: QtBot,
    window: MainWindow,
    desk: Desk,
    known: dict[str, Customer],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    soon = desk.clock() + timedelta(hours=1)
    later = desk.clock() + timedelta(days=3)
    jose, zoe = known["jose"].id, known["zoe"].id
    desk.followups.add(jose, "Thank for the boots", soon)
    desk.followups.add(zoe, "Check in", soon)
    desk.followups.add(1, "Not yet", later)  # not due today: no letter
    window.open_customer(jose)
    feat = feature(window)
    assert feat.model.rowCount() == 0

    counts: list[int] = []

    def choose(cls: type, parent: object, desk_: Desk, count: int) -> BatchChoice:
        counts.append(count)
        return BatchChoice("thank_you", False, "A4")

    monkeypatch.setattr(BatchChoiceDialog, "ask", classmethod(choose))
    out = tmp_path / "letters.pdf"
    save_to(monkeypatch, out)
    dialogs: list[BatchLettersDialog] = []

    def wait_for_worker(dialog: BatchLettersDialog) -> int:
        dialogs.append(dialog)
        qtbot.waitUntil(dialog.close_button.isEnabled, timeout=30_000)
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(BatchLettersDialog, "exec", wait_for_worker)
    feat.batch_action.trigger()
    assert counts == [2]
    assert dialogs and "2 letters written" in dialogs[0].label.text()
    text = pdf_text(out)
    assert "José García Márquez" in text and "Zoë Quaglia-Obst" in text
    assert feat.model.rowCount() == 1  # the worker's letters reached the open customer's tab
    assert window.customer_view.sections.tabText(feat.tab_index) == "Letters (1)"
    assert "2 letters written and recorded" in window.statusBar().currentMessage()


def test_batch_one_pdf_per_customer_into_a_folder(
    qtbot: QtBot,
    window: MainWindow,
    desk: Desk,
    known: dict[str, Customer],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    soon = desk.clock() + timedelta(hours=2)
    desk.followups.add(known["jose"].id, "Call", soon)
    desk.followups.add(known["zoe"].id, "Call", soon)
    monkeypatch.setattr(
        BatchChoiceDialog, "ask", classmethod(lambda *a: BatchChoice("thank_you", True, "Letter"))
    )
    folder = tmp_path / "each"
    folder.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    monkeypatch.setattr(
        BatchLettersDialog,
        "exec",
        lambda d: qtbot.waitUntil(d.close_button.isEnabled, timeout=30_000) or 1,
    )
    result = feature(window).letters_for_followups()
    assert result is not None and len(result.files) == 2
    assert sorted(p.name.split("-")[0] for p in folder.glob("*.pdf")) == sorted(
        [str(known["jose"].id), str(known["zoe"].id)]
    )
    assert {x.page_size for x in desk.letters.for_customer(known["zoe"].id)} == {"Letter"}


def test_batch_choice_dialog_with_nobody_due_cannot_start(
    qtbot: QtBot, window: MainWindow, desk: Desk
) -> None:
    dialog = BatchChoiceDialog(window, desk, 0)
    qtbot.addWidget(dialog)
    assert "Nobody has a follow-up due today" in dialog.intro.text()
    assert not dialog.findChild(object, "batchChoiceOk").isEnabled()  # type: ignore[union-attr]
    ready = BatchChoiceDialog(window, desk, 3)
    qtbot.addWidget(ready)
    ready.per_customer.setChecked(True)
    ready.page_size.setCurrentText("Letter")
    assert ready.template.currentData() == "thank_you.html.j2"  # not the alphabetical apology
    choice = ready.choice()
    assert choice.per_customer and choice.page_size == "Letter"
    assert choice.template in {t.name for t in desk.letters.templates()}


def test_letter_about_an_issue_names_it(
    qtbot: QtBot,
    window: MainWindow,
    desk: Desk,
    known: dict[str, Customer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    issue = desk.issues.log(
        IssueDraft(customer_id=known["jose"].id, title="Boots <b>split</b> & leaked")
    )
    window.open_customer(known["jose"].id)
    seen: list[str] = []

    def look(dialog: LetterDialog) -> int:
        dialog.select_template("apology")
        wait_preview(qtbot, dialog)
        seen.append(dialog.preview.toPlainText())
        return 0

    monkeypatch.setattr(LetterDialog, "exec", look)
    feature(window).write_letter(issue.id)
    assert seen and "“Boots <b>split</b> & leaked”" in seen[0]  # escaped, printed as typed
    # The tab's own button writes to the open customer too (without an issue).
    qtbot.mouseClick(feature(window).panel.write_button, Qt.MouseButton.LeftButton)
    assert len(seen) == 2 and "Boots" not in seen[1] and "Pepe" in seen[1]
    assert feature(window).write_letter(99_999) is None
    assert "No issue #99999" in window.statusBar().currentMessage()


def test_open_and_reload_templates(
    window: MainWindow, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    feature(window).folder_action.trigger()
    folder = paths.user_letters_dir()
    assert folder.is_dir() and opened and Path(opened[0].toLocalFile()) == folder
    (folder / "card.html.j2").write_text("{# title: A card #}\nHi {{ customer.name }}\n")
    feature(window).reload_action.trigger()
    assert "6 templates ready" in window.statusBar().currentMessage()


def test_letters_model(
    qtmodeltester: ModelTester, desk: Desk, known: dict[str, Customer], clock: Any
) -> None:
    model = LettersModel(desk)
    qtmodeltester.check(model)
    zoe = known["zoe"].id
    first = desk.letters.produce("thank_you", zoe)
    clock.advance(days=40)
    second = desk.letters.produce("we_miss_you", zoe)
    model.set_customer(zoe)
    qtmodeltester.check(model)
    assert model.rowCount() == 2 and model.columnCount() == 3
    assert [model.data(model.index(r, 0), ID_ROLE) for r in range(2)] == [second.id, first.id]
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Letter"
    assert model.data(model.index(0, 0)) == "9 Jan 2027"
    assert "we_miss_you" in model.data(model.index(0, 1), 3)  # ToolTipRole names the template
    model.set_customer(None)
    assert model.rowCount() == 0 and model.data(model.index(0, 0)) is None


def test_page_setup_is_an_admin_setting_and_is_audited(
    qtbot: QtBot, window: MainWindow, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = PageSetupDialog(window, desk)
    qtbot.addWidget(dialog)
    dialog.size_box.setCurrentText("Letter")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.error.isVisibleTo(dialog) and "Ask an admin" in dialog.error.text()
    assert dialog.saved is None and desk.setting("letter_page_size") is None

    desk.auth.setup_admin("Ada", "2468")
    dialog = PageSetupDialog(window, desk)
    qtbot.addWidget(dialog)
    dialog.size_box.setCurrentText("Letter")
    dialog.margin.setValue(25)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.saved == PageSetup("Letter", 25.0)
    assert desk.letters.page_size() == "Letter" and desk.letters.margins_mm() == 25.0
    entry = next(e for e in desk.audit.entries() if e.entity == "setting")
    assert entry.after == {"letter_page_size": "Letter", "letter_margin_mm": 25.0}
    assert entry.staff_name == "Ada"
    with pytest.raises(UserError, match="5 to 50 mm"):
        desk.letters.set_page_setup("A4", 200)
    with pytest.raises(UserError, match="A4 or Letter"):
        desk.letters.set_page_setup("<script>", 18)
    # The menu entry reports what it saved.
    monkeypatch.setattr(PageSetupDialog, "ask", classmethod(lambda *a: PageSetup("A4", 12)))
    feature(window).page_action.trigger()
    assert "A4 paper with 12 mm margins" in window.statusBar().currentMessage()
