"""What the console changes, once for pages and API alike: each action checks the role, reuses the district's own
function (kiosk_registry, document_register, assisted_verification) and appends to the audit log."""

from __future__ import annotations

from typing import Any

from contract.assisted_verification import Verdict
from contract.log_events import Event
from district import document_register, kiosk_registry
from district.assisted_verification import DecisionError, decide, keys_dir_of, load_or_create_key
from district.console import accounts, audit, staff_queue
from district.console.guard import Identity, require


class ActionError(Exception):
    """An action that could not be done; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _actor(identity: Identity) -> str:
    return identity.operator.name + ("" if identity.session else " (token)")


def enroll_kiosk(state: Any, identity: Identity, name: str) -> str:
    require(identity, "kiosks")
    try:
        token = kiosk_registry.add_kiosk(state.engine, name.strip())
    except ValueError as exc:
        audit.record(state.engine, _actor(identity), "kiosk.add", name[:64], "refused", reason=str(exc))
        raise ActionError(409 if isinstance(exc, kiosk_registry.KioskExists) else 422, str(exc)) from None
    audit.record(state.engine, _actor(identity), "kiosk.add", name.strip())
    return token


def revoke_kiosk(state: Any, identity: Identity, name: str) -> None:
    require(identity, "kiosks")
    try:
        kiosk_registry.revoke_kiosk(state.engine, name)
    except KeyError:
        raise ActionError(404, f"no kiosk named {name!r}") from None
    audit.record(state.engine, _actor(identity), "kiosk.revoke", name)


def revoke_document(state: Any, identity: Identity, serial: str, reason: str) -> bool:
    require(identity, "documents")
    reason = reason.strip()
    if not reason:
        raise ActionError(422, "a revocation needs a reason")
    if len(reason) > 500:
        raise ActionError(422, "the reason may have at most 500 characters")
    try:
        changed = document_register.revoke_document(state.engine, serial, reason)
    except KeyError:
        raise ActionError(404, f"no document with serial {serial!r}") from None
    audit.record(state.engine, _actor(identity), "document.revoke", serial, "ok" if changed else "unchanged",
                 reason=reason)
    return changed


def mark_help(state: Any, identity: Identity, request_id: int, mark: str) -> None:
    require(identity, "help")
    try:
        kiosk = staff_queue.add_mark(state.engine, request_id, mark, identity.operator.name)
    except DecisionError as exc:
        raise ActionError(exc.status, str(exc)) from None
    except ValueError as exc:
        raise ActionError(422, str(exc)) from None
    audit.record(state.engine, _actor(identity), f"help.{'acknowledge' if mark == 'acknowledged' else 'resolve'}",
                 f"{kiosk}/help/{request_id}")


def decide_help(state: Any, identity: Identity, request_id: int, approve: bool) -> dict[str, Any]:
    """Approve or deny an assisted verification (district.assisted_verification.decide, signed for the kiosk)."""
    require(identity, "help")
    verdict = Verdict.APPROVED if approve else Verdict.DENIED
    action = "help.approve" if approve else "help.deny"
    try:
        signed = decide(state.engine, load_or_create_key(keys_dir_of(state.settings)), request_id, verdict,
                        identity.operator.name)
    except DecisionError as exc:
        audit.record(state.engine, _actor(identity), action, f"help/{request_id}", "refused", reason=str(exc))
        raise ActionError(exc.status, str(exc)) from None
    d = signed.decision
    state.eventlog.log(Event.HELP_DECIDED, request=d.request_id, kiosk=d.kiosk, verdict=d.verdict.value,
                       decided_by=identity.operator.name, expires_at=round(d.expires_at, 3))
    audit.record(state.engine, _actor(identity), action, f"{d.kiosk}/help/{request_id}",
                 expires_at=audit.iso(d.expires_at))
    return {"id": d.request_id, "kiosk": d.kiosk, "verdict": d.verdict.value, "expires_at": d.expires_at}


def add_operator(state: Any, identity: Identity, name: str, role: str) -> str:
    """A new account with a one-time password (returned, shown once)."""
    require(identity, "accounts")
    try:
        _op, one_time = accounts.add_operator(state.engine, name.strip(), role)
    except accounts.AccountError as exc:
        raise ActionError(422, str(exc)) from None
    audit.record(state.engine, _actor(identity), "operator.add", f"operator/{name.strip()}", role=role)
    return one_time or ""


def disable_operator(state: Any, identity: Identity, name: str) -> None:
    require(identity, "accounts")
    if name == identity.operator.name:
        raise ActionError(422, "an admin cannot disable their own account")
    try:
        accounts.disable_operator(state.engine, name)
    except accounts.UnknownOperator:
        raise ActionError(404, f"no operator named {name!r}") from None
    audit.record(state.engine, _actor(identity), "operator.disable", f"operator/{name}")


def issue_token(state: Any, identity: Identity, name: str) -> str:
    require(identity, "accounts")
    try:
        token = accounts.issue_api_token(state.engine, name)
    except accounts.UnknownOperator:
        raise ActionError(404, f"no operator named {name!r}") from None
    except accounts.AccountError as exc:
        raise ActionError(422, str(exc)) from None
    audit.record(state.engine, _actor(identity), "operator.token", f"operator/{name}")
    return token
