"""A catalog that loads but offers nothing a citizen could choose (the district switched every service off) puts
the running shell out of service, and the next good catalog the daemon applies brings it back by itself: no
session can start meanwhile, so none ends to pick the new catalog up."""

from __future__ import annotations

import json

from contract.atomic_write import write_atomic
from kiosk.catalog.source import SHIPPED_CATALOG
from kiosk.core.session import Start, State
from kiosk.store.service_journal import ServiceJournal
from kiosk.terminal.out_of_service import Condition
from tests.shell.conftest import shell_config
from tests.shell.drive import find, tap, wait_state


def _catalog(version: int, enabled: bool) -> bytes:
    raw = json.loads(SHIPPED_CATALOG.read_text(encoding="utf-8"))
    raw["version"] = version
    for item in raw["items"]:
        item["enabled"] = enabled
    return json.dumps(raw, ensure_ascii=False).encode()


def test_a_catalog_with_every_service_off_stops_the_shell_until_a_usable_one_arrives(qtbot, open_shell, district,
                                                                                     tmp_path):
    config = shell_config(tmp_path / "kiosk", district.url)
    current = config.data_dir / "catalog" / "current.json"  # where the daemon puts a verified catalog
    write_atomic(current, _catalog(900, enabled=False))
    window = open_shell(config)
    terminal = window.terminal
    terminal.poll_sync_status()  # what the shell's status timer does
    qtbot.waitUntil(lambda: window.out_of_service.isVisible()
                    and "catalog-unusable" in (window.out_of_service.property("conditions") or ""), timeout=10000)
    assert config.terminal.kiosk_id in find(window, "out-of-service-kiosk").text()
    terminal.dispatch(Start())  # a card tapped meanwhile starts nothing
    assert terminal.session.state is State.ATTRACT and terminal.session.session_id == 0
    write_atomic(current, _catalog(901, enabled=True))  # the district switches its services back on
    terminal.poll_sync_status()
    qtbot.waitUntil(lambda: not window.out_of_service.isVisible(), timeout=10000)
    tap(qtbot, window, "start")
    wait_state(qtbot, window, State.MENU)
    events = [(e["condition"], e["change"]) for e in ServiceJournal(config.data_dir).read()["events"]]
    assert events == [(Condition.CATALOG_UNUSABLE.value, "raised"), (Condition.CATALOG_UNUSABLE.value, "cleared")]
