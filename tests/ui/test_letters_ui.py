"""pytest-qt drives the letter dialog and the batch dialog on real widgets and a real database."""

from __future__ import annotations

import subprocess
import unicodedata
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from csdesk import paths
from csdesk.domain import CustomerDraft
from csdesk.services.desk import Desk
from csdesk.ui.dialogs.batch_letters import BatchLettersDialog
from csdesk.ui.dialogs.letter_dialog import LetterDialog
from tests.settings_seam import set_setting
from tests.ui.letter_preview import wait_preview


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return unicodedata.normalize("NFKC", out.stdout)


@pytest.fixture
def customer_id(desk: Desk) -> int:
    set_setting(desk, "shop_name", "Harbour Lane Outfitters")
    return desk.customers.create(CustomerDraft(first_name="Zoë", last_name="Okafor")).id


def test_choose_template_preview_and_save_pdf(
    qtbot: QtBot, desk: Desk, customer_id: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = LetterDialog(None, desk, customer_id)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    assert dialog.templates.count() == 5
    dialog.select_template("we_miss_you")
    wait_preview(qtbot, dialog)
    assert "we miss you" in dialog.preview.toPlainText()
    assert "Dear Zoë," in dialog.preview.toPlainText()
    assert dialog.save_button.isEnabled() and not dialog.error.isVisible()

    target = tmp_path / "miss.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "PDF"))
    dialog.page_size.setCurrentText("Letter")
    qtbot.keyClick(dialog.templates, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert target.is_file()
    assert "Zoë Okafor" in pdf_text(target)
    assert "timeline" in dialog.status.text()
    letters = desk.letters.for_customer(customer_id)
    assert len(letters) == 1 and letters[0].page_size == "Letter"
    assert dialog.result_letter is not None and dialog.result_letter.id == letters[0].id
    # Saving the same letter again does not record a second one.
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert len(desk.letters.for_customer(customer_id)) == 1


def test_a_failed_save_replaces_the_saved_line_and_save_stays_on(
    qtbot: QtBot, desk: Desk, customer_id: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failed Save PDF left "Saved Thanks.pdf; it is on the customer's timeline." on screen
    next to "The folder … does not exist", and turned Save off as if the letter were broken."""
    dialog = LetterDialog(None, desk, customer_id)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.select_template("thank_you")
    wait_preview(qtbot, dialog)
    chosen = [tmp_path / "Thanks.pdf"]
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(chosen[0]), "PDF"))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.status.text().startswith("Saved Thanks.pdf")
    chosen[0] = tmp_path / "gone" / "Again.pdf"
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    shown = [w.text() for w in (dialog.status, dialog.error) if w.isVisibleTo(dialog) and w.text()]
    assert len(shown) == 1 and "Saved" not in shown[0], shown  # one line, the new outcome
    assert "gone" in shown[0]  # it names the folder that is missing
    assert dialog.status.property("tone") == "fieldError"
    assert dialog.save_button.isEnabled() and dialog.print_button.isEnabled()  # try elsewhere
    chosen[0] = tmp_path / "Again.pdf"
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.status.text().startswith("Saved Again.pdf")
    assert dialog.status.property("tone") == ""


def test_broken_template_shows_name_and_line_and_blocks_output(
    qtbot: QtBot, desk: Desk, customer_id: int
) -> None:
    folder = paths.user_letters_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "broken.html.j2").write_text("{# title: A broken one #}\nHello\n{{ customer.nme }}\n")
    dialog = LetterDialog(None, desk, customer_id, template="broken")
    qtbot.addWidget(dialog)
    dialog.show()
    wait_preview(qtbot, dialog)
    assert dialog.current_template() == "broken.html.j2"
    assert dialog.error.isVisible()
    assert "“broken.html.j2”, line 3" in dialog.error.text()
    assert not dialog.save_button.isEnabled() and not dialog.print_button.isEnabled()
    # Fix it on disk, press Reload: the preview comes back.
    (folder / "broken.html.j2").write_text("{# title: A broken one #}\nHello {{ customer.name }}\n")
    qtbot.mouseClick(dialog.reload_button, Qt.MouseButton.LeftButton)
    wait_preview(qtbot, dialog)
    assert not dialog.error.isVisible()
    assert "Hello Zoë" in dialog.preview.toPlainText()


def test_batch_dialog_writes_one_pdf_on_a_worker(
    qtbot: QtBot, desk: Desk, customer_id: int, tmp_path: Path
) -> None:
    other = desk.customers.create(CustomerDraft(first_name="Ada", last_name="Byron")).id
    out = tmp_path / "batch.pdf"
    dialog = BatchLettersDialog(None, desk, "thank_you", [customer_id, other], out)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.close_button.isEnabled(), timeout=20_000)
    assert dialog.result_value is not None and len(dialog.result_value.letters) == 2
    assert "2 letters written" in dialog.label.text()
    text = pdf_text(out)
    assert "Zoë Okafor" in text and "Ada Byron" in text
    assert len(desk.letters.for_customer(other)) == 1


def test_batch_dialog_cancel(qtbot: QtBot, desk: Desk, tmp_path: Path) -> None:
    from csdesk.services import demo

    demo.generate(desk.context, 60, seed=2)
    (tmp_path / "each").mkdir()  # chosen in a folder dialog: it exists
    dialog = BatchLettersDialog(None, desk, "thank_you", list(range(1, 61)), tmp_path / "each")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.bar.value() >= 1, timeout=20_000)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.close_button.isEnabled(), timeout=20_000)
    result = dialog.result_value
    assert result is not None and result.cancelled
    assert 0 < len(result.letters) < 60
    assert len(list((tmp_path / "each").glob("*.pdf"))) == len(result.letters)
    assert "Stopped." in dialog.label.text()


def test_many_qt_calls_do_not_free_none() -> None:
    """PySide6 6.12.0 on Python 3.11 drops a None reference per void call; csdesk.ui guards it."""
    import sys

    code = (
        "import csdesk.ui\n"
        "from PySide6.QtGui import QGuiApplication, QTextDocument\n"
        "app = QGuiApplication([])\n"
        "doc = QTextDocument()\n"
        "for _ in range(300_000):\n"
        "    doc.setDocumentMargin(0)\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.strip() == "ok"
