"""Whether a configuration that loads is safe to put in front of citizens.

A terminal with a real document reader decides who a citizen is. It must check every chip against trusted CSCA
certificates (without them a blank chip carrying a victim's MRZ and the attacker's photo, signed by a homemade
CSCA, reads as UNKNOWN_ISSUER), refuse chips that fail that check, compare the face for real (the simulated
check answers MATCH to anyone) and print for real. Only an explicit `[terminal] demo = true` relaxes any of this,
and the shell then says so on screen. `kiosk config check` lists every problem, one line each, naming the key;
the shell shows its out-of-service screen instead of starting when there is any.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kiosk.config import Config


@dataclass(frozen=True)
class UnsafeSetting:
    """One reason the configuration may not serve citizens: the key at fault and why."""

    key: str  # "[section] key", as the configuration file spells it
    reason: str

    def __str__(self) -> str:
        return f"{self.key}: {self.reason}"


DEMO_HINT = "(allowed only with [terminal] demo = true)"


def unsafe_settings(config: Config) -> list[UnsafeSetting]:
    """Every unsafe setting of `config`, in file order; empty when it may serve citizens (or in demo mode)."""
    if config.terminal.demo:
        return []
    found: list[UnsafeSetting] = []
    devices = config.devices
    real_reader = devices.document_reader == "pcsc"
    if real_reader:
        if devices.camera == "simulated" and devices.face != "simulated":
            found.append(UnsafeSetting("[devices] camera", "'simulated' plays a file as the camera, so the face "
                                       f"check never sees the citizen; a real reader needs 'opencv' {DEMO_HINT}"))
        if devices.face == "simulated":
            found.append(UnsafeSetting("[devices] face", "'simulated' (the default) answers MATCH without looking "
                                       f"at anyone; a real reader needs 'dlib' {DEMO_HINT}"))
        if devices.printer == "pdf-folder":
            found.append(UnsafeSetting("[devices] printer", "'pdf-folder' (the default) prints nothing on paper; "
                                       f"a real reader needs 'cups' {DEMO_HINT}"))
        problem = trust_store_problem(config.document.trust_store)
        if problem:
            found.append(UnsafeSetting("[document] trust_store", problem))
    if not config.document.block_invalid:
        found.append(UnsafeSetting("[document] block_invalid", "false lets altered chips through "
                                   f"(passive authentication INVALID) {DEMO_HINT}"))
    if not config.document.block_unknown_issuer:
        found.append(UnsafeSetting("[document] block_unknown_issuer", "false lets chips signed by an unknown, "
                                   f"possibly homemade, CSCA through (UNKNOWN_ISSUER) {DEMO_HINT}"))
    return found


def trust_store_problem(folder: Path | None) -> str:
    """Why `folder` cannot serve as a real reader's trust store, or "" when it holds at least one CSCA."""
    if folder is None:
        return ("not set: a real reader (document_reader = 'pcsc') cannot tell a genuine chip from a homemade one "
                "without CSCA certificates")
    if not Path(folder).is_dir():
        return f"{folder} is not a folder (missing?): a real reader needs CSCA certificates"
    from kiosk.devices.document.trust_store import TrustStore

    store = TrustStore.load(Path(folder))
    if not store.certificates:
        unreadable = f" ({len(store.problems)} file(s) could not be used)" if store.problems else ""
        return f"{folder} holds no CSCA certificate or master list{unreadable}: a real reader needs at least one"
    return ""
