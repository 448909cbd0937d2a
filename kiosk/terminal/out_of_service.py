"""When the terminal must not start a session, and the message key of the kind screen it shows instead.

Only revocation for now: the district stores nothing this kiosk sends, so a session would record transactions
that can never be delivered. Other conditions (devices, catalog) add their reason keys here.
"""

from __future__ import annotations

from typing import Any

REVOKED = "out_of_service.revoked"


def out_of_service_reason(sync_status: dict[str, Any]) -> str | None:
    """The reason key when the sync status (kiosk.store.outbox.Outbox.status or .state) puts the terminal out of
    service, else None."""
    if sync_status.get("link") == "revoked":
        return REVOKED
    return None
