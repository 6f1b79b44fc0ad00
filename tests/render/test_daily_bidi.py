"""A right-to-left name in the daily log keeps its "#id" after it (explore item 17): the PDF
printed "307# محمد عبد الله", because the Unicode bidi rules make a number that follows Arabic
letters part of their right-to-left run. The template puts an LRM between name and number."""

from __future__ import annotations

from PySide6.QtGui import QTextCursor, QTextDocument
from pytestqt.qtbot import QtBot

from csdesk.domain import CustomerDraft
from csdesk.services.desk import Desk

NAME = "محمد عبد الله"


def _x(cursor: QTextCursor, position: int) -> float:
    """Where character `position` of the document is drawn, left to right."""
    block = cursor.document().findBlock(position)
    at = position - block.position()
    line = block.layout().lineForTextPosition(at)
    x = line.cursorToX(at)
    return float(x[0] if isinstance(x, tuple) else x)


def test_the_id_stays_right_of_an_arabic_name(qtbot: QtBot, db_path: object) -> None:
    desk = Desk.open(db_path)  # type: ignore[arg-type]
    desk.auth.act_as_cli()
    cid = desk.customers.create(CustomerDraft(first_name="محمد", last_name="عبد الله")).id
    desk.visits.log(cid, purpose="boots")
    html = desk.report_exports.report_html(desk.reports.day())
    desk.close()
    doc = QTextDocument()
    doc.setHtml(html)
    doc.setTextWidth(900)
    doc.size()  # lays the document out
    name = doc.find(NAME)
    number = doc.find(f"#{cid}", name)
    assert not name.isNull() and not number.isNull()
    assert number.block() == name.block()
    # The name's both ends are left of the "#": drawn "محمد عبد الله #1", not "1# محمد عبد الله".
    hash_x = _x(number, number.selectionStart())
    assert max(_x(name, name.selectionStart()), _x(name, name.selectionEnd() - 1)) < hash_x
