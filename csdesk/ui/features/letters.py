"""Letters in the main window: a Letters menu, Ctrl+Shift+W for the open customer, a Letters tab.

The dialogs already exist (letter_dialog, batch_letters); this module only wires them in. They are
called through their classes so tests can monkeypatch `ask` (or `exec`) where a modal would block.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence
from PySide6.QtWidgets import QFileDialog

from csdesk.domain import Change, Customer
from csdesk.errors import CsdeskError
from csdesk.ui.dialogs.save_as import ask_save_target
from csdesk.ui.models.letters_model import LettersModel
from csdesk.ui.shell import Feature, Shell
from csdesk.ui.widgets.letters_panel import LettersPanel

if TYPE_CHECKING:
    from csdesk.services.letter_output import BatchResult
    from csdesk.services.letters import Letter
    from csdesk.services.rendering import PageSetup

WRITE_KEYS = ("Ctrl+Shift+W",)  # Ctrl+W is "close" on most desktops: too easy to hit by habit
NO_CUSTOMER = "Open a customer first, then Ctrl+Shift+W writes them a letter."


class LettersFeature(Feature):
    """Owns the Letters menu's actions and the customer's Letters tab."""

    def __init__(self, window: Shell) -> None:
        super().__init__(window, "lettersFeature")
        self.window = window
        self.desk = window.desk
        self.model = LettersModel(window.desk, self)
        self.panel = LettersPanel(window.desk, self.model)
        self.tab_index = window.add_section(self.panel, "Letters")

        keys = [QKeySequence(k) for k in WRITE_KEYS]
        self.write_action = window.add_action(
            "writeLetterAction", "&Write a letter…", keys, lambda: self.write_letter()
        )
        self.batch_action = window.add_action(
            "followupLettersAction",
            "Letters for &follow-ups due today…",
            [],
            self.letters_for_followups,
        )
        self.folder_action = window.add_action(
            "openTemplatesFolderAction", "&Open templates folder", [], self.open_templates_folder
        )
        self.reload_action = window.add_action(
            "reloadTemplatesAction", "&Reload templates", [], self.reload_templates
        )
        self.page_action = window.add_action(
            "letterPageSetupAction", "&Page setup…", [], self.page_setup
        )
        self.batch_action.setStatusTip("A letter for everyone with a follow-up due, in one go")
        self.folder_action.setStatusTip("Add or edit your own letter templates here")
        menu = window.menu("&Letters")
        # Help stays the last menu, where people look for it.
        bar, help_menu = window.menuBar(), window.menu("&Help")
        bar.removeAction(menu.menuAction())
        bar.insertMenu(help_menu.menuAction(), menu)
        menu.setToolTipsVisible(True)  # the disabled "Write a letter…" says why
        menu.addAction(self.write_action)
        menu.addAction(self.batch_action)
        menu.addSeparator()
        menu.addAction(self.folder_action)
        menu.addAction(self.reload_action)
        menu.addAction(self.page_action)

        self.panel.write_requested.connect(lambda: self.write_letter())
        window.customer_view.customer_changed.connect(self._on_customer)
        window.bus.changed.connect(self._on_change)
        self._on_customer(window.customer_view.customer)

    # -- keeping the tab current ---------------------------------------------------------------
    def _on_customer(self, customer: Customer | None) -> None:
        self.model.set_customer(customer.id if customer else None)
        self._update()

    def _on_change(self, change: object) -> None:
        if not isinstance(change, Change) or change.kind != "letter":
            return
        mine = self.model.customer_id
        # A batch reports its letters without one customer id: any of them may be the open one.
        if mine is not None and change.customer_id in (None, mine):
            self.model.reload()
            self._update()

    def _update(self) -> None:
        customer = self.window.customer_view.customer
        count = self.model.rowCount()
        self.window.customer_view.sections.setTabText(
            self.tab_index, f"Letters ({count})" if customer else "Letters"
        )
        self.write_action.setEnabled(customer is not None)
        if customer is None:
            self.write_action.setToolTip(NO_CUSTOMER)
            self.write_action.setStatusTip(NO_CUSTOMER)
        else:
            tip = f"Write a letter to {customer.display_name} (Ctrl+Shift+W)"
            self.write_action.setToolTip(tip)
            self.write_action.setStatusTip(tip)

    def _say(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 6000)

    # -- what the user does --------------------------------------------------------------------
    def write_letter(self, issue_id: int | None = None) -> Letter | None:
        """The letter dialog for the open customer; with issue_id, a letter about that issue."""
        from csdesk.ui.dialogs.letter_dialog import LetterDialog

        customer = self.window.customer_view.customer
        if customer is None:
            self._say(NO_CUSTOMER)
            return None
        try:
            issue = None if issue_id is None else self.desk.letters.issue_fields(issue_id)
        except CsdeskError as exc:
            self._say(str(exc))
            return None
        letter = LetterDialog.ask(self.window, self.desk, customer.id, issue=issue)
        if letter is not None:
            self._say(f"“{letter.title}” is on {customer.display_name}'s Letters tab.")
        return letter

    def letters_for_followups(self) -> BatchResult | None:
        from csdesk.services.letters import customers_with_followups_due
        from csdesk.ui.dialogs.batch_choice import BatchChoiceDialog
        from csdesk.ui.dialogs.batch_letters import BatchLettersDialog
        today = self.desk.clock().astimezone(self.desk.tz).date()
        ids = customers_with_followups_due(self.desk, today)
        choice = BatchChoiceDialog.ask(self.window, self.desk, len(ids))
        if choice is None or not ids:
            return None
        if choice.per_customer:
            folder = QFileDialog.getExistingDirectory(
                self.window, "Choose a folder for the letters", str(Path.home())
            )
            if not folder:
                return None
            out = Path(folder)
            overwrite = True  # a letter per customer: the person chose the folder to write into
        else:
            suggested = Path.home() / f"follow-up-letters-{today.isoformat()}.pdf"
            target = ask_save_target(self.window, "Save the letters as one PDF", suggested,
                                     "PDF files (*.pdf)", (".pdf",))
            if target is None:
                return None
            out, overwrite = target.path, target.overwrite
        try:
            result = BatchLettersDialog.ask(
                self.window, self.desk, choice.template, ids, out, page_size=choice.page_size,
                overwrite=overwrite,
            )
        except CsdeskError as exc:
            self._say(str(exc))
            return None
        if result is not None and result.letters:
            # the views already heard of the letters: the batch's Op published them
            noun = "letter" if len(result.letters) == 1 else "letters"
            self._say(f"{len(result.letters)} {noun} written and recorded.")
        return result

    def open_templates_folder(self) -> Path | None:
        try:
            folder = self.desk.letters.ensure_user_dir()
        except CsdeskError as exc:
            self._say(str(exc))
            return None
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            self._say(f"Your templates folder is {folder}")
        else:
            self._say(f"Opened {folder}. Add a template there, then Letters ▸ Reload templates.")
        return folder

    def reload_templates(self) -> int:
        self.desk.letters.reload()
        count = len(self.desk.letters.templates())
        noun = "template" if count == 1 else "templates"
        self._say(f"Templates reloaded: {count} {noun} ready.")
        return count

    def page_setup(self) -> PageSetup | None:
        from csdesk.ui.dialogs.page_setup import PageSetupDialog
        saved = PageSetupDialog.ask(self.window, self.desk)
        if saved is not None:
            self._say(f"New letters use {saved.size} paper with {saved.margin_mm:g} mm margins.")
        return saved


def install(window: Shell) -> None:
    LettersFeature(window)
