"""The console's HTML pages under /console (not in the OpenAPI schema: the JSON API in district.console.api is).

Every page needs a session (else 303 to the login page); every POST needs the session's CSRF token (else 403);
what a role may not do is neither shown nor accepted (403). POSTs answer with a redirect (post/redirect/get),
except the two that show a secret once (a kiosk's enrollment token, an account's one-time password or API token).
"""

from __future__ import annotations

import json
import secrets
import time
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from district import document_register, latched_alerts
from district.auth import limited_by_address
from district.console import accounts, actions, audit
from district.console.alert_actions import acknowledge_alert
from district.console.fleet import SORT_KEYS, Thresholds, counts, fleet, select_rows
from district.console.guard import (
    CSRF_FIELD,
    PREFIX,
    ConsoleRefused,
    Identity,
    check_csrf,
    page_identity,
    read_form,
    require,
    safe_next,
)
from district.console.i18n import LANG_COOKIE, LANGS, translator
from district.console.kiosk_view import device_checks, transactions_per_day, transactions_per_item
from district.console.ratings import kiosk_ratings
from district.console.render import lang_of, render
from district.console.sessions import COOKIE, close_session, open_session
from district.console.staff_queue import queue
from district.console.threads import in_console_thread

router = APIRouter(prefix=PREFIX, include_in_schema=False)
LOGIN_CSRF_COOKIE = "console_login_csrf"
FLEET_COLUMNS = (("name", "col.kiosk"), ("status", "col.status"), ("heartbeat", "col.heartbeat"),
                 ("uptime", "col.uptime"), ("shell", "col.shell_uptime"), ("software", "col.software"),
                 ("catalog", "col.catalog"), ("backlog", "col.backlog"), ("dead", "col.dead"), ("", "col.devices"),
                 ("alerts", "col.alerts"))


def _cookie(response: Response, name: str, value: str, max_age: int | None = None) -> None:
    # Secure: browsers treat http://127.0.0.1 and localhost as secure origins, so tests on loopback work too.
    response.set_cookie(name, value, max_age=max_age, path=PREFIX, secure=True, httponly=True, samesite="strict")


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _limits(request: Request) -> Thresholds:
    s = request.app.state.settings
    return Thresholds(s.heartbeat_threshold_s, s.heartbeat_grace_s)


async def _post(request: Request, identity: Identity) -> dict[str, str]:
    form = await read_form(request)
    check_csrf(identity, form, request)
    return form


# -- login, logout, password, language ------------------------------------------------------------------------------
@router.get("")
@router.get("/")
def home() -> RedirectResponse:
    return _see(f"{PREFIX}/fleet")


@router.get("/login")
def login_page(request: Request, next: str = "", error: str = "") -> Response:
    token = secrets.token_urlsafe(24)
    t = translator(lang_of(request))
    response = render(request, "login.html", None, title=t("login.title"), login_csrf=token,
                      next_path=safe_next(next), name="",
                      error=t(f"login.refused.{error}") if error in ("credentials", "locked", "disabled") else "")
    _cookie(response, LOGIN_CSRF_COOKIE, token, max_age=3600)
    return response


@router.post("/login", dependencies=[Depends(limited_by_address)])  # guessing is slowed per address too
async def login_submit(request: Request) -> Response:
    form = await read_form(request)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE) or ""
    if not expected or not secrets.compare_digest(expected, form.get(CSRF_FIELD, "")):
        raise ConsoleRefused(403, "error.csrf")
    state, settings = request.app.state, request.app.state.settings
    name, next_path = form.get("name", "").strip()[:64], safe_next(form.get("next"))
    try:
        operator = accounts.login(state.engine, name, form.get("password", ""), settings.console_lockout_failures,
                                  settings.console_lockout_s)
    except accounts.LoginRefused as refused:
        audit.record(state.engine, name or "?", "login", "", refused.reason)
        return _see(f"{PREFIX}/login?error={refused.reason}&next={quote(next_path, safe='')}")
    audit.record(state.engine, operator.name, "login")
    response = _see(f"{PREFIX}/password" if operator.must_change_password else next_path)
    _cookie(response, COOKIE, open_session(state.engine, operator.name))
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=PREFIX)
    return response


@router.post("/logout")
async def logout(request: Request, identity: Identity = Depends(page_identity)) -> Response:
    await _post(request, identity)
    close_session(request.app.state.engine, request.cookies.get(COOKIE))
    audit.record(request.app.state.engine, identity.operator.name, "logout")
    response = _see(f"{PREFIX}/login")
    response.delete_cookie(COOKIE, path=PREFIX)
    return response


@router.get("/password")
def password_page(request: Request, identity: Identity = Depends(page_identity), error: str = "") -> Response:
    t = translator(lang_of(request))
    return render(request, "password.html", identity, title=t("password.title"), error=error)


@router.post("/password")
async def password_submit(request: Request, identity: Identity = Depends(page_identity)) -> Response:
    form = await _post(request, identity)
    t = translator(lang_of(request))
    try:
        accounts.change_password(request.app.state.engine, identity.operator.name, form.get("old", ""),
                                 form.get("new", ""))
    except accounts.AccountError as exc:
        return render(request, "password.html", identity, status_code=422, title=t("password.title"), error=str(exc))
    audit.record(request.app.state.engine, identity.operator.name, "operator.password",
                 f"operator/{identity.operator.name}")
    return _see(f"{PREFIX}/fleet?notice=password")


@router.get("/lang/{code}")
def switch_language(code: str, next: str = "") -> Response:
    response = _see(safe_next(next) if next != f"{PREFIX}/login" else next)
    if code in LANGS:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, path=PREFIX, samesite="strict", secure=True)
    return response


# -- fleet and kiosks -----------------------------------------------------------------------------------------------
def _fleet_context(request: Request, q: str, status: str, sort: str, desc: bool) -> dict:
    rows, published = fleet(request.app.state.engine, _limits(request), transaction_counts=False)  # not shown
    sort = sort if sort in SORT_KEYS else "status"
    chosen = select_rows(rows, q, status, sort, desc)
    base = {"q": q, "status": status}

    def sort_query(key: str) -> str:
        return urlencode({**base, "sort": key, "desc": "1" if key == sort and not desc else ""})

    return {"rows": chosen, "published": published, "counts": counts(rows), "total": len(rows), "q": q,
            "status": status, "sort": sort, "desc": desc, "columns": FLEET_COLUMNS, "sort_query": sort_query,
            "query": urlencode({**base, "sort": sort, "desc": "1" if desc else ""})}


@router.get("/fleet")
async def fleet_page(request: Request, identity: Identity = Depends(page_identity), q: str = "", status: str = "",
                     sort: str = "status", desc: str = "", notice: str = "") -> Response:
    t = translator(lang_of(request))
    return await in_console_thread(request, lambda: render(
        request, "fleet.html", identity, "fleet", title=t("fleet.title"),
        notice=t("password.changed") if notice == "password" else "",
        **_fleet_context(request, q, status, sort, desc == "1")))


@router.get("/fleet/table")
async def fleet_table(request: Request, identity: Identity = Depends(page_identity), q: str = "", status: str = "",
                      sort: str = "status", desc: str = "") -> Response:
    # `desc` is "1" or "" (the sort links and the refreshing fragment carry it as the form does)
    return await in_console_thread(request, lambda: render(
        request, "_fleet_table.html", identity, **_fleet_context(request, q, status, sort, desc == "1")))


def _kiosk_page(request: Request, identity: Identity, name: str, token: str = "", notice: str = "") -> Response:
    t = translator(lang_of(request))
    engine = request.app.state.engine
    rows, published = fleet(engine, _limits(request))
    row = next((r for r in rows if r["name"] == name), None)
    if row is None:
        return render(request, "error.html", identity, "fleet", status_code=404, message=t("kiosk.unknown", name=name),
                      back=f"{PREFIX}/fleet", title=t("error.title"))
    return render(request, "kiosk.html", identity, "fleet", title=t("kiosk.title", name=name), k=row,
                  published=published, token=token, notice=notice, checks=device_checks(row["devices"]),
                  per_day=transactions_per_day(engine, name), per_item=transactions_per_item(engine, name),
                  help=queue(engine, kiosk=name), actions=False, audit=audit.entries(engine, target=name, limit=100),
                  latched=latched_alerts.alerts_of(engine, name), ratings=kiosk_ratings(engine, name))


@router.get("/kiosks/{name}")
def kiosk_page(request: Request, name: str, identity: Identity = Depends(page_identity), notice: str = "",
               acked: int | None = None) -> Response:
    t = translator(lang_of(request))
    if acked is not None:
        return _kiosk_page(request, identity, name, notice=t("latched.done", id=acked))
    return _kiosk_page(request, identity, name, notice=t("kiosk.revoked", name=name) if notice == "revoked" else "")


@router.post("/alerts/{alert_id}/acknowledge")
async def alert_acknowledge(request: Request, alert_id: int, identity: Identity = Depends(page_identity)) -> Response:
    await _post(request, identity)
    alert = acknowledge_alert(request.app.state, identity, alert_id)
    return _see(f"{PREFIX}/kiosks/{quote(alert['kiosk'], safe='')}?acked={alert_id}")


@router.post("/kiosks")
async def kiosk_enroll(request: Request, identity: Identity = Depends(page_identity)) -> Response:
    form = await _post(request, identity)
    name = form.get("name", "").strip()
    token = actions.enroll_kiosk(request.app.state, identity, name)
    return _kiosk_page(request, identity, name, token=token)


@router.post("/kiosks/{name}/revoke")
async def kiosk_revoke(request: Request, name: str, identity: Identity = Depends(page_identity)) -> Response:
    await _post(request, identity)
    actions.revoke_kiosk(request.app.state, identity, name)
    return _see(f"{PREFIX}/kiosks/{quote(name, safe='')}?notice=revoked")


# -- staff queue ----------------------------------------------------------------------------------------------------
def _help_context(request: Request, identity: Identity, open_only: bool) -> dict:
    return {"requests": queue(request.app.state.engine, only_open=open_only), "open_only": open_only,
            "actions": identity.operator.may("help")}


@router.get("/help")
def help_page(request: Request, identity: Identity = Depends(page_identity), open: bool = False,
              notice: str = "") -> Response:
    t = translator(lang_of(request))
    return render(request, "help.html", identity, "help", title=t("help.title"), notice=notice[:80],
                  **_help_context(request, identity, open))


@router.get("/help/list")
def help_list(request: Request, identity: Identity = Depends(page_identity), open: bool = False) -> Response:
    return render(request, "_help_list.html", identity, **_help_context(request, identity, open))


@router.post("/help/{request_id}/{verb}")
async def help_act(request: Request, request_id: int, verb: str,
                   identity: Identity = Depends(page_identity)) -> Response:
    await _post(request, identity)
    t = translator(lang_of(request))
    state = request.app.state
    if verb in ("approve", "deny"):
        actions.decide_help(state, identity, request_id, verb == "approve")
        done = "approved" if verb == "approve" else "denied"
    elif verb in ("acknowledge", "resolve"):
        done = "acknowledged" if verb == "acknowledge" else "resolved"
        actions.mark_help(state, identity, request_id, done)
    else:
        raise actions.ActionError(404, f"no action {verb!r}")
    notice = t("help.done", id=request_id, state=t(f"help.state.{done}"))
    return _see(f"{PREFIX}/help?notice={quote(notice)}")


# -- certificate register -------------------------------------------------------------------------------------------
@router.get("/documents")
def documents_page(request: Request, identity: Identity = Depends(page_identity), serial: str = "",
                   status: str = "") -> Response:
    t = translator(lang_of(request))
    docs = document_register.list_documents(request.app.state.engine,
                                            status=status if status in ("valid", "revoked") else None)
    wanted = serial.strip().lower()
    docs = [d for d in reversed(docs) if wanted in d.serial.lower()][:200]
    return render(request, "documents.html", identity, "documents", title=t("docs.title"), docs=docs,
                  serial=serial, status=status)


@router.get("/documents/{serial}")
def document_page(request: Request, serial: str, identity: Identity = Depends(page_identity),
                  notice: str = "") -> Response:
    t = translator(lang_of(request))
    doc = document_register.find_document(request.app.state.engine, serial)
    if doc is None:
        return render(request, "error.html", identity, "documents", status_code=404, title=t("error.title"),
                      message=t("docs.none"), back=f"{PREFIX}/documents")
    return render(request, "document.html", identity, "documents", title=doc.serial, d=doc,
                  content_json=json.dumps(doc.content, ensure_ascii=False, indent=2),
                  notice=t("docs.revoked", serial=serial) if notice == "revoked" else "")


@router.post("/documents/{serial}/revoke")
async def document_revoke(request: Request, serial: str, identity: Identity = Depends(page_identity)) -> Response:
    form = await _post(request, identity)
    actions.revoke_document(request.app.state, identity, serial, form.get("reason", ""))
    return _see(f"{PREFIX}/documents/{quote(serial, safe='')}?notice=revoked")


# -- audit ----------------------------------------------------------------------------------------------------------
@router.get("/audit")
def audit_page(request: Request, identity: Identity = Depends(page_identity)) -> Response:
    t = translator(lang_of(request))
    return render(request, "audit.html", identity, "audit", title=t("audit.title"),
                  audit=audit.entries(request.app.state.engine))


@router.get("/audit/export.{fmt}")
def audit_export(request: Request, fmt: str, identity: Identity = Depends(page_identity)) -> Response:
    rows = audit.entries(request.app.state.engine, limit=100_000)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    disposition = {"Content-Disposition": f'attachment; filename="console-audit-{stamp}.{fmt}"'}
    if fmt == "csv":
        return Response(audit.to_csv(rows), media_type="text/csv; charset=utf-8", headers=disposition)
    if fmt == "json":
        return JSONResponse([{**r, "at": audit.iso(r["at"])} for r in rows], headers=disposition)
    raise actions.ActionError(404, "export as csv or json")


# -- accounts (admin) -----------------------------------------------------------------------------------------------
def _operators_page(request: Request, identity: Identity, secret: str = "", secret_label: str = "") -> Response:
    require(identity, "accounts")
    t = translator(lang_of(request))
    return render(request, "operators.html", identity, "operators", title=t("ops.title"),
                  operators=accounts.list_operators(request.app.state.engine), roles=accounts.ROLES, now=time.time(),
                  secret=secret, secret_label=secret_label)


@router.get("/operators")
def operators_page(request: Request, identity: Identity = Depends(page_identity)) -> Response:
    return _operators_page(request, identity)


@router.post("/operators")
async def operators_add(request: Request, identity: Identity = Depends(page_identity)) -> Response:
    form = await _post(request, identity)
    name = form.get("name", "").strip()
    one_time = actions.add_operator(request.app.state, identity, name, form.get("role", ""))
    t = translator(lang_of(request))
    return _operators_page(request, identity, one_time, t("ops.one_time", name=name))


@router.post("/operators/{name}/disable")
async def operators_disable(request: Request, name: str, identity: Identity = Depends(page_identity)) -> Response:
    await _post(request, identity)
    actions.disable_operator(request.app.state, identity, name)
    return _see(f"{PREFIX}/operators")


@router.post("/operators/{name}/token")
async def operators_token(request: Request, name: str, identity: Identity = Depends(page_identity)) -> Response:
    await _post(request, identity)
    token = actions.issue_token(request.app.state, identity, name)
    t = translator(lang_of(request))
    return _operators_page(request, identity, token, t("ops.token.shown", name=name))
