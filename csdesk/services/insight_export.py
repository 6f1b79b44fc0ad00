"""Insights leaving the screen: the CSV of every chart's numbers and the printable PDF. Qt-free.

CSV (stable): one row per number, columns
  table   the chart it belongs to (summary, visits, returning, satisfaction, issues, categories,
          priorities, goodwill, followups, heat, staff)
  row     the row's label (a day, a week's Monday, a category, a weekday, a staff member)
  column  the column's name as the table view shows it
  value   the number (empty when there is none, e.g. no average without answers)
UTF-8 with a byte-order mark (not on stdout); labels starting with = + - @ get a leading '.

The figures contain no customer's data, but they are the shop's: writing them is audited.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import IO, TYPE_CHECKING

from csdesk.services.insight_data import WEEKDAYS, Insights, Period, heat_colour, heat_ink
from csdesk.services.insight_tables import CHARTS, HEAT_CAPTION, cell_text, table, tables
from csdesk.services.rendering import PageSetup, Progress, Renderer
from csdesk.services.report_export import TextSink, neutralise, report_templates
from csdesk.services.reports import short_moment
from csdesk.store.files import AtomicFile, check_target

if TYPE_CHECKING:
    from csdesk.services.context import Context
    from csdesk.services.insights import InsightService
    from csdesk.services.letters import LetterService

CSV_COLUMNS = ("table", "row", "column", "value")
CHART_WIDTH = 640  # px at the PDF's 96 dpi: the text width of A4 and Letter with 18 mm margins
CHART_HEIGHT = 270

def csv_rows(ins: Insights) -> list[list[str]]:
    out = []
    for t in tables(ins):
        for row in t.rows:
            label = neutralise(cell_text(row[0]))
            for column, value in zip(t.columns[1:], row[1:], strict=True):
                out.append([t.key, label, column, "" if value is None else cell_text(value)])
    return out


def write_csv(ins: Insights, out: TextSink) -> int:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    rows = csv_rows(ins)
    writer.writerows(rows)
    return len(rows)


class InsightExports:
    def __init__(
        self, ctx: Context, *, insights: InsightService, letters: LetterService
    ) -> None:
        self._ctx = ctx
        self._insights = insights
        self._letters = letters

    def _record(self, ins: Insights, fmt: str) -> None:
        span = {"format": fmt, "from": ins.period.first.isoformat(),
                "to": ins.period.last.isoformat(), "staff": ins.only}
        self._ctx.audit("export", "insights", after=span)

    def export_csv(
        self, period: Period, target: Path | IO[str], *, staff_id: int | None = None,
        overwrite: bool = False,
    ) -> int:
        ins = self._insights.compute(period, staff_id)
        if not isinstance(target, Path):
            rows = write_csv(ins, target)
        else:
            with (
                AtomicFile(target, overwrite=overwrite) as out,
                out.open("w", encoding="utf-8-sig", newline="") as handle,
            ):
                rows = write_csv(ins, handle)
        self._record(ins, "csv")
        return rows

    def report_html(self, ins: Insights) -> str:
        tz = ins.period.tz
        top = ins.heat_max
        head = ins.headline
        return report_templates().get_template("insights.html.j2").render(
            shop=self.shop_name(),
            title=ins.period.title,
            scope=f"{ins.only}'s own figures" if ins.only else "The whole shop",
            before=ins.period.before().title,
            tz_name=str(getattr(tz, "key", "") or ins.as_of.tzname() or ""),
            made=short_moment(self._ctx.clock().astimezone(tz)),
            summary=table(ins, "summary"),
            few_answers=head.few_answers,
            answers=head.rated,
            charts=CHARTS,
            # charts first, so the picture reads in a glance; every number after them
            numbers=[t for t in tables(ins) if t.key not in ("summary", "heat")],
            width=CHART_WIDTH,
            height=CHART_HEIGHT,
            heat=ins.heat,
            heat_caption=HEAT_CAPTION,
            weekdays=WEEKDAYS,
            colour=lambda n: heat_colour(n, top),
            ink=lambda n: heat_ink(n, top),
            text=cell_text,
        )

    def export_pdf(
        self,
        period: Period,
        path: Path,
        renderer: Renderer,
        *,
        staff_id: int | None = None,
        setup: PageSetup | None = None,
        progress: Progress | None = None,
        overwrite: bool = False,
    ) -> int | None:
        """Charts and summary on the shop's paper (A4 or Letter); pages written, None if stopped."""
        check_target(path, overwrite=overwrite)
        ins = self._insights.compute(period, staff_id)
        html = self.report_html(ins)
        setup = setup or self._letters.page_setup()
        with AtomicFile(path, overwrite=overwrite) as out:
            pages = renderer.insights_pdf(
                ins, html, out.tmp, setup, title=period.title, footer=self.shop_name(),
                progress=progress,
            )
            if pages is None:
                out.cancel()
                return None
        self._record(ins, "pdf")
        return pages

    def shop_name(self) -> str:
        return str(self._ctx.setting("shop_name", "") or "").strip() or "Our shop"
