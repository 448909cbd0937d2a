"""Opening a chip: PACE when EF.CardAccess offers a variant the kiosk speaks, BAC otherwise (ICAO 9303-11 §4.2).

The terminal reads EF.CardAccess from the master file without access control. A chip that has it and lists a
supported PACEInfo is opened with PACE (MRZ or CAN as the password), then the LDS1 application is selected under
secure messaging. A chip without EF.CardAccess, or offering only PACE variants the kiosk does not speak, is opened
with BAC, which needs the MRZ: a CAN alone cannot open it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from kiosk.core.identity import AccessKey
from kiosk.devices.document import bac, pace
from kiosk.devices.document.apdu import PlainChannel, Transport
from kiosk.devices.document.bac import SessionKeys
from kiosk.devices.document.card_access import EF_CARD_ACCESS, SecurityInfos, parse_security_infos
from kiosk.devices.document.read_binary import FileReader
from kiosk.errors import CardError, WrongAccessKey

CARD_ACCESS_MAX = 2048  # EF.CardAccess holds a few SecurityInfos; anything larger is not one

AccessControl = Literal["BAC", "PACE"]


@dataclass(frozen=True)
class OpenedChip:
    keys: SessionKeys
    access_control: AccessControl
    select_under_sm: bool  # PACE runs in the MF: the LDS1 application is selected afterwards, protected


def read_card_access(transport: Transport) -> SecurityInfos | None:
    """EF.CardAccess's SecurityInfos, or None when the chip has no such file (or only an unreadable one)."""
    reader = FileReader(PlainChannel(transport), 0xDF, max_file=CARD_ACCESS_MAX)
    try:
        return parse_security_infos(reader.read_file(EF_CARD_ACCESS))
    except CardError:
        # No EF.CardAccess (SELECT answers 6A82) is a BAC chip. One that cannot be read or parsed may still
        # speak BAC (9303-11 §4.2: the terminal falls back when PACE cannot run): not a reason to refuse it.
        return None


def open_chip(transport: Transport, key: AccessKey | pace.CardAccessNumber,
              select_application: Callable[[Transport], None]) -> OpenedChip:
    """Authenticate with PACE or BAC. `select_application(transport)` selects LDS1 in plain (the BAC path)."""
    infos = read_card_access(transport)
    chosen = pace.choose(infos.pace) if infos is not None else None
    if infos is not None and chosen is not None:
        ambiguous = len({i.parameter_id for i in infos.pace}) > 1
        return OpenedChip(pace.establish(transport, key, chosen, ambiguous=ambiguous), "PACE", True)
    if isinstance(key, pace.CardAccessNumber):
        detail = "offers no PACE the kiosk speaks" if infos is not None and infos.pace else "has no PACE"
        raise WrongAccessKey(f"this document's chip {detail}: it opens with the MRZ only")
    select_application(transport)
    return OpenedChip(bac.authenticate(transport, key), "BAC", False)

