"""A `csdesk migrate` cut off half-way leaves a partial copy on the server (each batch is its
own transaction). The next run says exactly that and the command that starts again; that
command empties the partial copy and copies everything, verified. A server database holding a
shop's data (no mark of a cut-off migrate) is still refused, with or without the flag."""

from __future__ import annotations

from pathlib import Path

import pytest

from csdesk.errors import UserError
from csdesk.services import demo
from csdesk.services.desk import Desk
from csdesk.services.server import init_server, migrate_file
from csdesk.store.server import copy as server_copy


def _shop_file(tmp_path: Path) -> Path:
    path = tmp_path / "shop.db"
    desk = Desk.open(path)
    try:
        desk.auth.act_as_cli()
        demo.generate(desk.context, 300, seed=7)
    finally:
        desk.close()
    return path


def test_a_migrate_cut_off_half_way_is_started_again_by_the_command_it_names(
    tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = _shop_file(tmp_path)
    monkeypatch.setattr(server_copy, "BATCH_ROWS", 100)  # several batches per table
    seen: list[str] = []

    def cut_off(done: int, total: int, table: str) -> bool:
        seen.append(table)
        return len(seen) < 12  # the "power cut" after a dozen committed batches

    with pytest.raises(UserError) as cancelled:
        migrate_file(shop, pg_url, cut_off)
    again = f"csdesk migrate --from {shop} --to {pg_url} --replace-partial"
    assert again in str(cancelled.value)
    with pytest.raises(UserError) as refused:
        migrate_file(shop, pg_url, lambda *a: True)
    message = str(refused.value)
    assert "partial copy from an earlier `csdesk migrate` that was cut off" in message
    assert "shop.db" in message and "nothing was copied now" in message and again in message
    report = migrate_file(shop, pg_url, lambda *a: True, replace_partial=True)
    assert report.ok and all(t.ok for t in report.copy.tables)
    desk = Desk.open(pg_url)
    try:
        assert desk.customers.count() == 300
    finally:
        desk.close()
    # Complete now: no mark is left, so a third run is refused as a shop's data.
    with pytest.raises(UserError, match="already holds csdesk data"):
        migrate_file(shop, pg_url, lambda *a: True)
    with pytest.raises(UserError, match="holds none; nothing was changed"):
        migrate_file(shop, pg_url, lambda *a: True, replace_partial=True)


def test_replace_partial_never_empties_a_database_in_use(tmp_path: Path, pg_url: str) -> None:
    init_server(pg_url)
    desk = Desk.open(pg_url)
    try:
        desk.auth.act_as_cli()
        demo.generate(desk.context, 5, seed=1)
    finally:
        desk.close()
    with pytest.raises(UserError, match="holds none; nothing was changed"):
        migrate_file(_shop_file(tmp_path), pg_url, lambda *a: True, replace_partial=True)
    desk = Desk.open(pg_url)
    try:
        assert desk.customers.count() == 5
    finally:
        desk.close()
