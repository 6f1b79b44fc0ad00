"""Test set-up for settings: through the one audited setter (services.shop_settings), as the
command line's admin, then the desk goes back to whoever was acting. There is no unaudited way to
change a setting, in tests either."""

from __future__ import annotations

from csdesk.services.desk import Desk


def set_setting(desk: Desk, key: str, value: object) -> None:
    previous = desk.actor
    desk.auth.act_as_cli()
    try:
        desk.shop.set(key, value)
    finally:
        desk.actor = previous
