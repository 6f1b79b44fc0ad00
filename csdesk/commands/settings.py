"""`csdesk settings`: show or change the shop's name, address, time zone, currency..."""

from __future__ import annotations

import click

from csdesk.commands.common import RunContext, admin_desk, echo_json, json_flag, pass_run
from csdesk.services.shop_settings import SETTINGS


@click.command("settings")
@click.argument("key", required=False)
@click.argument("value", required=False)
@json_flag("an object with one key per setting (the names `csdesk settings` lists), each its value")
@pass_run
def settings_cmd(run: RunContext, key: str | None, value: str | None, as_json: bool) -> None:
    """Show the shop's settings, or set one: csdesk settings shop_name "Trail & Co".

    Letters and reports print the shop's name, address and phone from here.
    """
    desk = admin_desk(run)
    shop = desk.shop
    if key is not None and value is not None:
        stored = shop.set(key, value)
        click.echo(f"{key} is now “{stored}”.")
        return
    values = shop.values()
    if key is not None:
        values = {key: values[key]} if key in values else {}
        if not values:
            shop.set(key, "")  # raises the clear "no such setting" message
    if as_json:
        echo_json(values)
        return
    for setting in SETTINGS:
        if setting.key in values:
            shown = values[setting.key].replace("\n", " / ") or "(not set)"
            click.echo(f"{setting.key:<16} {shown:<40} {setting.label}")
