"""`csdesk settings`: show or change any of the shop's settings (the one registry in
services.setting_registry, through the one audited setter the window uses too)."""

from __future__ import annotations

import click

from csdesk.commands.common import (
    RunContext,
    admin_desk,
    echo_json,
    if_version_option,
    json_flag,
    pass_run,
)
from csdesk.errors import UserError
from csdesk.services.shop_settings import SETTINGS, known


# ignore_unknown_options: a value may begin with '-' (`settings letter_margin_mm -5`), so the
# setting's own check answers, not click's "No such option '-5'". A mistyped --option still is
# refused below, never saved as a value.
@click.command("settings", context_settings={"ignore_unknown_options": True})
@click.argument("key", required=False)
@click.argument("value", required=False)
@json_flag(
    "an object with one key per setting (the names `csdesk settings` lists), each its value as "
    "csdesk applies it (text, number, true/false, cents or null for an unlimited goodwill limit, "
    "hours by priority, working days 0 = Monday)"
)
@click.option("--password-stdin", is_flag=True,
              help="For smtp_password: read it from the first line of stdin instead of asking.")
@click.option("--versions", "show_versions", is_flag=True,
              help="Show each setting's version (0: never set) instead of its value, for "
              "--if-version; with --json an object of setting -> version.")
@if_version_option("the setting")
@pass_run
def settings_cmd(run: RunContext, key: str | None, value: str | None, password_stdin: bool,
                 show_versions: bool, if_version: int | None, as_json: bool) -> None:
    """Show the shop's settings, or set one: csdesk settings shop_name "Trail & Co".

    Letters and reports print the shop's name, address and phone from here; the goodwill limits,
    issue targets, sign-in and idle lock are the ones the window applies. Defaults are shown
    (date_style and letter_page_size follow phone_region until set).
    """
    for word in (key, value):
        if word is not None and word.startswith("--"):
            raise click.NoSuchOption(word.partition("=")[0])
    if key == "smtp_password":  # never a setting: into the keychain (services/mail_secret.py)
        if value is not None:
            raise UserError("Do not type the password on the command line (it stays in the shell's "
                            "history): run `csdesk settings smtp_password` and it is asked.")
        from csdesk.commands.outbox import set_password

        set_password(run, password_stdin)
        return
    if key is not None:
        known(key)  # a mistyped key is refused before anything else is asked
    desk = admin_desk(run)
    shop = desk.shop
    if key is not None and value is not None:
        versions = None if if_version is None else {key: if_version}
        shop.set_many({key: value}, versions=versions)
        click.echo(f"{key} is now “{shop.values()[key]}”.")
        return
    wanted = [s for s in SETTINGS if key is None or s.key == key]
    if show_versions:
        versions = shop.versions(s.key for s in wanted)
        if as_json:
            echo_json(versions)
            return
        for name, version in versions.items():
            click.echo(f"{name:<20} {version}")
        return
    if as_json:
        echo_json({s.key: shop.get(s.key) for s in wanted})
        return
    shown = shop.values()
    for setting in wanted:
        text = shown[setting.key].replace("\n", " / ") or "(not set)"
        click.echo(f"{setting.key:<20} {text:<40} {setting.label}")
