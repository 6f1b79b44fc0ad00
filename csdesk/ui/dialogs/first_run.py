"""On an empty database: load demo customers to look around, or start empty."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from csdesk.services import demo
from csdesk.services.desk import Desk
from csdesk.ui.workers import Op, Progress, run_op

DEMO_CUSTOMERS = 300
BATCH = 25  # small batches so the progress bar moves


def _load_demo(desk: Desk, progress: Progress) -> int:
    return demo.generate(desk.context, DEMO_CUSTOMERS, batch=BATCH, progress=progress)


class FirstRunDialog(QDialog):
    def __init__(self, parent: QWidget | None, desk: Desk) -> None:
        super().__init__(parent)
        self.setObjectName("firstRunDialog")
        self.setAccessibleName("Welcome to csdesk")
        self.setWindowTitle("Welcome to csdesk")
        self._desk = desk
        self._task: Op | None = None
        self.loaded = 0

        title = QLabel("Welcome! Your customer list is empty.")
        title.setProperty("tone", "sectionTitle")
        body = QLabel(
            f"Load {DEMO_CUSTOMERS} demo customers to look around first, or start with an empty "
            "list and add your own. You can always add demo customers later with the command "
            "csdesk demo."
        )
        body.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setObjectName("demoProgress")
        self.progress.setAccessibleName("Loading demo customers")
        self.progress.setRange(0, DEMO_CUSTOMERS)
        self.progress.hide()
        self.message = QLabel()
        self.message.setObjectName("firstRunMessage")
        self.message.setWordWrap(True)
        self.message.hide()

        self.demo_button = QPushButton("Load demo customers")
        self.demo_button.setObjectName("loadDemoButton")
        self.demo_button.setAccessibleName("Load demo customers")
        self.demo_button.setDefault(True)
        self.empty_button = QPushButton("Start empty")
        self.empty_button.setObjectName("startEmptyButton")
        self.empty_button.setAccessibleName("Start with an empty customer list")
        self.cancel_button = QPushButton("Stop loading")
        self.cancel_button.setObjectName("stopDemoButton")
        self.cancel_button.setAccessibleName("Stop loading demo customers")
        self.cancel_button.hide()
        self.demo_button.clicked.connect(self.load_demo)
        self.empty_button.clicked.connect(self.reject)
        self.cancel_button.clicked.connect(self._cancel)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.empty_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.demo_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 20)
        layout.setSpacing(14)
        layout.addWidget(title)
        layout.addWidget(body)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.resize(560, 260)

    def load_demo(self) -> None:
        self.demo_button.setEnabled(False)
        self.empty_button.setEnabled(False)
        self.cancel_button.show()
        self.progress.setValue(0)
        self.progress.show()
        self.message.hide()
        self._task = run_op(self._desk, _load_demo, parent=self)
        self._task.progress.connect(lambda done, _total: self.progress.setValue(done))
        self._task.succeeded.connect(self._done)
        self._task.cancelled.connect(self.accept)  # what was loaded so far stays
        self._task.failed.connect(self._failed)
        self._task.start()

    def _cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self.cancel_button.setEnabled(False)

    def _done(self, added: object) -> None:
        self.loaded = int(added) if isinstance(added, int) else 0
        self.accept()

    def _failed(self, message: str) -> None:
        self.message.setText(f"Could not load the demo customers: {message}")
        self.message.show()
        self.cancel_button.hide()
        self.demo_button.setEnabled(True)
        self.empty_button.setEnabled(True)

    def reject(self) -> None:
        if (
            self._task is not None
            and self.cancel_button.isVisible()
            and self.cancel_button.isEnabled()
        ):
            self._cancel()  # Esc while loading stops the loading; the dialog closes when it has
            return
        super().reject()

    @classmethod
    def ask(cls, parent: QWidget | None, desk: Desk) -> bool:
        """True when demo customers were loaded (or partly loaded), False to start empty."""
        dialog = cls(parent, desk)
        return dialog.exec() == QDialog.DialogCode.Accepted
