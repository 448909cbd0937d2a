"""The shell on a PACE-only ID card: the MRZ the citizen types opens the chip with PACE (no BAC on this chip),
a wrong MRZ is said kindly and asked again, as for BAC."""

from __future__ import annotations

from kiosk.core.session import State

# Lives beside the document tests so that it shares their one private pcscd (vpcd listens on a fixed port).
from tests.shell.conftest import district, open_shell, shell_config  # noqa: F401 - fixtures
from tests.shell.drive import find, tap, wait_state

from .pace_chip import PaceChip
from .test_shell_reader import enter


def test_pace_only_card_opens_with_the_typed_mrz(qtbot, tmp_path, district, slot, id_card, trust_dir,
                                                 open_shell):
    config = shell_config(tmp_path / "kiosk", district.url, devices={"document_reader": "pcsc"},
                          document={"trust_store": str(trust_dir)}, terminal={"demo": True})  # simulated face
    window = open_shell(config)
    terminal = window.terminal
    card = slot.insert(id_card, extended_length=False, pace=PaceChip(id_card.access_key), bac_enabled=False)
    wait_state(qtbot, window, State.READING_DOCUMENT, timeout_ms=15000)
    qtbot.waitUntil(lambda: terminal.session.needs_access_key and find(window, "mrz-doc").isVisible(),
                    timeout=5000)
    enter(qtbot, window, "mrz-doc", "D23145890")
    enter(qtbot, window, "mrz-dob", "820102")  # one digit off
    enter(qtbot, window, "mrz-exp", "330707")
    tap(qtbot, window, "submit-key")
    qtbot.waitUntil(lambda: terminal.session.message_key == "error.card.wrong_access_key", timeout=15000)

    def form_offered_again() -> bool:
        try:
            return find(window, "mrz-doc").isVisible()
        except LookupError:
            return False

    qtbot.waitUntil(form_offered_again, timeout=5000)
    enter(qtbot, window, "mrz-doc", "D23145890")
    enter(qtbot, window, "mrz-dob", "820101")
    enter(qtbot, window, "mrz-exp", "330707")
    tap(qtbot, window, "submit-key")
    wait_state(qtbot, window, State.MENU, timeout_ms=20000)
    identity = terminal.session.identity
    assert identity is not None and identity.document_number == "D23145890"
    assert identity.passive_auth.value == "VALID"
    assert card.chip.pace is not None and (card.chip.pace.failures, card.chip.pace.successes) == (1, 1)
    assert card.chip.mutual_auth_attempts == 0
