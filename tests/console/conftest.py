"""Fixtures of the console tests: an in-process district app (TestClient over https://testserver, so the Secure
cookies travel as a browser sends them) with accounts of every role."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from district.app import create_app
from district.console import accounts
from district.settings import DistrictSettings

PASSWORD = "correct horse battery staple"
ROLES = ("admin", "operator", "staff", "viewer")


@pytest.fixture
def console(tmp_path: Path):
    """(app, make_client): the app has one account per role named after it, all with PASSWORD."""
    settings = DistrictSettings(db_url=f"sqlite:///{tmp_path / 'district.db'}", demo=True,
                                keys_dir=tmp_path / "keys", console_lockout_failures=3, console_lockout_s=600)
    app = create_app(settings)
    for role in ROLES:
        accounts.add_operator(app.state.engine, role, role, PASSWORD)
    clients: list[TestClient] = []

    def client() -> TestClient:
        c = TestClient(app, base_url="https://testserver", follow_redirects=False)
        clients.append(c)
        return c

    yield app, client
    for c in clients:
        c.close()
    app.state.engine.dispose()


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page carries no CSRF token"
    return match.group(1)


def log_in(client: TestClient, name: str, password: str = PASSWORD) -> str:
    """Log `name` in through the login form; returns the session's CSRF token (from the fleet page)."""
    page = client.get("/console/login")
    answer = client.post("/console/login", data={"csrf_token": csrf_of(page.text), "name": name,
                                                 "password": password, "next": "/console/fleet"})
    assert answer.status_code == 303 and answer.headers["location"] == "/console/fleet", answer.headers
    return csrf_of(client.get("/console/fleet").text)
