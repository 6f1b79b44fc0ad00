"""How long the worst letters allowed by services/letter_html.py take to lay out and draw, and how
fast the hostile templates of issue 14.6 are refused. Prints numbers; asserts nothing.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_letter_limits.py
"""

from __future__ import annotations

import os
import resource
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("CSDESK_DATA_DIR", tempfile.mkdtemp(prefix="csdesk-bench-"))

from csdesk import paths
from csdesk.domain import CustomerDraft
from csdesk.errors import UserError
from csdesk.render.qt import QtRenderer
from csdesk.services.desk import Desk
from csdesk.services.letter_html import MAX_CELLS, MAX_LINES, MAX_TABLE_DEPTH, check_html
from csdesk.services.letter_output import draw_pdf
from csdesk.services.rendering import PageSetup


def nested(depth: int, cells: int) -> str:
    per = max(1, cells // depth - 1)
    row = "<td>y</td>" * per
    return ("<table><tr>" + row + "<td>") * depth + "x" + "</td></tr></table>" * depth


WORST = {
    f"{MAX_TABLE_DEPTH} nested tables, {MAX_CELLS} cells": nested(MAX_TABLE_DEPTH, MAX_CELLS),
    f"one table, {MAX_CELLS} cells": "<table><tr>" + "<td>y</td>" * (MAX_CELLS - 1) + "</tr></table>",
    f"{MAX_LINES - 10} lines of <pre>": "<pre>" + "line\n" * (MAX_LINES - 10) + "</pre>",
    "95,000 characters of words": "word " * 19_000,
}

HOSTILE = {
    "3,000 nested tables": "{% for i in range(3000) %}<table><tr><td>{% endfor %}x",
    "60 bytes of replace": '{{ ("x" * 999999) | replace("x", "xxxxxxxxxxxxxxxxxxxxxxxx") }}',
    "join of 999 MB": '{{ (["x" * 999999] * 999) | join }}',
    "<img src=file:///dev/zero>": '<img src="file:///dev/zero"><p>{{ customer.name }}</p>',
    "~ doubling 60 times": '{% set ns = namespace(s="x") %}{% for i in range(60) %}'
    "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}",
}


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="csdesk-bench-limits-"))
    print(f"load: {os.getloadavg()[0]:.1f} (1 min), {os.cpu_count()} cores")
    for name, html in WORST.items():
        check_html(html)
        started = time.perf_counter()
        pages = draw_pdf(QtRenderer(), [html], work / "w.pdf", PageSetup(), "x", overwrite=True)
        print(f"inside the limits  {name:<34} {time.perf_counter() - started:6.2f} s, "
              f"{pages} pages")
    desk = Desk.open(work / "b.db")
    cid = desk.customers.create(CustomerDraft(first_name="Ada")).id
    folder = paths.user_letters_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for i, (name, source) in enumerate(HOSTILE.items()):
        (folder / f"h{i}.html.j2").write_text(source, encoding="utf-8")
        started = time.perf_counter()
        try:
            desk.letters.render(f"h{i}", cid)
            outcome = "rendered"
        except UserError as exc:
            outcome = "refused: " + str(exc).split(" Fix the template")[0][-60:]
        print(f"hostile  {name:<28} {time.perf_counter() - started:6.2f} s  {outcome}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process: {peak:.0f} MB")
    desk.close()


if __name__ == "__main__":
    main()
