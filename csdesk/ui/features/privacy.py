"""Customer → Export customer data… and Erase customer…: a customer's privacy rights."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog

from csdesk.services.auth import Permission
from csdesk.ui.dialogs.notice import Notice
from csdesk.ui.dialogs.save_as import confirm_target
from csdesk.ui.features.guard import permitted
from csdesk.ui.shell import Feature, Shell
from csdesk.ui.workers import Op

EXPORT_FILTERS = "Machine-readable (*.json);;Readable document (*.html)"


class Privacy(Feature):
    def __init__(self, window: Shell) -> None:
        super().__init__(window, "privacy")
        self.window = window
        self.desk = window.desk
        self.last_result: object = None

    def _start(self, work: Any, done: Any) -> Op:
        op = self.window.run_op(lambda d, _p: work(d), parent=self)
        op.succeeded.connect(done)
        op.failed.connect(self._failed)
        return op.start()

    def _failed(self, message: str) -> None:
        self.last_result = message
        self.window.statusBar().clearMessage()
        Notice.ask(self.window, "Customer data", message, kind="warning")

    def _customer(self) -> Any:
        customer = self.window.customer_view.customer
        if customer is None:
            self.window.statusBar().showMessage("Open a customer first.", 4000)
        return customer

    # -- export --------------------------------------------------------------------------------
    def export(self) -> Op | None:
        customer = self._customer()
        if customer is None or not permitted(self.window, self.desk.actor, Permission.EXPORT):
            return None
        stem = "".join(c if c.isalnum() else "-" for c in customer.display_name).strip("-")
        path, chosen = QFileDialog.getSaveFileName(
            self.window,
            f"Export what csdesk holds about {customer.display_name}",
            str(Path.home() / f"{stem or 'customer'}.json"),
            EXPORT_FILTERS,
        )
        if not path:
            return None
        # the chosen filter's extension is the one added to a name that has neither
        kinds = (".html", ".htm", ".json") if "html" in chosen else (".json", ".html", ".htm")
        target = confirm_target(self.window, path, kinds)
        if target is None:
            return None
        return self.export_to(customer.id, target.path, overwrite=target.overwrite)

    def export_to(self, customer_id: int, target: Path, *, overwrite: bool = False) -> Op:
        """overwrite: the person confirmed replacing this exact file (save_as.py)."""
        self.window.statusBar().showMessage("Exporting…")
        return self._start(
            lambda d: d.privacy.export_to(customer_id, target, overwrite=overwrite), self._exported
        )

    def _exported(self, path: object) -> None:
        self.last_result = path
        self.window.statusBar().showMessage(f"Exported to {path}.", 10000)

    # -- erase ---------------------------------------------------------------------------------
    def erase(self) -> Op | None:
        from csdesk.ui.dialogs.erase_dialog import EraseDialog
        customer = self._customer()
        if customer is None or not permitted(self.window, self.desk.actor, Permission.ERASE):
            return None
        if not EraseDialog.ask(self.window, customer.display_name):
            return None
        name = customer.display_name
        self.window.statusBar().showMessage(f"Erasing {name}…")
        # Off the UI thread: after the erase commits, the database's leftovers of the old rows
        # are rewritten (on a server each touched table: minutes at a million customers).
        op = self.window.run_op(lambda d, p: d.privacy.erase(customer.id, progress=p), parent=self)
        op.progress.connect(lambda done, total: self._wiping(name, done, total))
        op.succeeded.connect(self._erased)
        op.failed.connect(self._failed)
        return op.start()

    def _wiping(self, name: str, done: int, total: int) -> None:
        if total:
            self.window.statusBar().showMessage(
                f"Erased {name}; wiping the old copies from the database ({done} of {total})…"
            )

    def _erased(self, result: object) -> None:
        from csdesk.services.privacy import ErasureResult
        self.last_result = result
        if not isinstance(result, ErasureResult):
            return
        # the erasure's Change already reached the views: the Op published it
        self.window.customer_view.show_customer(None)
        self.window.search.clear_and_focus()
        note = {
            "": "",
            "no_space": " The disk is too full to rewrite the file: free some space, then "
            "use Data → Check the database → Repair to wipe the erased text from it.",
            "write_failed": " The disk refused to rewrite the file: free some space, then "
            "use Data → Check the database → Repair to wipe the erased text from it.",
            "tables_busy": " Other counters kept some of the server's tables busy, so erased "
            "text may linger in its files: run `csdesk check --repair` when they are quiet.",
        }.get(result.scrub_problem, " Another program held the file, so its free space is "
              "wiped later.")
        if result.copies:
            note += " " + " ".join(result.copies)
        self.window.statusBar().showMessage(f"The customer was erased.{note}", 10000)


def install(window: Shell) -> None:
    privacy = Privacy(window)
    menu = window.menu("&Customer")
    export = window.add_action(
        "exportCustomerAction", "E&xport customer data…", [], privacy.export
    )
    erase = window.add_action("eraseCustomerAction", "Erase customer…", [], privacy.erase)
    menu.insertSeparator(window.quit_action)
    menu.insertAction(window.quit_action, export)
    menu.insertAction(window.quit_action, erase)
    menu.insertSeparator(window.quit_action)

    def update(*_args: object) -> None:
        has = window.customer_view.customer is not None
        export.setEnabled(has)
        erase.setEnabled(has)

    window.customer_view.customer_changed.connect(update)
    update()
