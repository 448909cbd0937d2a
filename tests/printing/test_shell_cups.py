"""A citizen finds an item by pinyin initials on the on-screen keyboard, fills its form by touch, and gets the
document and the receipt printed through a real cupsd (raw queue to a listening 'network printer')."""

from __future__ import annotations

from kiosk.core.session import State

# Lives beside the printing tests so that it shares their one private cupsd.
from tests.shell.conftest import district, open_shell, shell_config  # noqa: F401 - fixtures
from tests.shell.drive import find, tap, wait_state


def type_keys(qtbot, window, text: str) -> None:
    for ch in text.upper():
        tap(qtbot, window, f"key-{ch}")


def test_search_by_initials_form_by_touch_print_through_cups(qtbot, tmp_path, district, cupsd, socket_printer,
                                                            open_shell):
    queue, listener = socket_printer
    config = shell_config(tmp_path / "kiosk", district.url, devices={"printer": "cups"},
                          printer={"cups_queue": queue, "cups_server": str(cupsd.socket_path)})
    window = open_shell(config)
    terminal = window.terminal
    tap(qtbot, window, "start")
    wait_state(qtbot, window, State.MENU)
    tap(qtbot, window, "search-keyboard")
    type_keys(qtbot, window, "ltxtq")  # 离退休提取住房公积金, by its pinyin initials
    qtbot.waitUntil(lambda: _visible(window, "item-hf-withdraw-retire"), timeout=3000)
    tap(qtbot, window, "item-hf-withdraw-retire")
    wait_state(qtbot, window, State.SERVICE_FORM)
    tap(qtbot, window, "next")  # empty required fields are refused, the field is named
    qtbot.waitUntil(lambda: terminal.session.invalid_field == "bank_account", timeout=3000)
    qtbot.mouseClick(find(window, "input-bank_account"), _left())
    type_keys(qtbot, window, "6222021234567890")
    qtbot.mouseClick(find(window, "input-phone"), _left())
    type_keys(qtbot, window, "13800138000")
    tap(qtbot, window, "next")
    wait_state(qtbot, window, State.CONFIRM)
    tap(qtbot, window, "confirm")
    wait_state(qtbot, window, State.DONE, timeout_ms=60000)
    jobs = listener.wait_jobs(2, timeout=30)
    assert len(jobs) >= 2 and all(job.startswith(b"%PDF") for job in jobs[:2])
    assert terminal.session.tracking_number


def _visible(window, testid: str) -> bool:
    try:
        find(window, testid)
        return True
    except LookupError:
        return False


def _left():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton
