"""The errors every floor shares. Faces show a UserError's message as it is; it says what to do."""

from __future__ import annotations


class CsdeskError(Exception):
    """Base of every error csdesk raises on purpose."""


class UserError(CsdeskError):
    """Bad input or a condition the user can fix (locked database, full disk, ...)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationError(UserError):
    """One or more fields are invalid; `errors` maps field name to a message for that field."""

    def __init__(self, errors: dict[str, str]) -> None:
        first = next(iter(errors.values()), "Please check the form.")
        super().__init__(first, field=next(iter(errors), None))
        self.errors = dict(errors)


class DatabaseLocked(UserError):
    """Another program (another counter's csdesk, a command) held the database's write lock
    longer than this connection waits: nothing was written, and the same write works once it
    lets go. The window tries its saves without waiting and waits off the UI thread on this."""


class PermissionDenied(CsdeskError):
    """The acting staff member may not do this."""


class NotFound(CsdeskError):
    """The record asked for does not exist (or was erased)."""


class NameNotFound(NotFound, UserError):
    """A thing named by the user does not exist: a file to read, a letter template, a setting.
    Not found (exit 3) to the command line, like a record; still a UserError with its message
    (what to check) to the faces that show those as one."""


class Conflict(UserError):
    """Someone else saved the same record since it was read; the caller still holds its own text.

    `who`, `at` (UTC ISO-8601) and `computer` say who saved in between, `changed` which fields
    (in words), when the audit log knows; the message already says all of it."""

    def __init__(
        self,
        message: str,
        *,
        who: str | None = None,
        at: str | None = None,
        computer: str = "",
        changed: tuple[str, ...] = (),
        said: str = "",
    ) -> None:
        super().__init__(message)
        self.who = who
        self.at = at
        self.computer = computer
        self.changed = changed
        # Who changed what, without what to do next: a face with other ways (the command line's
        # --if-version, no Cancel button) says its own next step after it.
        self.said = said


class ServerUnavailable(UserError):
    """The database server does not answer (stopped, unreachable, the connection lost): nothing
    was saved by the statement that met it; the same thing works again once it is back. A face
    may say it more briefly where a save was not what failed (the search list)."""


class ServerSlow(UserError):
    """The server did not answer within the connection's deadline but took the cancel: that one
    statement was cancelled and nothing was changed; the connection goes on. A face that was
    waiting for something (a lost save's outcome) simply asks again."""


class SaveUncertain(ServerUnavailable):
    """The connection was lost after a write's COMMIT was sent and before its answer came: the
    write may or may not have been saved. `ref` is what `Desk.outcome(ref)` needs to tell which,
    once the server answers again; until then a face keeps what was typed and does not offer to
    save it again (that could save it twice). `written` names the rows the write wrote
    ((entity, id), as its change log does): once it is known saved, a face loads those and goes
    on as after a normal save."""

    def __init__(self, message: str, *, ref: object,
                 written: tuple[tuple[str, int], ...] = ()) -> None:
        super().__init__(message)
        self.ref = ref
        self.written = written
