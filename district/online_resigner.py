"""Keeping the catalog's snapshot and timestamp metadata fresh while the district server runs.

Kiosks refuse expired metadata (TUF's freeze-attack rule), and timestamp metadata lives one day: a re-signer that
stopped on its first error would leave every kiosk without catalog updates a day later. So an error never ends
the loop: it is logged and retried with a growing delay (capped at the normal interval), and another server
process re-signing the same version first (IntegrityError on the version's primary key) is no error at all.
"""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy.exc import IntegrityError

from contract.eventlog import EventLog
from contract.log_events import Event
from district.tuf_repository import OperatorKeys, TufRepository

RESIGN_AHEAD = dt.timedelta(hours=12)  # re-sign when the newest timestamp or snapshot expires within this


def run_online_resigner(repository: TufRepository, keys: OperatorKeys, stop: threading.Event, log: EventLog,
                        interval_s: float = 60.0, first_retry_s: float = 5.0) -> None:
    """Check every `interval_s` until `stop` is set; re-sign snapshot and timestamp when they expire soon."""
    delay = interval_s
    retry = first_retry_s
    while not stop.wait(delay):
        try:
            if repository.expiring(RESIGN_AHEAD):
                snapshot, timestamp = repository.refresh_online(keys)
                log.log(Event.TUF_RESIGNED, snapshot=snapshot, timestamp=timestamp)
        except IntegrityError:
            pass  # another server process re-signed the same version first
        except Exception as exc:  # noqa: BLE001 - a missing key, a lost database connection: retry, never stop
            log.log(Event.TUF_RESIGN_FAILED, error=f"{type(exc).__name__}: {exc}"[:300], retry_in_s=retry)
            delay = retry
            retry = min(retry * 2, interval_s)
            continue
        delay = interval_s
        retry = first_retry_s
