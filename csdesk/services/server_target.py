"""A server target (PostgreSQL URL or conninfo) as the faces may show it or key on it: never
with its password. The faces ask here, not the store (ui/ never imports store/)."""

from __future__ import annotations

from csdesk.store.server.target import is_server, redact

__all__ = ["is_server", "shown"]


def shown(target: str) -> str:
    """The target without its password: for titles, messages and per-server names on disk."""
    return redact(target)
