"""The console's JSON API under /console/api: what every console page shows and does, for scripts.

Same authorization as the pages (district.console.guard): a bearer token from `kiosk-district operator token NAME`,
or a console session (then POSTs need the X-CSRF-Token header). No credentials: 401, never data.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from district import document_register, latched_alerts
from district.api_errors import ANY_REQUEST, error_responses
from district.console import accounts, actions, audit
from district.console.alert_actions import acknowledge_alert
from district.console.fleet import SORT_KEYS, Thresholds, fleet, select_rows
from district.console.guard import API_PREFIX, Identity, api_identity, require
from district.console.kiosk_view import device_checks, transactions_per_day, transactions_per_item
from district.console.ratings import kiosk_ratings
from district.console.staff_queue import queue

_CONSOLE_ERRORS = {
    401: "no credentials, or an unknown, revoked or disabled API token / session",
    403: "the role may not do this, the one-time password is not changed yet, or a session POST without its "
         "X-CSRF-Token",
    404: "no such kiosk, document, help request or account",
    409: "conflict with the current state (the kiosk exists, the request is already decided)",
    429: "more than the operator's request rate; see Retry-After",
}
_ERRORS: dict[int | str, dict[str, Any]] = {
    **error_responses(*ANY_REQUEST),
    **{code: {**error_responses(code)[code], "description": text} for code, text in _CONSOLE_ERRORS.items()},
}
router = APIRouter(prefix=API_PREFIX, tags=["console"], responses=_ERRORS)


class KioskName(BaseModel):
    name: str = Field(min_length=1, max_length=64)


class RevokeReason(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class NewOperator(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    role: str


def _limits(request: Request) -> Thresholds:
    s = request.app.state.settings
    return Thresholds(s.heartbeat_threshold_s, s.heartbeat_grace_s)


def _row_json(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "alerts": [{"key": a.key, **a.params} for a in row["alerts"]]}


@router.get("/me", summary="The operator the request acts as")
def me(identity: Identity = Depends(api_identity)) -> dict[str, Any]:
    op = identity.operator
    return {"name": op.name, "role": op.role, "permissions": sorted(accounts.PERMISSIONS[op.role]),
            "via": "session" if identity.session else "token"}


@router.get("/fleet", summary="Every kiosk with its heartbeat status (green/amber/red), versions, backlog, alerts")
def fleet_json(request: Request, identity: Identity = Depends(api_identity), q: str = "", status: str = "",
               sort: str = Query("status", json_schema_extra={"enum": list(SORT_KEYS)}), desc: bool = False) -> dict[str, Any]:
    rows, published = fleet(request.app.state.engine, _limits(request))
    return {"published_catalog_version": published,
            "threshold_s": request.app.state.settings.heartbeat_threshold_s,
            "grace_s": request.app.state.settings.heartbeat_grace_s,
            "kiosks": [_row_json(r) for r in select_rows(rows, q, status, sort, desc)]}


@router.get("/kiosks/{name}", summary="One kiosk: fleet row, device checks, transaction counts, ratings, latched "
                                      "alerts, help, audit")
def kiosk_json(request: Request, name: str, identity: Identity = Depends(api_identity)) -> dict[str, Any]:
    engine = request.app.state.engine
    rows, published = fleet(engine, _limits(request))
    row = next((r for r in rows if r["name"] == name), None)
    if row is None:
        raise actions.ActionError(404, f"no kiosk named {name!r}")
    return {"kiosk": _row_json(row), "published_catalog_version": published,
            "device_checks": device_checks(row["devices"]),
            "transactions_per_day": dict(transactions_per_day(engine, name)),
            "transactions_per_item": dict(transactions_per_item(engine, name)),
            "help_requests": queue(engine, kiosk=name), "audit": audit.entries(engine, target=name, limit=100),
            "latched_alerts": latched_alerts.alerts_of(engine, name), "ratings": kiosk_ratings(engine, name).as_json()}


@router.get("/alerts", summary="Latched alerts (kept until acknowledged), newest first")
def alerts_json(request: Request, identity: Identity = Depends(api_identity), open_only: bool = False,
                limit: int = Query(500, ge=1, le=5000)) -> list[dict[str, Any]]:
    return latched_alerts.listing(request.app.state.engine, open_only, limit)


@router.post("/alerts/{alert_id}/acknowledge", summary="Acknowledge a latched alert (operator, admin)")
def alert_acknowledge(request: Request, alert_id: int, identity: Identity = Depends(api_identity)) -> dict[str, Any]:
    return acknowledge_alert(request.app.state, identity, alert_id)


@router.post("/kiosks", summary="Enroll a kiosk: its one-time enrollment token (shown once)")
def kiosk_add(request: Request, body: KioskName, identity: Identity = Depends(api_identity)) -> dict[str, str]:
    return {"name": body.name, "token": actions.enroll_kiosk(request.app.state, identity, body.name)}


@router.post("/kiosks/{name}/revoke", summary="Revoke a kiosk")
def kiosk_revoke(request: Request, name: str, identity: Identity = Depends(api_identity)) -> dict[str, str]:
    actions.revoke_kiosk(request.app.state, identity, name)
    return {"name": name, "state": "revoked"}


@router.get("/help", summary="The staff queue: help requests, newest first (no personal data)")
def help_json(request: Request, identity: Identity = Depends(api_identity),
              open_only: bool = False) -> list[dict[str, Any]]:
    return queue(request.app.state.engine, only_open=open_only)


@router.post("/help/{request_id}/{verb}", summary="acknowledge | resolve a help request; approve | deny an "
                                                 "assisted verification (signed for the kiosk)")
def help_act(request: Request, request_id: int, verb: str, identity: Identity = Depends(api_identity)) -> dict:
    state = request.app.state
    if verb in ("approve", "deny"):
        return actions.decide_help(state, identity, request_id, verb == "approve")
    if verb in ("acknowledge", "resolve"):
        mark = "acknowledged" if verb == "acknowledge" else "resolved"
        actions.mark_help(state, identity, request_id, mark)
        return {"id": request_id, "state": mark}
    raise actions.ActionError(404, f"no action {verb!r}")


@router.get("/documents", summary="The certificate register, newest first; `serial` matches a part of it")
def documents_json(request: Request, identity: Identity = Depends(api_identity), serial: str = "",
                   status: str = Query("", json_schema_extra={"enum": ["", "valid", "revoked"]}),
                   limit: int = Query(200, ge=1, le=5000)) -> list[dict[str, Any]]:
    docs = document_register.list_documents(request.app.state.engine, status=status or None)
    wanted = serial.strip().lower()
    return [d.as_json(with_content=False) for d in reversed(docs) if wanted in d.serial.lower()][:limit]


@router.get("/documents/{serial}", summary="One registered certificate: content (name masked) and status")
def document_json(request: Request, serial: str, identity: Identity = Depends(api_identity)) -> dict[str, Any]:
    doc = document_register.find_document(request.app.state.engine, serial)
    if doc is None:
        raise actions.ActionError(404, f"no document with serial {serial!r}")
    return doc.as_json()


@router.post("/documents/{serial}/revoke", summary="Revoke a certificate with a reason")
def document_revoke(request: Request, serial: str, body: RevokeReason,
                    identity: Identity = Depends(api_identity)) -> dict[str, Any]:
    changed = actions.revoke_document(request.app.state, identity, serial, body.reason)
    return {"serial": serial, "status": "revoked", "changed": changed}


@router.get("/audit", summary="The audit log, newest first")
def audit_json(request: Request, identity: Identity = Depends(api_identity), target: str = "", actor: str = "",
               action: str = "", limit: int = Query(500, ge=1, le=100_000)) -> list[dict[str, Any]]:
    rows = audit.entries(request.app.state.engine, target or None, actor or None, action or None, limit)
    return [{**r, "at": audit.iso(r["at"])} for r in rows]


@router.get("/operators", summary="Console accounts (admin)")
def operators_json(request: Request, identity: Identity = Depends(api_identity)) -> list[dict[str, Any]]:
    require(identity, "accounts")
    return [{"name": o.name, "role": o.role, "disabled": o.disabled, "must_change_password": o.must_change_password,
             "locked_until": o.locked_until} for o in accounts.list_operators(request.app.state.engine)]


@router.post("/operators", summary="Add an account (admin): its one-time password, shown once")
def operators_add(request: Request, body: NewOperator, identity: Identity = Depends(api_identity)) -> dict[str, str]:
    return {"name": body.name, "role": body.role,
            "one_time_password": actions.add_operator(request.app.state, identity, body.name, body.role)}


@router.post("/operators/{name}/disable", summary="Disable an account (admin)")
def operators_disable(request: Request, name: str, identity: Identity = Depends(api_identity)) -> dict[str, str]:
    actions.disable_operator(request.app.state, identity, name)
    return {"name": name, "state": "disabled"}


@router.post("/operators/{name}/token", summary="A new API token for an account (admin)")
def operators_token(request: Request, name: str, identity: Identity = Depends(api_identity)) -> dict[str, str]:
    return {"name": name, "token": actions.issue_token(request.app.state, identity, name)}
