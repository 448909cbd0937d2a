"""The operators' console in a real browser: Debian's chromium driven by Playwright against a real
`kiosk-district serve` on loopback, with real `kiosk-sync` daemons heartbeating to it.

Journeys: log in; a kiosk turns amber then red when its daemon stops and green when it comes back; a latched alert
(a database integrity failure) stays until an operator acknowledges it, also after the condition clears, and a
viewer cannot acknowledge it; staff approve
an assisted verification and the waiting kiosk gets the signed approval; an operator revokes a certificate and
its public verification page says so; a viewer has no revoke button and the POST is refused; a POST without the
CSRF token is refused; no session: the login page or 401. axe-core on every page (no serious or critical
violation), and a screenshot of every page in docs/screenshots/console-*.png.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from contract.document_signing import SIGN_PATH, SignRequest, VerificationPayload, unb64u
from district.console import accounts
from district.database import migrate, open_engine
from kiosk.core.session import AssistedOutcome
from kiosk.link.district_client import HttpDistrictClient
from kiosk.link.enrollment import enroll, signer_for
from tests.sync.conftest import make_kiosk
from tests.sync.district_process import REPO, ProcessDistrict
from tests.sync.test_assisted_verification import Waiting

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (scripts/"
                                                               "bootstrap.sh installs it): no browser to drive")
SHOTS = REPO / "docs" / "screenshots"
PASSWORD = "correct horse battery staple"
THRESHOLD_S, GRACE_S = 8.0, 8.0  # short, so a stopped daemon goes amber then red within seconds
KIOSKS = ("hall-1", "hall-2", "desk-1")
WAIT_MS = 60_000  # generous: two cores shared by several engineers
START_MS = 240_000  # a daemon's first heartbeat: its start-up (imports, enrollment) on a loaded machine


class SyncDaemon:
    """`kiosk-sync` for one kiosk data folder, heartbeating every second."""

    def __init__(self, root: Path, name: str, url: str) -> None:
        self.data = root / name
        self.data.mkdir(parents=True, exist_ok=True)
        self.config = self.data / "kiosk.toml"
        self.config.write_text(f'[terminal]\nkiosk_id = "{name}"\n\n[sync]\nheartbeat_s = 1.0\ninterval_s = 1.0\n'
                               'catalog_poll_s = 30.0\n')
        self.url = url
        self.proc: subprocess.Popen | None = None

    def start(self) -> SyncDaemon:
        self.proc = subprocess.Popen([sys.executable, "-m", "sync.daemon_cli", "--data", str(self.data),
                                      "--config", str(self.config), "--district", self.url],
                                     cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("console-browser")
    db = f"sqlite:///{root / 'district.db'}"
    engine = open_engine(db)
    migrate(engine)
    for name, role in (("ada", "admin"), ("olga", "operator"), ("sam", "staff"), ("vic", "viewer")):
        accounts.add_operator(engine, name, role, PASSWORD)
    engine.dispose()
    server = ProcessDistrict(db, demo=True, keys=root / "keys",
                             extra=["--heartbeat-threshold", str(THRESHOLD_S), "--heartbeat-grace", str(GRACE_S)])
    server.start(timeout_s=180)  # a loaded machine: imports and migrations can take a while
    daemons: dict[str, SyncDaemon] = {}
    try:
        enroll(root / "kiosks" / "desk-1", server.url, "desk-1")  # the desk kiosk also asks staff, signs documents
        desk = make_kiosk(root / "kiosks", "desk-1", server.url)  # its daemon delivers these, reports its devices
        rated = desk.record(4)
        desk.record(2, item_id="hukou-certificate", module_id="record_certificate")
        for tx, rating in zip(rated, ("good", "good", "good", "bad"), strict=True):  # the Done screen's ratings
            desk.store.set_rating(tx, rating)
        desk.engine.dispose()
        (root / "kiosks" / "desk-1" / "devices.json").write_text(json.dumps(
            {"reader": "IDLE", "printer": "ERROR", "receipt_printer": "IDLE", "camera": "IDLE",
             "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "shell_uptime_s": 4 * 3600 + 120}))
        for name in KIOSKS:
            daemons[name] = SyncDaemon(root / "kiosks", name, server.url).start()

        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])

            class World:
                url = server.url
                kiosks_root = root / "kiosks"

                @staticmethod
                def page(name: str | None = None, lang: str = "en", viewport=(1366, 900)):
                    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]},
                                                  locale="zh-CN" if lang == "zh" else "en-US")
                    page = context.new_page()
                    page.set_default_timeout(WAIT_MS)
                    if name:
                        log_in(page, server.url, name)
                    return page

            World.daemons = daemons
            try:
                yield World
            finally:
                browser.close()
    finally:
        for d in daemons.values():
            d.stop()
        server.stop()


def log_in(page, url: str, name: str) -> None:
    page.goto(f"{url}/console/fleet")
    assert "/console/login" in page.url
    page.locator("#name").fill(name)
    page.locator("#password").fill(PASSWORD)
    page.locator("form[action='/console/login'] button[type=submit]").click()
    page.wait_for_url(f"{url}/console/fleet")


def axe_clean(page, label: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
           for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, f"{label}: axe found {bad}"


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"console-{name}.png"), full_page=True)


def row(page, kiosk: str):
    return page.locator(f"#fleet tr[data-kiosk='{kiosk}']")


def issue_document(world, serial: str) -> VerificationPayload:
    data = world.kiosks_root / "desk-1"
    client = HttpDistrictClient(world.url, authenticator=signer_for(data, "desk-1"))
    today = dt.date.today()
    content = {"serial": serial, "issued_on": today.isoformat(), "kiosk_id": "desk-1", "kind": "test",
               "title_zh": "测试证明", "holder_name": "李建国"}
    answer = client.post_json(SIGN_PATH, SignRequest(serial=serial, item="test", issued_on=f"{today:%Y%m%d}",
                                                     content=content, document_number="110105198512240021").body())
    client.close()
    return VerificationPayload(serial=serial, holder_hash=answer["holder_hash"], content_hash=answer["content_hash"],
                               issued_on=f"{today:%Y%m%d}", key_id=answer["key_id"],
                               signature=unb64u(answer["signature"]))


def test_unauthenticated_gets_the_login_page_or_401(world):
    page = world.page()
    page.goto(f"{world.url}/console/kiosks/hall-1")
    assert page.url.startswith(f"{world.url}/console/login?next=")
    assert page.locator("#password").is_visible()
    axe_clean(page, "login")
    shoot(page, "login")
    answer = page.request.get(f"{world.url}/console/api/fleet")
    assert answer.status == 401 and set(answer.json()) == {"detail"}
    page.context.close()


def test_a_kiosk_turns_amber_then_red_when_its_daemon_stops_and_green_when_it_returns(world):
    from playwright.sync_api import expect

    page = world.page("olga")
    for name in KIOSKS:
        expect(row(page, name)).to_have_attribute("data-status", "green", timeout=START_MS)
    expect(row(page, "hall-2").locator(".status")).to_have_text("● up")  # a word and a shape, not colour alone
    world.daemons["hall-2"].stop()
    # the page is never reloaded: the table refreshes itself (htmx polling the fragment)
    expect(row(page, "hall-2")).to_have_attribute("data-status", "amber", timeout=WAIT_MS)
    expect(row(page, "hall-2").locator(".status")).to_have_text("▲ late")
    expect(row(page, "hall-2")).to_have_attribute("data-status", "red", timeout=WAIT_MS)
    expect(row(page, "hall-2").locator(".status")).to_have_text("■ silent")
    expect(row(page, "hall-2")).to_contain_text("no heartbeat for")
    axe_clean(page, "fleet")
    shoot(page, "fleet")
    world.daemons["hall-2"].start()
    expect(row(page, "hall-2")).to_have_attribute("data-status", "green", timeout=START_MS)
    # filter and sort (server-side, the same on the fragment that refreshes)
    page.locator("#status").select_option("green")
    page.locator("form[role=search] button[type=submit]").click()
    expect(page.locator("#fleet tbody tr")).to_have_count(3, timeout=WAIT_MS)
    page.locator("#q").fill("hall")
    page.locator("form[role=search] button[type=submit]").click()
    expect(page.locator("#fleet tbody tr")).to_have_count(2)
    page.get_by_role("link", name="Kiosk").click()
    page.wait_for_url("**sort=name&desc=")
    assert [r.get_attribute("data-kiosk") for r in page.locator("#fleet tbody tr").all()] == ["hall-1", "hall-2"]
    page.get_by_role("link", name="Kiosk").click()  # a second click on the sorted column flips the order
    page.wait_for_url("**sort=name&desc=1")
    assert [r.get_attribute("data-kiosk") for r in page.locator("#fleet tbody tr").all()] == ["hall-2", "hall-1"]
    page.context.close()


def test_staff_approve_an_assisted_verification_and_the_waiting_kiosk_gets_it(world):
    from playwright.sync_api import expect

    page = world.page("sam")
    page.goto(f"{world.url}/console/help")
    data = world.kiosks_root / "desk-1"
    client = HttpDistrictClient(world.url, authenticator=signer_for(data, "desk-1"))
    wait = Waiting(client, data, "desk-1", session=7)
    rid = wait.sent(timeout_s=30)
    entry = page.locator(f"#help-list tr[data-request='{rid}']")
    expect(entry).to_contain_text("assisted verification", timeout=WAIT_MS)  # appeared without a reload
    expect(entry).not_to_contain_text("330")  # the masked document number stays off the queue
    axe_clean(page, "help")
    shoot(page, "help")
    entry.get_by_role("button", name=f"Approve {rid}").click()
    expect(page.locator(".notice")).to_contain_text(f"Request {rid}: approved")
    assert wait.result(timeout_s=30) is AssistedOutcome.APPROVED, "the kiosk's session continues"
    expect(page.locator(f"#help-list tr[data-request='{rid}']")).to_contain_text("by sam")
    client.close()
    page.context.close()


def test_an_operator_revokes_a_certificate_and_its_verification_page_says_so(world):
    from playwright.sync_api import expect

    payload = issue_document(world, "TS-20261129-DESK1-0001")
    page = world.page("olga")
    page.goto(f"{world.url}{payload.url('')}")
    expect(page.locator("body")).to_contain_text("VALID")
    page.goto(f"{world.url}/console/documents")
    page.locator("#serial").fill("desk1-0001")
    page.locator("form[role=search] button[type=submit]").click()
    axe_clean(page, "documents")
    shoot(page, "documents")
    page.get_by_role("link", name="TS-20261129-DESK1-0001").click()
    page.locator("#reason").fill("printed with a wrong address")
    page.get_by_role("button", name="Revoke certificate").click()
    expect(page.locator(".notice")).to_contain_text("Certificate TS-20261129-DESK1-0001 revoked.")
    expect(page.locator("dl.facts")).to_contain_text("printed with a wrong address")
    axe_clean(page, "document")
    shoot(page, "document")
    page.goto(f"{world.url}{payload.url('')}")
    expect(page.locator("body")).to_contain_text("REVOKED")
    expect(page.locator("body")).to_contain_text("printed with a wrong address")
    page.context.close()


def test_a_viewer_has_no_revoke_button_and_the_post_is_refused(world):
    issue_document(world, "TS-20261129-DESK1-0002")
    page = world.page("vic")
    for path in ("/console/documents/TS-20261129-DESK1-0002", "/console/kiosks/hall-1"):
        page.goto(f"{world.url}{path}")
        assert page.locator("form[action$='/revoke']").count() == 0, path
        assert page.get_by_role("button", name="Revoke").count() == 0, path
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    for path, form in (("/console/documents/TS-20261129-DESK1-0002/revoke", {"reason": "x"}),
                       ("/console/kiosks/hall-1/revoke", {})):
        answer = page.request.post(f"{world.url}{path}", form={"csrf_token": token, **form})
        assert answer.status == 403, path
    assert page.request.post(f"{world.url}/console/api/kiosks/hall-1/revoke",
                             headers={"X-CSRF-Token": token}).status == 403
    page.goto(f"{world.url}/console/documents/TS-20261129-DESK1-0002")
    assert "valid" in page.locator("dl.facts").inner_text()
    assert page.request.get(f"{world.url}/console/api/fleet").json()["kiosks"][0]["status"] != "revoked"
    page.context.close()


def test_a_post_without_the_csrf_token_is_refused(world):
    page = world.page("olga")
    page.goto(f"{world.url}/console/kiosks/hall-1")
    assert page.locator("form[action$='/revoke']").count() == 1
    answer = page.request.post(f"{world.url}/console/kiosks/hall-1/revoke", form={})
    assert answer.status == 403
    assert page.request.post(f"{world.url}/console/kiosks/hall-1/revoke", form={"csrf_token": "forged"}).status == 403
    kiosk = page.request.get(f"{world.url}/console/api/kiosks/hall-1").json()["kiosk"]
    assert kiosk["state"] == "active"
    page.context.close()


def test_every_other_page_in_both_languages_and_on_a_tablet(world):
    from playwright.sync_api import expect

    page = world.page("ada")
    page.goto(f"{world.url}/console/kiosks/desk-1")
    expect(page.locator("h1")).to_have_text("Kiosk desk-1")
    # what its daemon delivered and reported: counts per item (no payloads), the printer's error as an alert
    expect(page.locator("#item-h + table")).to_contain_text("si-record")
    expect(page.locator("#item-h + table tr", has_text="hukou-certificate")).to_contain_text("2")
    expect(page.locator("#item-h + table tr", has_text="si-record")).to_contain_text("4")
    expect(page.locator("dl.facts")).to_contain_text("printer: ERROR")
    expect(page.locator("dd[data-fact=shell]")).to_have_text("4 h 2 min")
    # the citizens' ratings of its transactions: good, bad and the good share (counts only)
    expect(page.locator("#ratings-item tr[data-label='si-record'] td")).to_have_text(["si-record", "3", "1", "75 %"])
    axe_clean(page, "kiosk")
    shoot(page, "kiosk")
    page.goto(f"{world.url}/console/fleet")
    page.locator("#new-kiosk").fill("hall-3")
    page.get_by_role("button", name="Issue an enrollment token").click()
    token = page.locator("#one-time-token").inner_text()
    assert len(token) >= 24
    shoot(page, "kiosk-enrolled")
    page.goto(f"{world.url}/console/kiosks/hall-3")  # shown once: the kiosk's page does not show it again
    expect(page.locator("h1")).to_have_text("Kiosk hall-3")
    assert token not in page.content()
    page.goto(f"{world.url}/console/audit")
    expect(page.locator("table")).to_contain_text("kiosk.add")
    axe_clean(page, "audit")
    shoot(page, "audit")
    page.goto(f"{world.url}/console/operators")
    page.locator("#op-name").fill("nina")
    page.locator("#op-role").select_option("staff")
    page.get_by_role("button", name="Add", exact=True).click()
    one_time = page.locator("#shown-secret").inner_text()
    axe_clean(page, "operators")
    shoot(page, "operators")
    page.goto(f"{world.url}/console/password")
    axe_clean(page, "password")
    shoot(page, "password")
    page.context.close()

    # the new account's first login goes to the password change
    first = world.page()
    first.goto(f"{world.url}/console/login")
    first.locator("#name").fill("nina")
    first.locator("#password").fill(one_time)
    first.locator("form[action='/console/login'] button[type=submit]").click()
    first.wait_for_url(f"{world.url}/console/password")
    first.context.close()

    zh = world.page("ada", lang="zh")
    zh.goto(f"{world.url}/console/fleet")
    expect(zh.locator("h1")).to_have_text("终端状态")
    assert zh.locator("html").get_attribute("lang") == "zh-CN"
    axe_clean(zh, "fleet zh")
    shoot(zh, "fleet-zh")
    zh.goto(f"{world.url}/console/help")
    axe_clean(zh, "help zh")
    shoot(zh, "help-zh")
    zh.context.close()

    tablet = world.page("sam", viewport=(820, 1180))
    tablet.goto(f"{world.url}/console/fleet")
    axe_clean(tablet, "fleet tablet")
    shoot(tablet, "fleet-tablet")
    # the table scrolls inside its box; the page itself does not scroll sideways
    assert tablet.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    tablet.context.close()


def test_a_latched_alert_stays_until_an_operator_acknowledges_it_and_a_viewer_cannot(world):
    from playwright.sync_api import expect

    from kiosk.store.service_journal import ServiceJournal

    journal = ServiceJournal(world.kiosks_root / "hall-1")  # as the shell writes it (kiosk.terminal.service_guard)
    corrupt = {"condition": "database-corrupt", "detail": "integrity_check: 2 errors"}
    journal.record([corrupt], [(corrupt, "raised")])
    page = world.page("olga")
    latched = row(page, "hall-1").locator("li.latched")
    expect(latched).to_contain_text("stopped serving: database integrity failure", timeout=START_MS)  # live table
    alert_id = latched.get_attribute("data-alert")
    axe_clean(page, "fleet with a latched alert")
    shoot(page, "fleet-alert")

    # a viewer sees it but has no button, and the POST (page or API) is refused
    viewer = world.page("vic")
    viewer.goto(f"{world.url}/console/kiosks/hall-1")
    expect(viewer.locator(f"#latched-alerts tr[data-alert='{alert_id}']")).to_have_attribute("data-state", "open")
    assert viewer.get_by_role("button", name="Acknowledge").count() == 0
    token = viewer.locator("input[name=csrf_token]").first.get_attribute("value")
    assert viewer.request.post(f"{world.url}/console/alerts/{alert_id}/acknowledge",
                               form={"csrf_token": token}).status == 403
    assert viewer.request.post(f"{world.url}/console/api/alerts/{alert_id}/acknowledge",
                               headers={"X-CSRF-Token": token}).status == 403
    assert [a["id"] for a in viewer.request.get(f"{world.url}/console/api/alerts?open_only=true").json()] == [
        int(alert_id)]
    viewer.context.close()

    page.goto(f"{world.url}/console/kiosks/hall-1")
    entry = page.locator(f"#latched-alerts tr[data-alert='{alert_id}']")
    expect(entry).to_have_attribute("data-state", "open")
    axe_clean(page, "kiosk with a latched alert")
    shoot(page, "kiosk-alert")
    entry.get_by_role("button", name=f"Acknowledge {alert_id}").click()
    expect(page.locator(".notice")).to_have_text(f"Alert {alert_id} acknowledged.")
    expect(entry).to_have_attribute("data-state", "acknowledged")
    expect(entry).to_contain_text("acknowledged by olga")
    # the condition clears on the kiosk: the self-clearing alert goes, the acknowledged one stays on record
    journal.record([], [(corrupt, "cleared")])
    page.goto(f"{world.url}/console/fleet")
    expect(row(page, "hall-1")).not_to_contain_text("out of service", timeout=WAIT_MS)
    expect(row(page, "hall-1").locator("li.latched")).to_have_count(0)
    page.goto(f"{world.url}/console/kiosks/hall-1")
    expect(entry).to_contain_text("acknowledged by olga")
    expect(page.locator("section[aria-labelledby=audit-h]")).to_contain_text("alert.acknowledge")  # its audit trail
    page.context.close()
