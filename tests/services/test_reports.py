"""The daily log's rows and summary on a real database with known events and a fake clock."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest

from csdesk.errors import PermissionDenied, UserError
from csdesk.services.desk import Desk
from csdesk.services.report_export import (
    COLUMNS,
    csv_cells,
    neutralise,
)
from csdesk.store import reports as store
from tests.conftest import FakeClock
from tests.services.reports_helpers import seed_dst_day, utc
from tests.settings_seam import set_setting


@pytest.fixture
def day(desk: Desk, clock: FakeClock):  # type: ignore[no-untyped-def]
    return seed_dst_day(desk, clock)


def test_a_day_crossing_the_dst_change_is_25_hours(desk: Desk, day: object) -> None:
    rng = desk.reports.day(date(2026, 10, 25))
    assert rng.hours == 25
    assert rng.start == utc(2026, 10, 24, 22, 0) and rng.end == utc(2026, 10, 25, 23, 0)
    set_setting(desk, "timezone", "America/New_York")
    assert desk.reports.day(date(2026, 11, 1)).hours == 25
    assert desk.reports.day(date(2026, 3, 8)).hours == 23
    assert desk.reports.day(date(2026, 3, 9)).hours == 24


def test_rows_in_order_with_midnight_edges(desk: Desk, day: object) -> None:
    rows = desk.reports.rows(desk.reports.day(date(2026, 10, 25)))
    visits = [r.summary for r in rows if r.kind in ("visit", "call")]
    assert visits == [
        "midnight",
        "first 02:30",
        "second 02:30",
        "-2+3 refund? → @once",
        "last one",
    ]
    assert [r.at for r in rows] == sorted(r.at for r in rows)
    # the twice-lived 02:30 keeps its offset: summer time, then winter time
    twice = [r.at.isoformat() for r in rows if "02:30" in r.summary]
    assert twice == ["2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00"]
    assert rows[0].at.isoformat() == "2026-10-25T00:00:00+02:00"
    assert rows[-1].at.isoformat() == "2026-10-25T23:59:59+01:00"
    assert rows[-1].summary == "last one"


def test_every_source_appears_with_staff_and_customer(desk: Desk, day) -> None:  # type: ignore[no-untyped-def]
    rows = desk.reports.rows(desk.reports.day(date(2026, 10, 25)))
    kinds = [r.kind for r in rows]
    for kind in ("visit", "call", "note", "issue_opened", "issue_goodwill", "issue_resolved",
                 "followup_created", "followup_done"):
        assert kind in kinds, kind
    call = next(r for r in rows if r.kind == "call")
    assert (call.customer_name, call.channel, call.staff) == ("Zoë Quaglia-Obst", "phone", "Ben")
    resolved = next(r for r in rows if r.kind == "issue_resolved")
    assert resolved.issue_id == day.issue_id and resolved.status == "resolved"
    assert resolved.staff == "Anna" and "Replaced" in resolved.summary
    done = next(r for r in rows if r.kind == "followup_done")
    assert done.summary == "Call back about the repair: Happy" and done.status == "done"
    created = [r for r in rows if r.kind == "followup_created"]
    assert created[0].summary == "Call back about the repair (due 2026-10-25 15:00)"


def test_a_letter_is_in_the_log(desk: Desk, day, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    clock.now = utc(2026, 10, 25, 16, 0)
    desk.letters.produce("thank_you", day.zoe)
    rows = desk.reports.rows(desk.reports.day(date(2026, 10, 25)))
    letter = next(r for r in rows if r.kind == "letter")
    assert letter.customer_id == day.zoe and letter.staff == "Anna" and letter.summary


def test_paging_and_count_agree(desk: Desk, day: object) -> None:
    rng = desk.reports.day(date(2026, 10, 25))
    everything = desk.reports.rows(rng)
    assert desk.reports.count(rng) == len(everything)
    pages = desk.reports.page(rng, 0, 4) + desk.reports.page(rng, 4, 100)
    assert pages == everything


def test_summary_and_per_staff(desk: Desk, day: object) -> None:
    summary = desk.reports.summary(desk.reports.day(date(2026, 10, 25)))
    t = summary.total
    assert t.visits_by_channel == {"in_person": 2, "phone": 2, "email": 1}
    assert t.new_customers == 1  # Kofi; the others were added days before
    assert (t.issues_opened, t.issues_resolved) == (1, 1)
    assert (t.followups_done, t.followups_due) == (1, 1)  # the catalogue was due 15:00Z
    assert t.goodwill_cents == 1500
    assert t.average_satisfaction == pytest.approx((4 + 2 + 5) / 3)
    assert set(summary.by_staff) == {"Anna", "Ben"}
    ben, anna = summary.by_staff["Ben"], summary.by_staff["Anna"]
    assert ben.visits == 5 and ben.new_customers == 1 and ben.goodwill_cents == 0
    assert anna.visits == 0 and anna.issues_resolved == 1 and anna.goodwill_cents == 1500
    assert anna.followups_due == 1 and anna.followups_done == 1


def test_overdue_counts_as_of_the_end_of_the_day(desk: Desk, day: object, clock: FakeClock) -> None:
    desk.act_as("Anna")
    clock.now = utc(2026, 10, 25, 15, 0)
    from csdesk.domain import IssueDraft

    desk.issues.log(
        IssueDraft(customer_id=day.zoe, title="Late delivery", due_at=clock.now + timedelta(hours=2))  # type: ignore[attr-defined]
    )
    clock.now = utc(2026, 10, 27, 9, 0)
    assert desk.reports.summary(desk.reports.day(date(2026, 10, 25))).total.issues_overdue == 1
    assert desk.reports.summary(desk.reports.day(date(2026, 10, 24))).total.issues_overdue == 0


def test_an_empty_day(desk: Desk, day: object) -> None:
    rng = desk.reports.day(date(2026, 10, 1))
    assert desk.reports.rows(rng) == []
    assert desk.reports.summary(rng).total.empty


def test_every_arm_uses_an_index(desk: Desk, day: object) -> None:
    rng = desk.reports.day(date(2026, 10, 25))
    plan = store.plans(desk.db, rng.start_iso, rng.end_iso)
    assert [t for t in plan.whole_tables() if t != "u"] == [], plan.text  # u: the union itself


def test_shift_ranges_and_bad_input(desk: Desk, day: object) -> None:
    rng = desk.reports.parse_span("2026-10-25T02:00", "2026-10-25T10:00")
    # naive times are Berlin time; 02:00 is ambiguous, fold 0 is the first (summer) one
    assert rng.start == utc(2026, 10, 25, 0, 0)
    summaries = [r.summary for r in desk.reports.rows(rng)]
    assert "midnight" not in summaries and "first 02:30" in summaries
    whole = desk.reports.parse_span("2026-10-25", "2026-10-25")
    assert (whole.start, whole.end) == (desk.reports.day(date(2026, 10, 25)).start,
                                        desk.reports.day(date(2026, 10, 25)).end)
    with_offset = desk.reports.parse_span("2026-10-25T09:00+00:00", "2026-10-25 09:30+00:00")
    assert [r.summary for r in desk.reports.rows(with_offset)] == ["-2+3 refund? → @once"]
    for bad in ("25.10.2026", "2026-13-01", "", "2026-10-25; DROP TABLE visits", "2026-02-30"):
        with pytest.raises(UserError):
            desk.reports.parse_day(bad)
    with pytest.raises(UserError, match="after its start"):
        desk.reports.parse_span("2026-10-25T10:00", "2026-10-25T09:00")
    with pytest.raises(UserError, match="--from"):
        desk.reports.parse_span("yesterday", "2026-10-25")


def test_csv_reads_back_as_logged(desk: Desk, day, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    desk.act_as("Anna")
    rng = desk.reports.day(date(2026, 10, 25))
    path = tmp_path / "day.csv"
    result = desk.report_exports.export_csv(rng, path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    with path.open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    assert table[0] == list(COLUMNS)
    events = desk.reports.rows(rng)
    assert result.rows == len(events) == len(table) - 1
    for event, cells in zip(events, table[1:], strict=True):
        assert cells == csv_cells(event)
        assert cells[0] == event.at.isoformat()  # ISO 8601 with the offset
        expected = event.summary if not event.summary.startswith(("-", "@")) else "'" + event.summary
        assert cells[6] == expected
    note = next(c for c in table if c[1] == "note")
    assert note[6] == "Prefers calls\nafter 5pm"  # newlines survive the round trip
    hostile = [c for c in table if c[2] == str(day.hostile)]
    assert hostile and all(c[3].startswith("'=HYPERLINK") for c in hostile)
    assert hostile[0][6] == "'-2+3 refund? → @once"
    assert not list(tmp_path.glob(".*.part"))


def test_neutralise_every_risky_start() -> None:
    for risky in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(risky) == "'" + risky
    for fine in ("José", "1-2", "", "a=b"):
        assert neutralise(fine) == fine


def test_csv_to_a_stream_has_no_bom(desk: Desk, day: object) -> None:
    desk.act_as("Anna")
    out = io.StringIO()
    desk.report_exports.export_csv(desk.reports.day(date(2026, 10, 25)), out)
    assert out.getvalue().startswith("at,kind,customer_id")


def test_staff_cannot_export(desk: Desk, day: object, tmp_path: Path) -> None:
    desk.act_as("Ben")
    with pytest.raises(PermissionDenied, match="shift lead"):
        desk.report_exports.export_csv(desk.reports.day(date(2026, 10, 25)), tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()


def test_xlsx_writes_text_never_formulas(desk: Desk, day: object, tmp_path: Path) -> None:
    desk.act_as("Anna")
    path = tmp_path / "day.xlsx"
    result = desk.report_exports.export_xlsx(desk.reports.day(date(2026, 10, 25)), path)
    with zipfile.ZipFile(path) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert result.rows > 5
    assert "<f>" not in sheet  # no formula cells at all
    assert "=HYPERLINK" in sheet and "2026-10-25T02:30:00+01:00" in sheet


def test_cannot_write_into_a_missing_drive(desk: Desk, day: object, tmp_path: Path) -> None:
    desk.act_as("Anna")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(UserError, match="folder"):
        desk.report_exports.export_csv(
            desk.reports.day(date(2026, 10, 25)), blocker / "sub" / "day.csv"
        )


def test_handover_note(desk: Desk, day: object) -> None:
    desk.act_as("Ben")
    with pytest.raises(PermissionDenied, match="handover"):
        desk.handover.write("Till 2 sticks")
    desk.act_as("Anna")
    with pytest.raises(UserError):
        desk.handover.write("   ")
    note = desk.handover.write("  Till 2 sticks. <b>Call Kofi</b>  ", for_shift="late shift")
    assert note.body == "Till 2 sticks. <b>Call Kofi</b>" and note.created_by == "Anna"
    assert [n.id for n in desk.handover.unread()] == [note.id]
    desk.act_as("Ben")
    assert desk.handover.acknowledge([note.id]) == [note.id]
    assert desk.handover.acknowledge([note.id]) == []  # once is enough
    assert desk.handover.unread() == []
    assert desk.handover.recent()[0].read_by == "Ben"
    actions = [r[0] for r in desk.db.execute(
        "SELECT action FROM audit WHERE entity = 'handover' ORDER BY id")]
    assert actions == ["create", "read"]


def test_a_night_shift_shows_dates_with_times(desk: Desk, day: object) -> None:
    rng = desk.reports.parse_span("2026-10-24T22:00", "2026-10-25T06:00")
    assert rng.spans_days and rng.title == "24 Oct 2026, 22:00 to 25 Oct 2026, 06:00"
    rows = desk.reports.rows(rng)
    assert [r.time_label(rng.spans_days) for r in rows][:2] == ["24 Oct 23:59", "25 Oct 00:00"]
    assert not desk.reports.day(date(2026, 10, 25)).spans_days
    assert desk.reports.day(date(2026, 10, 25)).title == "Sunday 25 October 2026"


def test_status_is_what_the_event_set_not_todays(desk: Desk, day: object) -> None:
    rows = desk.reports.rows(desk.reports.day(date(2026, 10, 25)))
    by_kind = {r.kind: r.status for r in rows}
    assert by_kind["issue_opened"] == "open"
    assert by_kind["issue_goodwill"] == ""  # given before it was resolved: no status change
    assert by_kind["issue_resolved"] == "resolved"
    assert by_kind["followup_created"] == "due" and by_kind["followup_done"] == "done"


def test_a_stopped_export_leaves_no_file(desk: Desk, day: object, tmp_path: Path) -> None:
    from csdesk.domain import Channel

    for i in range(520):  # past the first progress report (every 500 rows)
        desk.visits.log(day.zoe, channel=Channel.CHAT, purpose=f"chat {i}",  # type: ignore[attr-defined]
                               at=utc(2026, 10, 25, 6, i % 60))
    desk.act_as("Anna")
    seen: list[tuple[int, int]] = []

    def stop(done: int, total: int) -> bool:
        seen.append((done, total))
        return False

    rng = desk.reports.day(date(2026, 10, 25))
    out = tmp_path / "out"
    out.mkdir()
    exports = desk.report_exports
    for fn, name in ((exports.export_csv, "a.csv"), (exports.export_xlsx, "a.xlsx")):
        result = fn(rng, out / name, progress=stop)
        assert result.cancelled and result.path is None
        assert not (out / name).exists()
    assert seen[0] == (500, desk.reports.count(rng))
    assert list(out.iterdir()) == []  # no half-written temporary file either
