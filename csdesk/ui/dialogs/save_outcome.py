"""A save whose COMMIT's answer was lost (SaveUncertain): one look at whether it went through."""

from __future__ import annotations

from csdesk.errors import CsdeskError, ServerSlow, ServerUnavailable
from csdesk.services.desk import Desk

# How often to ask. Costs nothing while the server is away (the lost connection fails at once);
# answered on the first look after the window reconnects.
OUTCOME_CHECK_MS = 500


def look(desk: Desk, ref: object) -> bool | str | None:
    """True or False once known; None while it cannot be told yet (the server away, slow to
    answer this look, or still settling the old session): look again. A text when the server
    can never tell: the user must look at the record."""
    try:
        return desk.outcome(ref)
    except (ServerUnavailable, ServerSlow):
        # Away (the window reconnects by itself) or this look was cancelled: nothing is known,
        # and "not saved" would be a guess that may save it twice.
        return None
    except CsdeskError as exc:
        return str(exc)
