"""The mail server's password: in the operating system's keychain (the `keyring` library), never in
the database, a log, the audit log or a backup. Qt-free.

Keyed by server and user, so a shop that changes provider does not send its old password to the
new one. Where this computer has no keychain keyring can use (a headless server, a minimal Linux
session), `MailPassword` says so and how to go on; a cron job on such a machine may pass the
password in the environment variable CSDESK_SMTP_PASSWORD instead (read, never stored).
"""

from __future__ import annotations

import contextlib
import os

from csdesk.errors import UserError

SERVICE = "csdesk-smtp"
ENV_PASSWORD = "CSDESK_SMTP_PASSWORD"

NO_KEYCHAIN = (
    "This computer has no keychain csdesk can keep the mail password in ({reason}). "
    "On a desktop, sign in to a session with one (Windows Credential Manager, macOS Keychain, "
    "GNOME Keyring or KWallet) and try again. On a server without one, give a scheduled "
    "`csdesk outbox send` the password in the environment variable " + ENV_PASSWORD + "; "
    "csdesk reads it there and never stores it."
)


def _account(host: str, user: str) -> str:
    return f"{user}@{host}"


def _no_keychain(exc: Exception) -> UserError:
    reason = str(exc).strip().rstrip(".") or type(exc).__name__
    return UserError(NO_KEYCHAIN.format(reason=reason))


def backend_names() -> list[str]:
    """The keychain backends this installation knows (keyring finds them through entry points,
    which a frozen bundle must carry: packaging/csdesk.spec)."""
    from importlib.metadata import entry_points

    return sorted({e.name for e in entry_points(group="keyring.backends")})


def keychain_name() -> str:
    """Which keychain keyring would use ('' when there is none), for Settings to show."""
    import keyring
    from keyring.backends import fail

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        return ""
    return type(backend).__name__


def store(host: str, user: str, password: str) -> None:
    if not host or not user:
        raise UserError("Set the mail server and its user name first; the password belongs to them.")
    import keyring
    import keyring.errors

    try:
        if password:
            keyring.set_password(SERVICE, _account(host, user), password)
        else:
            with contextlib.suppress(keyring.errors.PasswordDeleteError):  # there was none
                keyring.delete_password(SERVICE, _account(host, user))
    except keyring.errors.NoKeyringError as exc:
        raise _no_keychain(exc) from None
    except keyring.errors.KeyringError as exc:
        raise UserError(f"The keychain refused the password: {exc}.") from None


def load(host: str, user: str) -> str:
    """The password, '' when none is stored (the server may need none)."""
    from_env = os.environ.get(ENV_PASSWORD)
    if from_env:
        return from_env
    if not user:
        return ""
    import keyring
    import keyring.errors

    try:
        return keyring.get_password(SERVICE, _account(host, user)) or ""
    except keyring.errors.NoKeyringError as exc:
        raise _no_keychain(exc) from None
    except keyring.errors.KeyringError as exc:
        raise UserError(f"The keychain would not give the mail password: {exc}.") from None


def is_stored(host: str, user: str) -> bool:
    try:
        return bool(load(host, user))
    except UserError:
        return False
