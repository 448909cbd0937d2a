"""Assisted verification on the terminal: ask the district's staff, wait for their decision, check it, report.

The request carries the session number, the masked document number, why the face check is not used, and a
random challenge chosen here; it carries no biometric data. The decision is acted on only when it verifies with
the district key pinned at enrollment and names this kiosk, this request, this session and this challenge
(contract.assisted_verification). Anything else (forged, another session's, another kiosk's) is logged and
ignored while the citizen keeps waiting for the genuine answer; a genuine but expired one ends the wait.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError

from contract.assisted_verification import (
    HELP_REQUESTS_PATH,
    KEY_NAME,
    AssistedReason,
    AssistedVerificationRequest,
    Binding,
    DecisionRefused,
    HelpRequestStatus,
    Verdict,
    verify_decision,
)
from contract.eventlog import EventLog
from contract.log_events import Event
from kiosk.core.session import AssistedOutcome, RequestAssistedVerification
from kiosk.errors import KioskError
from kiosk.services.api import DistrictClient


def pinned_decision_key(data_dir: Path) -> str | None:
    """The district's assisted-verification public key (hex) saved at enrollment, or None (not enrolled, or
    enrolled with a district that announced none)."""
    try:
        keys = json.loads((Path(data_dir) / "district" / "keys.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = keys.get(KEY_NAME) if isinstance(keys, dict) else None
    return value if isinstance(value, str) and len(value) == 64 else None


class AssistedVerification:
    """One run per request: `run` blocks (on a worker thread) until a decision, the end of the wait, or cancel."""

    def __init__(self, district: DistrictClient, kiosk_id: str, public_key_hex: str | None,
                 district_clock: Callable[[], float], poll_s: float, log: EventLog) -> None:
        self._district = district
        self._kiosk_id = kiosk_id
        self._key = public_key_hex
        self._district_clock = district_clock
        self._poll_s = poll_s
        self._log = log

    def run(self, effect: RequestAssistedVerification, cancel: threading.Event,
            still_waiting: Callable[[], bool], on_sent: Callable[[int], None]) -> AssistedOutcome | None:
        """Post the request, then poll; the outcome, or None when the session moved on (request withdrawn)."""
        sid = effect.session_id
        if self._key is None:
            # Without the pinned key no decision could be trusted: do not make staff decide for nothing.
            self._log.log(Event.ASSISTED_DECISION_REFUSED, session=sid, reason="no-pinned-key")
            return AssistedOutcome.UNAVAILABLE
        challenge = secrets.token_hex(16)
        body = AssistedVerificationRequest(session=sid, challenge=challenge, masked_document=effect.masked_document,
                                           reason=AssistedReason(effect.reason))
        try:
            answer = self._district.post_json(HELP_REQUESTS_PATH, body.model_dump(mode="json"))
            request_id = int(answer["id"])
        except (KioskError, KeyError, TypeError, ValueError) as exc:
            self._log.log(Event.ASSISTED_VERIFICATION_COMPLETE, session=sid, outcome="unavailable",
                          error=type(exc).__name__, detail=str(exc)[:200])
            return AssistedOutcome.UNAVAILABLE
        on_sent(request_id)
        binding = Binding(kiosk=self._kiosk_id, request_id=request_id, session=sid, challenge=challenge)
        while not cancel.wait(self._poll_s):
            if not still_waiting():
                break
            outcome = self._poll(binding)
            if outcome is not None:
                return outcome
        self._withdraw(request_id, sid)
        return None

    def _poll(self, binding: Binding) -> AssistedOutcome | None:
        try:
            status = HelpRequestStatus.model_validate(
                self._district.get_json(f"{HELP_REQUESTS_PATH}/{binding.request_id}"))
        except (KioskError, ValidationError) as exc:  # the district is away for a moment: keep waiting
            self._log.log(Event.ASSISTED_DECISION_REFUSED, session=binding.session, request=binding.request_id,
                          reason="unreadable-answer", error=type(exc).__name__)
            return None
        if status.decision is None:
            return None
        assert self._key is not None
        try:
            decision = verify_decision(status.decision, self._key, binding, self._district_clock())
        except DecisionRefused as exc:
            self._log.log(Event.ASSISTED_DECISION_REFUSED, session=binding.session, request=binding.request_id,
                          reason=exc.reason)
            return AssistedOutcome.EXPIRED if exc.reason == "expired" else None
        return AssistedOutcome.APPROVED if decision.verdict is Verdict.APPROVED else AssistedOutcome.DENIED

    def _withdraw(self, request_id: int, sid: int) -> None:
        try:
            self._district.post_json(f"{HELP_REQUESTS_PATH}/{request_id}/withdraw", {})
        except KioskError as exc:  # staff see an open request for a citizen who left; a decision binds nothing
            self._log.log(Event.ASSISTED_VERIFICATION_COMPLETE, session=sid, request=request_id,
                          outcome="withdraw-failed", error=type(exc).__name__)
