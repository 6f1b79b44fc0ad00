"""The customer form: errors next to the field, nothing typed lost, duplicate warnings."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from csdesk.domain import Customer, CustomerDraft
from csdesk.services.customers import Duplicate
from csdesk.services.desk import Desk
from csdesk.ui.dialogs.customer_form import CustomerForm
from csdesk.ui.dialogs.duplicates import SAVE_ANYWAY, DuplicateWarning
from csdesk.ui.main_window import MainWindow


def _form(qtbot: QtBot, desk: Desk, customer: Customer | None = None) -> CustomerForm:
    form = CustomerForm(None, desk, customer)
    qtbot.addWidget(form)
    form.show()
    return form


def _save(qtbot: QtBot, form: CustomerForm) -> None:
    qtbot.mouseClick(
        form.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton
    )


def test_ctrl_n_invalid_email_shows_error_next_to_field_and_keeps_text(
    qtbot: QtBot, window: MainWindow
) -> None:
    seen: dict[str, object] = {}

    def drive() -> None:
        form = QApplication.activeModalWidget()
        try:
            assert isinstance(form, CustomerForm)
            qtbot.keyClicks(form.fields["first_name"], "Ingrid")
            qtbot.keyClicks(form.fields["email"], "ingrid@nowhere")
            _save(qtbot, form)
            seen["error"] = form.errors["email"].text()
            seen["error_visible"] = form.errors["email"].isVisibleTo(form)
            seen["email"] = form.fields["email"].text()
            seen["first"] = form.fields["first_name"].text()
            seen["still_open"] = form.isVisible()
            seen["focus"] = form.focusWidget() is form.fields["email"]
        finally:
            if isinstance(form, CustomerForm):
                form.reject()

    QTimer.singleShot(0, drive)
    qtbot.keyClick(window.search.field, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert "not a complete e-mail address" in str(seen["error"])
    assert seen["error_visible"] is True
    assert seen["email"] == "ingrid@nowhere"
    assert seen["first"] == "Ingrid"
    assert seen["still_open"] is True
    assert seen["focus"] is True
    assert window.customer_view.customer is None  # cancelled: nothing opened, nothing saved


def test_new_customer_is_saved_and_opened(qtbot: QtBot, window: MainWindow, desk: Desk) -> None:
    before = desk.customers.count()

    def drive() -> None:
        form = QApplication.activeModalWidget()
        assert isinstance(form, CustomerForm)
        try:
            qtbot.keyClicks(form.fields["first_name"], "Ingrid")
            form.fields["last_name"].setText("Bergström")  # QTest cannot type ö
            qtbot.keyClicks(form.phone_rows[0].number, "+46 70 123 45 67")
            _save(qtbot, form)
        finally:
            if form.isVisible():
                form.reject()

    QTimer.singleShot(0, drive)
    window.new_customer()
    assert desk.customers.count() == before + 1
    assert window.customer_view.banner.headline.text() == "Welcome, Ingrid!"


def test_impossible_phone_shows_error_on_its_row(qtbot: QtBot, desk: Desk) -> None:
    form = _form(qtbot, desk)
    qtbot.keyClicks(form.fields["first_name"], "Ann")
    form.add_phone_row("work", "")
    qtbot.keyClicks(form.phone_rows[1].number, "12")
    _save(qtbot, form)
    assert form.phone_rows[1].error.isVisibleTo(form)
    assert form.phone_rows[1].error.text()
    assert not form.phone_rows[0].error.isVisibleTo(form)
    assert form.phone_rows[1].number.text() == "12"
    assert form.saved is None


def test_empty_record_asks_for_something(qtbot: QtBot, desk: Desk) -> None:
    form = _form(qtbot, desk)
    _save(qtbot, form)
    assert "at least a name" in form.errors["first_name"].text()
    assert form.saved is None


def test_hostile_text_is_saved_verbatim(qtbot: QtBot, desk: Desk) -> None:
    form = _form(qtbot, desk)
    hostile = "Robert'); DROP TABLE customers;--"
    form.fields["first_name"].setText(hostile)
    form.fields["last_name"].setText('"AND NOT* 🙂')
    _save(qtbot, form)
    assert form.saved is not None
    assert desk.customers.get(form.saved.id).first_name == hostile


def test_duplicate_phone_warns_and_can_open_the_existing_customer(
    qtbot: QtBot, desk: Desk, known: dict[str, Customer], monkeypatch: pytest.MonkeyPatch
) -> None:
    warned: list[list[Duplicate]] = []

    def fake_ask(cls: type, parent: object, duplicates: list[Duplicate]) -> int | None:
        warned.append(duplicates)
        return duplicates[0].customer_id

    monkeypatch.setattr(DuplicateWarning, "ask", classmethod(fake_ask))
    before = desk.customers.count()
    form = _form(qtbot, desk)
    qtbot.keyClicks(form.fields["first_name"], "Joe")
    qtbot.keyClicks(form.phone_rows[0].number, "555 010 4477")
    _save(qtbot, form)
    assert warned, "no duplicate warning for an existing phone number"
    assert warned[0][0].customer_id == known["jose"].id
    assert "phone" in warned[0][0].reason
    assert form.saved is not None and form.saved.id == known["jose"].id
    assert desk.customers.count() == before


def test_duplicate_save_anyway_and_back_to_form(
    qtbot: QtBot, desk: Desk, known: dict[str, Customer], monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = [None, SAVE_ANYWAY]
    monkeypatch.setattr(DuplicateWarning, "ask", classmethod(lambda cls, p, d: answers.pop(0)))
    before = desk.customers.count()
    form = _form(qtbot, desk)
    qtbot.keyClicks(form.fields["email"], "PEPE.garcia@example.com")
    _save(qtbot, form)  # back to the form: nothing saved, text kept
    assert form.saved is None and form.fields["email"].text() == "PEPE.garcia@example.com"
    _save(qtbot, form)
    assert form.saved is not None and form.saved.id != known["jose"].id
    assert desk.customers.count() == before + 1


def test_real_duplicate_dialog_offers_open_instead(
    qtbot: QtBot, known: dict[str, Customer]
) -> None:
    dup = Duplicate(
        known["jose"].id, known["jose"].display_name, "already has the phone number 4477"
    )
    dialog = DuplicateWarning(None, [dup])
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.open_button.text() == f"Open {known['jose'].display_name} instead"
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert dialog.choice == known["jose"].id


def test_edit_keeps_phones_and_saves_changes(
    qtbot: QtBot, desk: Desk, known: dict[str, Customer]
) -> None:
    form = _form(qtbot, desk, known["jose"])
    assert [r.number.text() for r in form.phone_rows] == [p.raw for p in known["jose"].phones]
    assert form.phone_rows[1].label.currentText() == "work"
    form.fields["company"].setText("Summit Outfitters")
    _save(qtbot, form)
    assert form.saved is not None and form.saved.id == known["jose"].id
    assert desk.customers.get(known["jose"].id).company == "Summit Outfitters"


def test_removing_a_phone_row_keeps_the_others(qtbot: QtBot, desk: Desk) -> None:
    customer = desk.customers.create(
        CustomerDraft(first_name="Kai", phones=(("home", "212 555 0100"), ("work", "212 555 0111")))
    )
    form = _form(qtbot, desk, customer)
    qtbot.mouseClick(form.phone_rows[0].remove, Qt.MouseButton.LeftButton)
    assert [r.number.text() for r in form.phone_rows] == ["212 555 0111"]
    assert form.phone_rows[0].number.objectName() == "phone0"
    _save(qtbot, form)
    assert [p.raw for p in desk.customers.get(customer.id).phones] == ["212 555 0111"]


def test_form_widgets_have_names(qtbot: QtBot, desk: Desk) -> None:
    from PySide6.QtWidgets import QWidget

    form = _form(qtbot, desk)
    missing = [
        type(w).__name__
        for w in form.findChildren(QWidget)
        if w.focusPolicy() != Qt.FocusPolicy.NoFocus
        and w.isVisibleTo(form)
        and (not w.objectName() or not w.accessibleName())
    ]
    assert missing == []


def test_other_emails_are_shown_kept_edited_and_checked(qtbot: QtBot, desk: Desk) -> None:
    desk.auth.act_as_cli()
    ana = desk.customers.create(
        CustomerDraft(
            first_name="Ana",
            email="ana@home.example",
            other_emails=(("work", "ana@work.example"),),
        )
    )
    form = _form(qtbot, desk, ana)
    assert form.fields["email"].text() == "ana@home.example"
    assert form.other_emails.text() == "ana@work.example"
    form.grab().save("/tmp/import-export-form.png")
    form.fields["company"].setText("Ruiz SL")  # an edit elsewhere keeps both addresses
    _save(qtbot, form)
    assert [(e.address, e.label) for e in desk.customers.get(ana.id).emails] == [
        ("ana@home.example", "other"),
        ("ana@work.example", "work"),
    ]
    form = _form(qtbot, desk, desk.customers.get(ana.id))
    form.other_emails.setText("ana@work.example, not-an-address")
    _save(qtbot, form)
    assert form.isVisible() and "not-an-address" in form.errors["other_emails"].text()
    assert form.focusWidget() is form.other_emails
    form.other_emails.setText("ana@work.example; ana@third.example")
    _save(qtbot, form)
    assert [(e.address, e.label) for e in desk.customers.get(ana.id).emails] == [
        ("ana@home.example", "other"),
        ("ana@work.example", "work"),  # its label is kept
        ("ana@third.example", "other"),
    ]


def test_the_card_shows_every_address(qtbot: QtBot, desk: Desk) -> None:
    from csdesk.ui.widgets.customer_card import CustomerCard

    desk.auth.act_as_cli()
    ana = desk.customers.create(
        CustomerDraft(
            first_name="Ana", email="ana@home.example", other_emails=(("work", "ana@work.example"),)
        )
    )
    card = CustomerCard()
    qtbot.addWidget(card)
    card.show_customer(ana)
    assert ("E-mail", "ana@home.example") in card.values()
    assert ("Work e-mail", "ana@work.example") in card.values()
