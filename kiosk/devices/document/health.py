"""The document reader's health: PC/SC reader states (unavailable, empty, present, mute) and the ATR.

Internal reads only what pcscd already knows (SCardGetStatusChange with UNAWARE); external connects to whatever
card lies on the reader, takes its ATR and selects the eMRTD application (ICAO 9303-10 LDS1 AID), so a
technician learns whether the reader talks to a card at all and whether that card is an eMRTD.
"""

from __future__ import annotations

from kiosk.devices.document.emrtd import LDS1_AID
from kiosk.devices.health import DeviceStatus, Level, MediaState
from kiosk.devices.status_ids import device_status

DEVICE = "reader"


def atr_is_valid(atr: bytes) -> bool:
    """ISO/IEC 7816-3 8.1: an ATR starts with TS = 3B (direct convention) or 3F (inverse), then T0."""
    return len(atr) >= 2 and atr[0] in (0x3B, 0x3F)


def _scard():
    from smartcard import scard

    return scard


class PcscReaderHealth:
    """HealthCheck of a PC/SC reader (`reader_name` "" = any reader, as the kiosk's own reader uses)."""

    device = DEVICE

    def __init__(self, reader_name: str = "") -> None:
        self._wanted = reader_name

    def check(self, level: Level) -> DeviceStatus:
        s = _scard()
        hresult, ctx = s.SCardEstablishContext(s.SCARD_SCOPE_USER)
        if hresult != s.SCARD_S_SUCCESS:
            return device_status(DEVICE, "RDR-SERVICE-DOWN",
                                 f"PC/SC service not available: {s.SCardGetErrorMessage(hresult)}",
                                 media={"card": MediaState.UNKNOWN})
        try:
            return self._check(s, ctx, level)
        finally:
            s.SCardReleaseContext(ctx)

    def _check(self, s, ctx: int, level: Level) -> DeviceStatus:
        hresult, listed = s.SCardListReaders(ctx, [])
        listed = list(listed) if hresult == s.SCARD_S_SUCCESS else []
        readers = [r for r in listed if not self._wanted or r == self._wanted]
        if not readers:
            what = (f"reader {self._wanted!r} not connected (connected: {', '.join(listed) or 'none'})"
                    if self._wanted else "no PC/SC reader connected")
            return device_status(DEVICE, "RDR-NO-READER", what, media={"card": MediaState.UNKNOWN},
                                 facts={"readers": listed})
        hresult, states = s.SCardGetStatusChange(ctx, 0, [(r, s.SCARD_STATE_UNAWARE) for r in readers])
        if hresult != s.SCARD_S_SUCCESS:
            return device_status(DEVICE, "RDR-NO-READER",
                                 f"reader state unavailable: {s.SCardGetErrorMessage(hresult)}",
                                 facts={"readers": readers})
        facts: dict = {"readers": readers}
        for reader, state, atr in states:
            if not state & s.SCARD_STATE_PRESENT:
                continue
            if state & s.SCARD_STATE_MUTE or not atr_is_valid(bytes(atr)):
                facts.update(reader=reader, atr=bytes(atr).hex().upper())
                why = "does not answer the reset" if state & s.SCARD_STATE_MUTE or not atr else \
                    f"answers the reset with an invalid ATR {bytes(atr).hex().upper()} (TS must be 3B or 3F)"
                return device_status(DEVICE, "RDR-CARD-MUTE", f"card on {reader} {why}",
                                     media={"card": MediaState.JAMMED}, facts=facts)
        present = [(r, bytes(atr)) for r, st, atr in states if st & s.SCARD_STATE_PRESENT]
        if level is Level.EXTERNAL:
            if not present:
                return device_status(DEVICE, "RDR-EXT-NO-CARD", f"no card on {', '.join(readers)} to read",
                                     media={"card": MediaState.OUT}, facts=facts)
            return self._read(s, ctx, present[0][0], facts)
        if present:
            reader, atr = present[0]
            facts.update(reader=reader, atr=atr.hex().upper())
            return device_status(DEVICE, "RDR-CARD-PRESENT", f"card present on {reader}, ATR {atr.hex().upper()}",
                                 media={"card": MediaState.FULL}, facts=facts)
        return device_status(DEVICE, "RDR-OK", f"{len(readers)} reader(s) ready, no card: {', '.join(readers)}",
                             media={"card": MediaState.OUT}, facts=facts)

    def _read(self, s, ctx: int, reader: str, facts: dict) -> DeviceStatus:
        facts["reader"] = reader
        hresult, hcard, protocol = s.SCardConnect(ctx, reader, s.SCARD_SHARE_SHARED,
                                                  s.SCARD_PROTOCOL_T0 | s.SCARD_PROTOCOL_T1)
        if hresult in (s.SCARD_W_UNRESPONSIVE_CARD, s.SCARD_W_UNPOWERED_CARD):
            return device_status(DEVICE, "RDR-CARD-MUTE",
                                 f"card on {reader} does not answer: {s.SCardGetErrorMessage(hresult)}",
                                 media={"card": MediaState.JAMMED}, facts=facts)
        if hresult in (s.SCARD_E_NO_SMARTCARD, s.SCARD_W_REMOVED_CARD):
            return device_status(DEVICE, "RDR-EXT-NO-CARD", f"the card left {reader} before the read",
                                 media={"card": MediaState.OUT}, facts=facts)
        if hresult != s.SCARD_S_SUCCESS:
            return device_status(DEVICE, "RDR-CARD-MUTE",
                                 f"cannot connect to the card on {reader}: {s.SCardGetErrorMessage(hresult)}",
                                 media={"card": MediaState.JAMMED}, facts=facts)
        try:
            hresult, _, _, _, atr = s.SCardStatus(hcard)
            facts["atr"] = bytes(atr).hex().upper() if hresult == s.SCARD_S_SUCCESS else ""
            select = [0x00, 0xA4, 0x04, 0x0C, len(LDS1_AID), *LDS1_AID]
            hresult, response = s.SCardTransmit(hcard, protocol, select)
            sw = bytes(response[-2:]).hex().upper() if hresult == s.SCARD_S_SUCCESS and len(response) >= 2 else ""
            facts["emrtd_select_sw"] = sw
        finally:
            s.SCardDisconnect(hcard, s.SCARD_LEAVE_CARD)
        kind = "eMRTD application selected" if sw == "9000" else f"not an eMRTD (SELECT answered {sw or 'nothing'})"
        return device_status(DEVICE, "RDR-READ-OK", f"card on {reader} read: ATR {facts['atr']}, {kind}",
                             media={"card": MediaState.FULL}, facts=facts)


class SimulatedReaderHealth:
    """The demo's simulated reader: nothing to check, said plainly."""

    device = DEVICE

    def check(self, level: Level) -> DeviceStatus:
        return device_status(DEVICE, "RDR-SIMULATED", "simulated document reader (demo configuration)")
