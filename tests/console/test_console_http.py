"""The console's guards over HTTP (no browser): logins and lockout, sessions shared through the database, CSRF,
roles, the JSON API's 401/403, bearer tokens, the audit log and its exports, the OpenAPI schema."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from district.app import create_app
from district.console import accounts, audit
from district.console.sessions import COOKIE
from district.document_register import RegisteredDocument, find_document, register_document
from district.kiosk_registry import add_kiosk, kiosk_states
from tests.console.conftest import PASSWORD, csrf_of, log_in

PAGES = ["/console/fleet", "/console/fleet/table", "/console/kiosks/K1", "/console/help", "/console/help/list",
         "/console/documents", "/console/documents/X", "/console/audit", "/console/audit/export.csv",
         "/console/audit/export.json", "/console/operators", "/console/password"]
API_GETS = ["/console/api/me", "/console/api/fleet", "/console/api/kiosks/K1", "/console/api/help",
            "/console/api/documents", "/console/api/documents/X", "/console/api/audit", "/console/api/operators"]


def _document(serial: str) -> RegisteredDocument:
    return RegisteredDocument(serial=serial, kiosk="K1", item="si-contribution-record", kind="social-insurance-record",
                              title="社会保险个人参保缴费证明", issued_on="20261129", issued_at=1_790_000_000.0,
                              content_hash="C" * 43, holder_hash="H" * 43, holder_name="王**",
                              content={"serial": serial, "holder_name": "王**"}, key_id="0123456789abcdef",
                              signature="S" * 86)


def test_password_hashes_are_argon2id_and_one_time_passwords_must_be_changed(console):
    app, client = console
    with app.state.engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM console_operators WHERE name='admin'")).scalar()
    assert stored.startswith("$argon2id$")
    _op, one_time = accounts.add_operator(app.state.engine, "newbie", "staff")
    assert one_time and len(one_time) >= 12
    c = client()
    page = c.get("/console/login")
    answer = c.post("/console/login", data={"csrf_token": csrf_of(page.text), "name": "newbie",
                                            "password": one_time, "next": "/console/help"})
    assert answer.headers["location"] == "/console/password"
    assert c.get("/console/fleet").headers["location"] == "/console/password", "no page before the change"
    assert c.get("/console/api/fleet").status_code == 403
    form = c.get("/console/password")
    short = c.post("/console/password", data={"csrf_token": csrf_of(form.text), "old": one_time, "new": "short"})
    assert short.status_code == 422
    changed = c.post("/console/password", data={"csrf_token": csrf_of(form.text), "old": one_time,
                                                "new": "a much longer passphrase"})
    assert changed.status_code == 303
    assert c.get("/console/fleet").status_code == 200


def test_lockout_after_repeated_failures_refuses_even_the_right_password(console):
    app, client = console
    c = client()
    for _ in range(3):
        page = c.get("/console/login")
        wrong = c.post("/console/login", data={"csrf_token": csrf_of(page.text), "name": "staff",
                                               "password": "not the password", "next": ""})
        assert wrong.status_code == 303 and "/console/login?error=" in wrong.headers["location"]
        assert COOKIE not in wrong.cookies
    assert "error=locked" in wrong.headers["location"]
    page = c.get("/console/login")
    right = c.post("/console/login", data={"csrf_token": csrf_of(page.text), "name": "staff", "password": PASSWORD,
                                           "next": ""})
    assert "error=locked" in right.headers["location"] and COOKIE not in right.cookies
    # newest first: the right password during the lock, the failure that locked, two plain failures
    assert [e["outcome"] for e in audit.entries(app.state.engine, actor="staff")] == [
        "locked", "locked", "credentials", "credentials"]
    assert accounts.find_operator(app.state.engine, "staff").locked_until is not None
    # an unknown name gets the same answer as a wrong password (no account enumeration)
    page = c.get("/console/login")
    unknown = c.post("/console/login", data={"csrf_token": csrf_of(page.text), "name": "nobody", "password": "x",
                                             "next": ""})
    assert "error=credentials" in unknown.headers["location"]


def test_unauthenticated_pages_redirect_to_login_and_the_api_answers_401_without_data(console):
    app, client = console
    c = client()
    for path in PAGES:
        answer = c.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/console/login?next="), path
    for path in API_GETS:
        answer = c.get(path)
        assert answer.status_code == 401 and answer.json().keys() == {"detail"}, path
        assert answer.headers["www-authenticate"] == "Bearer"
    for path in ("/console/api/kiosks", "/console/api/documents/X/revoke", "/console/api/help/1/approve"):
        assert c.post(path, json={"name": "K9", "reason": "x"}).status_code == 401, path
    assert c.post("/console/kiosks/K1/revoke", data={}).status_code == 303  # to the login page, nothing done
    bogus = c.get("/console/api/fleet", headers={"Authorization": "Bearer kdc_forged"})
    assert bogus.status_code == 401
    assert c.get("/console/fleet", headers={"Cookie": f"{COOKIE}=forged-session"}).status_code == 303


def test_a_post_without_the_csrf_token_is_refused(console):
    app, client = console
    add_kiosk(app.state.engine, "K1")
    c = client()
    token = log_in(c, "operator")
    for data in ({}, {"csrf_token": "wrong"}, {"csrf_token": token + "x"}):
        assert c.post("/console/kiosks/K1/revoke", data=data).status_code == 403
    assert kiosk_states(app.state.engine)["K1"] == "pending"
    # the API through a session needs the header; the same request with it passes
    assert c.post("/console/api/kiosks/K1/revoke").status_code == 403
    assert kiosk_states(app.state.engine)["K1"] == "pending"
    assert c.post("/console/api/kiosks/K1/revoke", headers={"X-CSRF-Token": token}).status_code == 200
    assert kiosk_states(app.state.engine)["K1"] == "revoked"
    # another session's token does not fit this session
    other = client()
    other_token = log_in(other, "admin")
    assert other_token != token
    assert c.post("/console/kiosks", data={"csrf_token": other_token, "name": "K2"}).status_code == 403
    # the login form has its own token
    fresh = client()
    assert fresh.post("/console/login", data={"name": "admin", "password": PASSWORD}).status_code == 403
    refused = [e for e in audit.entries(app.state.engine, actor="operator") if e["action"] == "refused"]
    assert refused and refused[0]["outcome"] == "csrf"


def test_a_viewer_sees_no_buttons_and_every_change_is_refused(console):
    app, client = console
    add_kiosk(app.state.engine, "K1")
    register_document(app.state.engine, _document("SI-20261129-K1-00000001"))
    c = client()
    token = log_in(c, "viewer")
    kiosk_page = c.get("/console/kiosks/K1").text
    doc_page = c.get("/console/documents/SI-20261129-K1-00000001").text
    fleet_page = c.get("/console/fleet").text
    assert "/revoke" not in kiosk_page and "/revoke" not in doc_page and 'action="/console/kiosks"' not in fleet_page
    assert c.get("/console/operators").status_code == 403
    posts = [("/console/kiosks/K1/revoke", {}), ("/console/kiosks", {"name": "K2"}),
             ("/console/documents/SI-20261129-K1-00000001/revoke", {"reason": "test"}),
             ("/console/help/1/approve", {}), ("/console/operators", {"name": "x", "role": "admin"}),
             ("/console/operators/admin/disable", {})]
    for path, data in posts:
        assert c.post(path, data={"csrf_token": token, **data}).status_code == 403, path
    for path, body in (("/console/api/kiosks/K1/revoke", None), ("/console/api/kiosks", {"name": "K2"}),
                       ("/console/api/documents/SI-20261129-K1-00000001/revoke", {"reason": "x"}),
                       ("/console/api/operators", {"name": "x", "role": "admin"})):
        assert c.post(path, json=body, headers={"X-CSRF-Token": token}).status_code == 403, path
    assert kiosk_states(app.state.engine) == {"K1": "pending"}
    assert find_document(app.state.engine, "SI-20261129-K1-00000001").status == "valid"
    assert [o.name for o in accounts.list_operators(app.state.engine)] == ["admin", "operator", "staff", "viewer"]
    # staff may work the queue but not revoke kiosks
    s = client()
    staff_token = log_in(s, "staff")
    assert s.post("/console/kiosks/K1/revoke", data={"csrf_token": staff_token}).status_code == 403


def test_sessions_live_in_the_database_so_another_server_process_knows_them(console):
    app, client = console
    c = client()
    log_in(c, "staff")
    second = create_app(app.state.settings)  # a second server process on the same database
    other = TestClient(second, base_url="https://testserver", follow_redirects=False)
    session = {"Cookie": f"{COOKIE}={c.cookies.get(COOKIE)}"}
    assert other.get("/console/api/me", headers=session).json() == {"name": "staff", "role": "staff", "permissions": ["help"],
                                                   "via": "session"}
    accounts.disable_operator(app.state.engine, "staff")
    assert other.get("/console/api/me", headers=session).status_code == 401, "disabling ends the sessions at once"
    other.close()
    second.state.engine.dispose()


def test_logout_ends_the_session_on_the_server(console):
    app, client = console
    c = client()
    token = log_in(c, "viewer")
    cookie = c.cookies.get(COOKIE)
    assert client().get("/console/api/me", headers={"Cookie": f"{COOKIE}={cookie}"}).status_code == 200
    assert c.post("/console/logout", data={"csrf_token": token}).headers["location"] == "/console/login"
    replay = client()
    assert replay.get("/console/api/me", headers={"Cookie": f"{COOKIE}={cookie}"}).status_code == 401


def test_cookie_flags(console):
    _app, client = console
    c = client()
    page = c.get("/console/login")
    answer = c.post("/console/login", data={"csrf_token": csrf_of(page.text), "name": "viewer",
                                            "password": PASSWORD, "next": ""})
    cookie = next(v for k, v in answer.headers.multi_items() if k == "set-cookie" and v.startswith(COOKIE + "="))
    flags = {f.strip().lower() for f in cookie.split(";")[1:]}
    assert {"httponly", "secure", "samesite=strict", "path=/console"} <= flags
    headers = c.get("/console/login").headers
    assert "script-src 'self'" in headers["content-security-policy"] and headers["x-frame-options"] == "DENY"


def test_bearer_tokens_for_scripts_and_the_openapi_schema(console, capsys):
    app, client = console
    from district.cli import main

    db = app.state.settings.db_url
    assert main(["operator", "token", "operator", "--db", db]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("kdc_")
    c = client()
    bearer = {"Authorization": f"Bearer {token}"}
    assert c.get("/console/api/me", headers=bearer).json()["via"] == "token"
    made = c.post("/console/api/kiosks", json={"name": "K7"}, headers=bearer)  # no CSRF header: no cookie either
    assert made.status_code == 200 and len(made.json()["token"]) >= 24
    assert kiosk_states(app.state.engine)["K7"] == "pending"
    fleet = c.get("/console/api/fleet", headers=bearer).json()
    assert [k["name"] for k in fleet["kiosks"]] == ["K7"] and fleet["kiosks"][0]["status"] == "pending"
    assert main(["operator", "disable", "operator", "--db", db]) == 0
    assert c.get("/console/api/me", headers=bearer).status_code == 401, "a disabled account's tokens stop"
    schema = c.get("/openapi.json").json()
    paths = schema["paths"]
    assert {"/console/api/fleet", "/console/api/kiosks", "/console/api/help/{request_id}/{verb}",
            "/console/api/documents/{serial}/revoke", "/console/api/audit"} <= set(paths)
    assert not any(p.startswith("/console/") and not p.startswith("/console/api/") for p in paths), "pages stay out"
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert {"HTTPBearer": []} in paths["/console/api/fleet"]["get"]["security"]
    entry, = [e for e in audit.entries(app.state.engine, action="kiosk.add")]
    assert (entry["actor"], entry["target"]) == ("operator (token)", "K7")


def test_operator_cli_add_list_disable(console, capsys, monkeypatch):
    app, _client = console
    from district.cli import main

    db = app.state.settings.db_url
    monkeypatch.setattr("sys.stdin", io.StringIO("a passphrase from stdin\n"))
    assert main(["operator", "add", "carol", "--role", "operator", "--password-stdin", "--db", db]) == 0
    assert accounts.login(app.state.engine, "carol", "a passphrase from stdin", 5, 60).role == "operator"
    capsys.readouterr()
    assert main(["operator", "add", "dave", "--role", "viewer", "--db", db]) == 0
    one_time = capsys.readouterr().out.strip()
    assert accounts.login(app.state.engine, "dave", one_time, 5, 60).must_change_password
    assert main(["operator", "add", "dave", "--role", "viewer", "--db", db]) == 2, "exists"
    with pytest.raises(SystemExit):
        main(["operator", "add", "eve", "--role", "root", "--db", db])
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["operator", "add", "frank", "--role", "staff", "--password-stdin", "--db", db]) == 2
    capsys.readouterr()
    assert main(["operator", "list", "--json", "--db", db]) == 0
    listed = {o["name"]: o for o in json.loads(capsys.readouterr().out)}
    assert listed["dave"]["must_change_password"] and listed["carol"]["role"] == "operator" and "frank" not in listed
    assert main(["operator", "disable", "carol", "--db", db]) == 0
    assert main(["operator", "disable", "nobody", "--db", db]) == 1
    with pytest.raises(accounts.LoginRefused) as refused:
        accounts.login(app.state.engine, "carol", "a passphrase from stdin", 5, 60)
    assert refused.value.reason == "disabled"
    actions = [(e["action"], e["target"]) for e in audit.entries(app.state.engine)]
    assert ("operator.disable", "operator/carol") in actions and ("operator.add", "operator/dave") in actions


def test_the_audit_log_is_append_only_and_exports_as_csv_and_json(console):
    app, client = console
    add_kiosk(app.state.engine, "K1")
    c = client()
    token = log_in(c, "operator")
    assert c.post("/console/kiosks/K1/revoke", data={"csrf_token": token}).status_code == 303
    audit.record(app.state.engine, "operator", "note", "=cmd|' /C calc'!A0")  # a formula-looking target
    with app.state.engine.begin() as conn, pytest.raises(DatabaseError):
        conn.execute(text("UPDATE console_audit SET actor = 'someone else'"))
    with app.state.engine.begin() as conn, pytest.raises(DatabaseError):
        conn.execute(text("DELETE FROM console_audit"))
    exported = c.get("/console/audit/export.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["actor"], r["action"], r["target"]) for r in rows][:3] == [
        ("operator", "note", "'=cmd|' /C calc'!A0"), ("operator", "kiosk.revoke", "K1"), ("operator", "login", "")]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", rows[0]["at"])
    as_json = c.get("/console/audit/export.json").json()
    assert [e["action"] for e in as_json][:3] == ["note", "kiosk.revoke", "login"]
    assert "kiosk.revoke" in c.get("/console/audit").text


def test_an_operator_over_the_api_rate_gets_429(tmp_path, capsys):
    import dataclasses

    from district.settings import DistrictSettings

    settings = DistrictSettings(db_url=f"sqlite:///{tmp_path / 'district.db'}", rate_per_s=0.01, rate_burst=2)
    app = create_app(dataclasses.replace(settings))
    accounts.add_operator(app.state.engine, "script", "viewer", PASSWORD)
    token = accounts.issue_api_token(app.state.engine, "script")
    with TestClient(app, base_url="https://testserver") as c:
        answers = [c.get("/console/api/fleet", headers={"Authorization": f"Bearer {token}"}) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert int(answers[2].headers["Retry-After"]) >= 1
    app.state.engine.dispose()


def test_staff_acknowledge_then_resolve_a_call_for_help(console):
    import time

    from sqlalchemy.orm import Session

    from district.models import HelpRequestRow

    app, client = console
    with Session(app.state.engine) as s, s.begin():
        s.add(HelpRequestRow(kiosk="K1", received_at=time.time(), state="open",
                             body={"kind": "help", "state": "printing", "item_id": "si-record",
                                   "reason": "paper jam"}))
    c = client()
    token = log_in(c, "staff")
    queue = c.get("/console/help/list").text
    assert "paper jam" in queue and "printing" in queue and "/console/help/1/approve" not in queue
    assert c.post("/console/help/1/approve", data={"csrf_token": token}).status_code == 422, "not a verification"
    assert c.post("/console/help/1/acknowledge", data={"csrf_token": token}).status_code == 303
    assert c.get("/console/api/help").json()[0]["console_state"] == "acknowledged"
    assert c.post("/console/help/1/resolve", data={"csrf_token": token}).status_code == 303
    answer = c.get("/console/api/help").json()[0]
    assert (answer["console_state"], answer["decided_by"]) == ("resolved", "staff")
    assert c.get("/console/api/help", params={"open_only": True}).json() == []
    assert c.post("/console/help/99/resolve", data={"csrf_token": token}).status_code == 404
    with Session(app.state.engine) as s:
        assert s.get(HelpRequestRow, 1).state == "open", "the state kiosks read is left alone"
    trail = [(e["action"], e["target"]) for e in audit.entries(app.state.engine, target="K1")]
    assert trail == [("help.resolve", "K1/help/1"), ("help.acknowledge", "K1/help/1")]


def test_language_switch_and_no_open_redirect_after_login(console):
    _app, client = console
    c = client()
    log_in(c, "viewer")
    switched = c.get("/console/lang/zh", params={"next": "/console/help"})
    assert switched.headers["location"] == "/console/help"
    page = c.get("/console/help", headers={"Cookie": f"console_lang=zh; {COOKIE}={c.cookies.get(COOKIE)}"})
    assert '<html lang="zh-CN">' in page.text and "求助队列" in page.text
    for target in ("https://evil.example/", "//evil.example/console/", "/console\\\\evil"):
        assert c.get("/console/lang/en", params={"next": target}).headers["location"] == "/console/fleet"
    fresh = client()
    form = fresh.get("/console/login")
    answer = fresh.post("/console/login", data={"csrf_token": csrf_of(form.text), "name": "viewer",
                                                "password": PASSWORD, "next": "https://evil.example/"})
    assert answer.headers["location"] == "/console/fleet"


def test_every_console_answer_carries_the_security_headers_and_the_kiosk_api_none(console):
    _, client = console
    c = client()
    answers = [c.get("/console/login"), c.get("/console/fleet"),  # a page; the redirect to the login
               c.get("/console/static/console.css"), c.get("/console/api/kiosks")]  # a file; a 401
    log_in(c, "viewer")
    answers.append(c.get("/console/fleet"))
    for answer in answers:
        assert answer.headers["content-security-policy"].startswith("default-src 'self'"), answer.url
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "same-origin"
    kiosk_api = c.get("/api/v1/catalog/metadata/timestamp.json")  # the kiosks' API: none of the console's headers
    assert "content-security-policy" not in kiosk_api.headers
