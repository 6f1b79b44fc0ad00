"""Customers in and out, in the Customer menu: import, undo the last import, export, duplicates.

The services (desk.imports, desk.exports, desk.duplicates) do the work; this module only wires
dialogs, file pickers and operations (ui.workers.Op) into the window; the Op publishes what each
job changed, so nothing here tells the views by hand.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog

from csdesk.services.auth import Permission, allowed
from csdesk.ui.dialogs.save_as import confirm_target
from csdesk.ui.shell import Feature, Shell
from csdesk.ui.workers import OpFn, Progress

IMPORT_FILTER = (
    "Customer files (*.csv *.tsv *.txt *.vcf *.vcard);;CSV files (*.csv *.tsv *.txt);;"
    "vCard files (*.vcf *.vcard);;All files (*)"
)

if TYPE_CHECKING:
    from csdesk.services.desk import Desk
    from csdesk.services.importing import ImportResult, UndoResult
CSV_FILTER = "CSV for Excel (*.csv)"
VCARD_FILTER = "vCard for phones and mail programs (*.vcf)"
LEAD_ONLY = "{what} needs a shift lead or an admin. Ask one to sign in, then try again."


def ask_yes(parent: Any, title: str, text: str) -> bool:
    """A yes/no question (tests replace it; a modal box would block them)."""
    answer = QMessageBox.question(parent, title, text)
    return answer == QMessageBox.StandardButton.Yes


def tell(parent: Any, title: str, text: str) -> None:
    """An outcome worth a box, not only the status bar (tests replace it)."""
    QMessageBox.information(parent, title, text)


class TransferFeature(Feature):
    def __init__(self, window: Shell) -> None:
        super().__init__(window, "transferFeature")
        self.window = window
        self.desk = window.desk
        self.last_dir = Path.home()
        key = QKeySequence
        self.import_action = window.add_action(
            "importCustomersAction",
            "&Import customers…",
            [key("Ctrl+Shift+O")],
            lambda: self.import_customers(),
        )
        self.undo_action = window.add_action(
            "undoImportAction", "&Undo last import…", [], self.undo_last_import
        )
        self.resume_action = window.add_action(
            "resumeImportAction", "&Finish interrupted import…", [], self.resume_interrupted_import
        )
        self.export_action = window.add_action(
            "exportCustomersAction",
            "E&xport customers…",
            [key("Ctrl+Shift+E")],
            lambda: self.export_customers(),
        )
        self.duplicates_action = window.add_action(
            "findDuplicatesAction", "Find &duplicates…", [], self.find_duplicates
        )
        self.import_action.setStatusTip("Square, Shopify, Google Contacts, vCard or any CSV")
        self.export_action.setStatusTip("Every customer to a CSV or vCard file")
        menu = window.menu("&Customer")
        before = next(
            (a for a in menu.actions() if a is window.quit_action), None
        )  # keep Quit last, as people expect
        entries = [
            self.import_action,
            self.undo_action,
            self.resume_action,
            self.export_action,
            self.duplicates_action,
        ]
        if before is None:
            menu.addSeparator()
            menu.addActions(entries)
        else:
            menu.insertActions(before, entries)
            menu.insertSeparator(before)
        # After the first results: it loads the import service, which a search does not need.
        window.after_first_results(self.show_unfinished_imports)

    def show_unfinished_imports(self) -> str:
        """At start: an import that did not finish (csdesk was killed, the disk filled) is said
        in the status bar with how far it got and what to do; the menu entry is enabled."""
        from csdesk.services.importing.service import committed

        unfinished = self.desk.imports.unfinished()
        self.resume_action.setEnabled(bool(unfinished))
        if not unfinished:
            return ""
        b = unfinished[0]
        text = (
            f"Import of {b['file_name'][:40]} stopped at {committed(b):,} of {b['rows_total']:,} "
            "rows: Customer ▸ Finish interrupted import… (or Undo last import…)"
        )
        self.window.statusBar().showMessage(text, 30000)
        return text

    def _may(self, permission: Permission, what: str) -> bool:
        if allowed(self.desk.actor, permission):
            return True
        tell(self.window, what, LEAD_ONLY.format(what=what))
        return False

    # -- import --------------------------------------------------------------------------------
    def import_customers(self, path: Path | None = None) -> ImportResult | None:
        from csdesk.ui.dialogs.import_dialog import ImportDialog
        if path is None:
            chosen, _ = QFileDialog.getOpenFileName(
                self.window, "Import customers from…", str(self.last_dir), IMPORT_FILTER
            )
            if not chosen:
                return None
            path = Path(chosen)
        self.last_dir = path.parent
        result = ImportDialog.ask(self.window, self.desk, path)
        self.window.search.focus_search()  # back to where the next customer is looked up
        if result is not None:
            self.window.statusBar().showMessage(
                f"Imported {path.name}: {result.created:,} new, {result.updated:,} updated.", 8000
            )
        return result

    def undo_last_import(self) -> UndoResult | None:
        from csdesk.services.importing import UndoResult
        if not self._may(Permission.IMPORT, "Undoing an import"):
            return None
        batch = next(
            (
                b
                for b in self.desk.imports.batches()
                if b["status"] in ("done", "cancelled", "interrupted")
            ),
            None,
        )
        if batch is None:
            tell(self.window, "Undo last import", "There is no import to undo.")
            return None
        question = (
            f"Undo the import of {batch['file_name']} on {batch['started_at'][:16].replace('T', ' ')}?\n\n"
            f"The {batch['created_count']:,} customers it added are removed and the "
            f"{batch['updated_count']:,} it changed go back to how they were. Customers with "
            "visits or notes since then are kept."
        )
        if not ask_yes(self.window, "Undo last import", question):
            return None
        batch_id = int(batch["id"])
        result = run_with_progress(
            self.window,
            "Undoing the import…",
            lambda desk, _p: desk.imports.undo(batch_id),
        )
        self.show_unfinished_imports()
        if isinstance(result, UndoResult):
            kept = f"\n{len(result.kept)} kept: they have visits or notes since." if result.kept else ""
            tell(
                self.window,
                "Import undone",
                f"{result.removed:,} customers removed, {result.restored:,} put back as before.{kept}",
            )
            return result
        return None

    def resume_interrupted_import(self) -> ImportResult | None:
        from csdesk.services.importing import ImportResult
        from csdesk.services.importing.service import committed
        if not self._may(Permission.CORRECT_OTHERS, "Finishing an import"):
            return None
        unfinished = self.desk.imports.unfinished()
        if not unfinished:
            tell(self.window, "Finish interrupted import", "Every import has finished.")
            self.resume_action.setEnabled(False)
            return None
        b = unfinished[0]
        question = (
            f"Import #{b['id']} of {b['file_name']} stopped after {committed(b):,} of "
            f"{b['rows_total']:,} rows ({b['stop_reason'] or 'interrupted'}).\n\n"
            "Import the rest of the file now? (Undo last import… takes the whole import back.)"
        )
        if not ask_yes(self.window, "Finish interrupted import", question):
            return None
        batch_id = int(b["id"])
        result = run_with_progress(
            self.window,
            f"Importing the rest of {b['file_name']}…",
            lambda desk, progress: desk.imports.resume(batch_id, progress),
        )
        self.show_unfinished_imports()
        if isinstance(result, ImportResult):
            tell(
                self.window,
                "Import finished",
                f"Import #{batch_id}: {result.created:,} new, {result.updated:,} updated, "
                f"{result.skipped:,} skipped in all.",
            )
            return result
        return None

    # -- export --------------------------------------------------------------------------------
    def export_customers(self, target: Path | None = None, fmt: str | None = None) -> int | None:
        """target: as a save dialog returned it (tests pass it; None asks the person)."""
        if not self._may(Permission.EXPORT, "Exporting customers"):
            return None
        if target is None:
            suggested = self.last_dir / "customers.csv"
            chosen, chosen_filter = QFileDialog.getSaveFileName(
                self.window,
                "Export customers to…",
                str(suggested),
                f"{CSV_FILTER};;{VCARD_FILTER}",
            )
            if not chosen:
                return None
            target = Path(chosen)
            if fmt is None:
                fmt = "vcard" if chosen_filter == VCARD_FILTER else "csv"
        fmt = fmt or ("vcard" if target.suffix.lower() in (".vcf", ".vcard") else "csv")
        confirmed = confirm_target(
            self.window, target, (".vcf", ".vcard") if fmt == "vcard" else (".csv",)
        )
        if confirmed is None:
            return None
        out, overwrite = confirmed.path, confirmed.overwrite
        self.last_dir = out.parent

        def work(desk: Desk, progress: Progress) -> int:
            write = desk.exports.to_vcard if fmt == "vcard" else desk.exports.to_csv
            return write(out, progress, overwrite=overwrite)  # confirmed: save_as.py

        count = run_with_progress(self.window, f"Exporting customers to {out.name}…", work)
        if isinstance(count, int):
            self.window.statusBar().showMessage(f"Exported {count:,} customers to {out}.", 8000)
            return count
        return None

    # -- duplicates ----------------------------------------------------------------------------
    def find_duplicates(self) -> int:
        """Merges happen on the window's own desk, so its change bus already hears them."""
        from csdesk.ui.dialogs.find_duplicates import FindDuplicatesDialog

        merged = FindDuplicatesDialog.ask(self.window, self.desk)
        self.window.search.focus_search()
        if merged:
            noun = "pair" if len(merged) == 1 else "pairs"
            self.window.statusBar().showMessage(f"Merged {len(merged)} {noun} of customers.", 8000)
        return len(merged)


def run_with_progress(window: Shell, text: str, fn: OpFn) -> Any:
    """Run fn on a worker with a progress box and Cancel; the result, or None (a failure is told)."""
    box = QProgressDialog(text, "Cancel", 0, 0, window)
    box.setObjectName("transferProgress")
    box.setAccessibleName(text)
    box.setWindowTitle("csdesk")
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.setMinimumDuration(300)  # quick jobs never flash a box
    op = window.run_op(fn, parent=box)

    def progress(done: int, total: int) -> None:
        box.setMaximum(max(total, 1))
        box.setValue(min(done, total))

    op.progress.connect(progress)
    box.canceled.connect(op.cancel)
    op.start().wait()
    box.reset()
    box.deleteLater()
    if op.error is not None:
        tell(window, "csdesk", op.error)
        return None
    return None if op.was_cancelled else op.result


def install(window: Shell) -> None:
    TransferFeature(window)
