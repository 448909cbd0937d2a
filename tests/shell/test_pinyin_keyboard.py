"""The form's touch keyboard types Chinese through pinyin candidates."""

from __future__ import annotations

from PySide6.QtCore import Qt

from kiosk.core.session import ItemChosen, State
from tests.shell.drive import find, tap, wait_state


def test_address_typed_in_pinyin(qtbot, shell):
    window = shell
    tap(qtbot, window, "start")
    wait_state(qtbot, window, State.MENU)
    window.terminal.dispatch(ItemChosen("hh-residence-permit-renew", True))
    wait_state(qtbot, window, State.SERVICE_FORM)
    address = find(window, "input-address")
    qtbot.mouseClick(address, Qt.MouseButton.LeftButton)
    for syllable, expected in (("hang", "杭"), ("zhou", "州")):
        for ch in syllable.upper():
            tap(qtbot, window, f"key-{ch}")
        qtbot.waitUntil(lambda: find(window, "candidate-0").isVisible(), timeout=3000)
        n = next(i for i in range(8) if find(window, f"candidate-{i}").text() == expected)
        tap(qtbot, window, f"candidate-{n}")
    assert address.text() == "杭州"
    for ch in "HAO":  # a syllable left unpicked, then "-": the first candidate goes in first (issue 13)
        tap(qtbot, window, f"key-{ch}")
    shown = find(window, "candidate-0").text()
    tap(qtbot, window, "key--")
    assert address.text() == f"杭州{shown}-"
    tap(qtbot, window, "key-中/EN")  # back to letters
    tap(qtbot, window, "key-A")
    tap(qtbot, window, "key-1")
    assert address.text() == f"杭州{shown}-A1"
