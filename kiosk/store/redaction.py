"""What an outbox payload keeps once it no longer needs to serve anyone: metadata, never personal data.

A queued request carries the citizen's full document number, name and the module's fields (a phone number, a
bank account) until the district has it. After delivery (the district holds it) and after a dead letter's
retention (no one is going to resend it), the payload is cut down to what audits and the district's duplicate
handling need: ids, sequence, item, module, status, times, tracking number, rating, and the non-personal keys of
the request. The result still validates as a contract.transactions.TransactionItem, so a delivered row that goes
back to pending to carry a late rating is still accepted by the district as a duplicate.
"""

from __future__ import annotations

from typing import Any

# Keys of a queued request that say what was asked, not who asked (kiosk.services.builtin.queueing).
REQUEST_METADATA = ("path", "type", "module", "accepted_at", "kiosk_id")


def redacted_payload(payload: dict[str, Any], when: str) -> dict[str, Any]:
    """`payload` without personal data, marked with `redacted_at` = `when` (ISO time)."""
    kept = dict(payload)
    request = payload.get("request")
    if isinstance(request, dict) and request:
        kept["request"] = {k: request[k] for k in REQUEST_METADATA if k in request}
    if "holder" in kept:
        kept["holder"] = ""  # a digest of the document number: still derived from it
    kept["redacted_at"] = when
    return kept


def is_redacted(payload: dict[str, Any]) -> bool:
    return bool(payload.get("redacted_at"))
