"""What the daemon remembers when the district says this kiosk is revoked, and how it notices re-admission.

Revocation is kept in the outbox's sync state (so a restarted daemon stays quiet too, and the shell and
`kiosk outbox status` read it from the same place as the rest of the link's state):

    link = "revoked", revoked_at, revoked_key (the public key the district refused), last_error

The kiosk is re-admitted when it holds an enrollment with another key than the refused one (`kiosk enroll --token`
after `kiosk-district kiosk readmit`, or the daemon's own --token): the district never binds the old key again.
Noticing that is a file read, so a revoked daemon sends no request at all while it waits.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from kiosk.link.enrollment import current_enrollment
from kiosk.store.outbox import Outbox

UNDELIVERABLE = "undeliverable: this kiosk is revoked by the district (kept; export with `kiosk outbox export`)"


class Revocation:
    def __init__(self, outbox: Outbox, data_dir: Path) -> None:
        self._outbox = outbox
        self._data = Path(data_dir)

    def is_revoked(self) -> bool:
        return self._outbox.state().get("link") == "revoked"

    def revoke(self, reason: str) -> int:
        """Record the district's revocation and mark every pending row undeliverable; returns how many."""
        enrollment = current_enrollment(self._data)
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        return self._outbox.mark_undeliverable(UNDELIVERABLE, state={
            "link": "revoked", "revoked_at": now, "revoked_key": enrollment.public_key if enrollment else None,
            "last_error": f"revoked: {reason}"[:300], "last_error_at": now})

    def mark_pending(self) -> int:
        """Mark rows recorded since (a citizen's session that was already under way) undeliverable too."""
        return self._outbox.mark_undeliverable(UNDELIVERABLE)

    def readmitted(self) -> bool:
        """True when this kiosk has enrolled with a key other than the one the district revoked."""
        enrollment = current_enrollment(self._data)
        if enrollment is None:
            return False
        return enrollment.public_key != self._outbox.state().get("revoked_key")

    def clear(self) -> None:
        """Back in service: the link is unknown until the next answer."""
        self._outbox.put_state({"link": "unknown", "revoked_at": None, "revoked_key": None})
