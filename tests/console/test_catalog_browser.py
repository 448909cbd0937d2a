"""Catalog publishing in stages in a real browser (issue 12 point 3): Debian's chromium driven by Playwright against
a real `kiosk-district serve` on loopback whose keys folder holds the online keys only, with two real `kiosk-sync`
daemons. An operator puts one kiosk into a `canary` group, edits an item (an emptied title is refused beside its
field), sees the diff, publishes to the canary with the targets key pasted for that request: only the canary
applies it; promotes: both apply it; rolls back: both apply the older content as a higher version. A new item
(a duplicate id refused beside its field) is checked with its diff. A viewer has no button and its POST is
refused. axe-core on every catalog page; screenshots docs/screenshots/console-catalog*.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from district.console import accounts
from district.database import migrate, open_engine
from district.tuf_repository import OperatorKeys, TufRepository
from tests.console.test_console_browser import (
    CHROMIUM,
    PASSWORD,
    START_MS,
    WAIT_MS,
    SyncDaemon,
    axe_clean,
    log_in,
    shoot,
)
from tests.sync.district_process import REPO, ProcessDistrict

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (scripts/"
                                                               "bootstrap.sh installs it): no browser to drive")
KIOSKS = ("canary-1", "hall-2")


def running(daemon: SyncDaemon) -> int | None:
    current = daemon.data / "catalog" / "current.json"
    try:
        return json.loads(current.read_bytes())["version"]
    except (OSError, ValueError, KeyError):
        return None


def wait_running(daemon: SyncDaemon, version: int, timeout_s: float = START_MS / 1000) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and running(daemon) != version:
        time.sleep(0.2)
    assert running(daemon) == version, f"{daemon.data.name} runs {running(daemon)}, not {version}"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("catalog-browser")
    db = f"sqlite:///{root / 'district.db'}"
    keys = OperatorKeys(root / "keys")
    keys.create_missing()
    engine = open_engine(db)
    migrate(engine)
    TufRepository(engine).initialise(keys)
    for name, role in (("olga", "operator"), ("vic", "viewer")):
        accounts.add_operator(engine, name, role, PASSWORD)
    engine.dispose()
    stick = root / "usb-stick"  # the offline keys: never in the server's keys folder
    stick.mkdir()
    for role in ("root", "targets"):
        (keys.folder / f"{role}.pem").rename(stick / f"{role}.pem")
    first = root / "catalog-1.json"
    shipped = json.loads((REPO / "assets" / "catalog" / "catalog.json").read_text(encoding="utf-8"))
    shipped["version"] = 1
    first.write_text(json.dumps(shipped, ensure_ascii=False), encoding="utf-8")
    published = subprocess.run([sys.executable, "-m", "district.cli", "catalog", "publish", str(first),
                                "--targets-key", str(stick / "targets.pem"), "--db", db, "--keys", str(keys.folder)],
                               cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True,
                               text=True, timeout=180)
    assert published.returncode == 0, published.stderr
    server = ProcessDistrict(db, demo=True, keys=keys.folder)
    server.start(timeout_s=180)
    daemons = {name: SyncDaemon(root / "kiosks", name, server.url).start() for name in KIOSKS}

    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])

        class World:
            url = server.url
            key = (stick / "targets.pem").read_text()

            @staticmethod
            def page(name: str):
                context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
                page = context.new_page()
                page.set_default_timeout(WAIT_MS)
                log_in(page, server.url, name)
                return page

        World.daemons = daemons
        try:
            for d in daemons.values():
                wait_running(d, 1)
            yield World
        finally:
            browser.close()
            for d in daemons.values():
                d.stop()
            server.stop()


def test_canary_first_then_everyone_then_rollback_in_the_browser(world):
    from playwright.sync_api import expect

    canary, other = world.daemons["canary-1"], world.daemons["hall-2"]
    page = world.page("olga")
    page.goto(f"{world.url}/console/catalog")
    expect(page.locator("#fleet-version")).to_contain_text("version 1")
    page.locator("#group-name").fill("canary")
    page.locator("#group-kiosks").fill("canary-1")
    page.get_by_role("button", name="Add to group").click()
    expect(page.locator("#groups")).to_contain_text("canary: canary-1")

    # Edit the first item: an emptied Chinese title is refused beside its field; then a valid change and its diff.
    first = page.locator("#items a").first
    item_id = first.inner_text()
    first.click()
    page.locator("#f-title_zh").fill("")
    page.locator("#f-title_en").fill("Record, new wording")
    page.locator("#review").click()
    expect(page.locator("#e-title_zh")).to_contain_text("should be non-empty")
    expect(page.locator("#problems")).to_contain_text("items[0].title_zh")
    assert page.locator("#f-title_zh").get_attribute("aria-invalid") == "true"
    axe_clean(page, "catalog item with errors")
    shoot(page, "catalog-item-errors")
    page.locator("#f-title_zh").fill("社保记录（新）")
    page.locator("#review").click()
    expect(page.locator("#valid")).to_contain_text("version 2")
    expect(page.locator("#diff")).to_contain_text(item_id)
    expect(page.locator("#diff")).to_contain_text("Record, new wording")
    axe_clean(page, "catalog diff")
    shoot(page, "catalog-diff")

    # Publish to the canary group with the targets key pasted for this request only.
    page.locator("#target").select_option("canary")
    page.locator("#targets-key").fill(world.key)
    page.locator("#publish").click()
    page.wait_for_url(f"{world.url}/console/catalog?*")
    expect(page.locator(".notice")).to_contain_text("Version 2 published")
    wait_running(canary, 2)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and "1 of 1" not in page.locator("#version-2 .applied").inner_text():
        time.sleep(1)
        page.reload()
    expect(page.locator("#version-2 .applied")).to_contain_text("1 of 1")
    expect(page.locator("#version-2 .state")).to_have_text("staged")
    assert running(other) == 1, "the kiosk outside the canary group stays on version 1"
    axe_clean(page, "catalog")
    shoot(page, "catalog")

    # A viewer sees the state but no button, and its POST is refused.
    viewer = world.page("vic")
    viewer.goto(f"{world.url}/console/catalog")
    expect(viewer.locator("#version-2 .state")).to_have_text("staged")
    assert viewer.locator("#promote-2").count() == 0 and viewer.locator("form[action$='/rollback']").count() == 0
    token = viewer.locator("input[name=csrf_token]").first.get_attribute("value")
    assert viewer.request.post(f"{world.url}/console/catalog/versions/2/promote",
                               form={"csrf_token": token}).status == 403
    assert viewer.request.get(f"{world.url}/console/catalog/new").status == 403
    viewer.context.close()

    # Promote: the other kiosk applies version 2 too.
    page.locator("#promote-2").click()
    expect(page.locator(".notice")).to_contain_text("offered to every kiosk")
    wait_running(other, 2)

    # Rollback to version 1: version 3 with version 1's content, applied by both.
    page.locator("#rollback-to").select_option("1")
    page.locator("#rollback-key").fill(world.key)
    page.locator("#rollback-submit").click()
    expect(page.locator(".notice")).to_contain_text("Version 3 published")
    wait_running(canary, 3)
    wait_running(other, 3)
    assert json.loads((canary.data / "catalog" / "current.json").read_bytes())["items"][0]["title_en"] != \
        "Record, new wording"

    # A catalog file chosen in the browser: a broken one is refused at its line and column, a good one is checked
    # with its diff like a paste. An application form's item shows its offline policy and inputs editor.
    page.goto(f"{world.url}/console/catalog/new")
    good = json.loads(page.locator("#catalog-text").input_value())
    good["items"][0]["title_en"] = "Uploaded wording"
    text = json.dumps(good, ensure_ascii=False, indent=2)
    broken = text.replace('"categories": [', '"categories" [', 1).encode()
    line = broken[:broken.index(b'"categories" [')].count(b"\n") + 1
    page.set_input_files("#catalog-file", files=[{"name": "broken.json", "mimeType": "application/json",
                                                  "buffer": broken}])
    page.locator("#review").click()
    expect(page.locator("#upload-refused")).to_contain_text("broken.json")
    expect(page.locator("#problems")).to_contain_text(f"line {line}, column")
    axe_clean(page, "catalog upload refused")
    shoot(page, "catalog-upload-refused")
    page.set_input_files("#catalog-file", files=[{"name": "good.json", "mimeType": "application/json",
                                                  "buffer": text.encode()}])
    page.locator("#review").click()
    expect(page.locator("#upload-checked")).to_contain_text("good.json")
    expect(page.locator("#diff")).to_contain_text("Uploaded wording")
    page.goto(f"{world.url}/console/catalog/items/si-flexible-enrol")
    expect(page.locator("#in-0-key")).to_have_value("insurance")
    expect(page.locator("#f-offline_policy")).to_have_value("")
    axe_clean(page, "catalog item inputs")
    shoot(page, "catalog-item-inputs")

    # A new item: the same form, empty, with an id; a duplicate id is refused beside the field, then the new item
    # is checked with its diff (added) against the published version.
    page.goto(f"{world.url}/console/catalog")
    page.locator("#new-item").click()
    page.locator("#f-id").fill("si-flexible-enrol")
    page.locator("#f-title_zh").fill("犬只登记证续期")
    page.locator("#f-title_en").fill("Dog licence renewal")
    page.locator("#f-department").fill("区农业农村局")
    page.locator("#f-category").select_option(index=1)
    page.locator("#f-module").select_option("application-form")
    page.locator("#f-keywords").fill("犬只登记, quanzhidengji, qzdj")
    page.locator("#f-params").fill('{"application_type": "pet_licence"}')
    page.locator("#in-0-key").fill("tag_number")
    page.locator("#in-0-label_zh").fill("犬牌号")
    page.locator("#in-0-label_en").fill("Tag number")
    page.locator("#review").click()
    expect(page.locator("#e-id")).to_contain_text("duplicate id 'si-flexible-enrol'")
    assert page.locator("#f-id").get_attribute("aria-invalid") == "true"
    axe_clean(page, "catalog new item")
    shoot(page, "catalog-item-new")
    page.locator("#f-id").fill("pet-licence-renewal")
    page.locator("#review").click()
    expect(page.locator("#valid")).to_be_visible()
    expect(page.locator("#diff")).to_contain_text("pet-licence-renewal")

    # Without a key, publishing shows a signing request for the offline machine.
    page.goto(f"{world.url}/console/catalog/new")
    page.locator("#publish").click()
    expect(page.locator("#signing-request")).to_contain_text("kiosk-district catalog signing request")
    axe_clean(page, "catalog signing request")
    shoot(page, "catalog-sign")

    # The same state in Chinese.
    page.goto(f"{world.url}/console/lang/zh?next=/console/catalog")
    expect(page.locator("h1")).to_have_text("服务目录")
    expect(page.locator("#version-3 .state")).to_have_text("已全量发布")
    axe_clean(page, "catalog zh")
    shoot(page, "catalog-zh")
    page.context.close()
