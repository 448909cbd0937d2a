"""The PC/SC eMRTD reader: pyscard over pcscd, with a monitor thread for readers and cards.

`PcscDocumentReader` implements `DocumentReader`. Its monitor owns one PC/SC context and blocks in
SCardGetStatusChange (with the PnP pseudo-reader, so readers appearing and disappearing wake it too). When pcscd
goes away or the reader is pulled, the monitor reports it, drops its context and re-establishes it every
`retry_s`: plugging the reader back (or pcscd restarting) recovers without restarting the kiosk. `read()` uses its
own context and connection, so a read never races the monitor.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from contract.eventlog import EventLog, NullEventLog
from contract.log_events import Event
from kiosk.config import DocumentConfig
from kiosk.core.identity import AccessKey, Identity, PassiveAuth
from kiosk.devices.document import ReaderEvent, ReaderEventKind, ReaderState, ReaderStatus
from kiosk.devices.document.chip_policy import chip_refusal
from kiosk.devices.document.emrtd import DocumentFiles, atr_supports_extended_length, read_document
from kiosk.devices.document.lds import identity_from_files
from kiosk.devices.document.pace import CardAccessNumber
from kiosk.devices.document.passive_auth import passive_authentication
from kiosk.devices.document.trust_store import TrustStore
from kiosk.errors import CardError, CardRemoved, ChipNotGenuine, DocumentRejected, NoCard, NoReader, WrongAccessKey

PNP_READER = "\\\\?PnP?\\Notification"


def _scard():
    from smartcard import scard

    return scard


def _service_gone(s, hresult: int) -> bool:
    return hresult in (s.SCARD_E_NO_SERVICE, s.SCARD_E_SERVICE_STOPPED, s.SCARD_E_INVALID_HANDLE,
                       s.SCARD_E_NO_READERS_AVAILABLE, s.SCARD_E_READER_UNAVAILABLE, s.SCARD_E_UNKNOWN_READER)


def _card_gone(s, hresult: int) -> bool:
    return hresult in (s.SCARD_W_REMOVED_CARD, s.SCARD_E_NO_SMARTCARD, s.SCARD_W_RESET_CARD,
                       s.SCARD_W_UNPOWERED_CARD, s.SCARD_W_UNRESPONSIVE_CARD)


class PcscTransport:
    """One connected card; `transmit` maps PC/SC failures to typed CardErrors."""

    def __init__(self, hcard: int, protocol: int, hcontext: int, reader: str) -> None:
        self._hcard = hcard
        self._protocol = protocol
        self._hcontext = hcontext
        self._reader = reader

    def transmit(self, apdu: bytes) -> bytes:
        response = self._transmit_once(apdu)
        # T=0 transport status words (ISO/IEC 7816-3/-4): resend with the right Le, or fetch the rest.
        if response[-2] == 0x6C and len(apdu) == 5:
            response = self._transmit_once(apdu[:4] + response[-1:])
        data = bytearray()
        for _ in range(64):  # bounded: a chip that keeps answering 61xx must not hold the read forever
            if response[-2] != 0x61:
                break
            data += response[:-2]
            response = self._transmit_once(bytes([apdu[0] & 0x03, 0xC0, 0x00, 0x00, response[-1]]))
        return bytes(data) + response

    def _transmit_once(self, apdu: bytes) -> bytes:
        s = _scard()
        hresult, response = s.SCardTransmit(self._hcard, self._protocol, list(apdu))
        if hresult != s.SCARD_S_SUCCESS:
            raise self._error(s, s.SCardGetErrorMessage(hresult), hresult)
        if len(response) < 2:
            # No status word at all: the link to the chip broke (vpcd reports a lost card this way).
            raise self._error(s, "no response from the card", None)
        return bytes(response)

    def _error(self, s, message: str, hresult: int | None) -> CardError:
        if (hresult is not None and _card_gone(s, hresult)) or self._card_left(s):
            return CardRemoved(f"card removed during the read ({message})")
        if hresult is not None and _service_gone(s, hresult):
            return NoReader(f"reader lost during the read ({message})")
        return CardError(f"card communication failed: {message}")

    def _card_left(self, s, settle_s: float = 1.0) -> bool:
        """True when the card is gone; pcscd notices a removal within its polling period, so wait that long."""
        state = s.SCARD_STATE_UNAWARE
        deadline = time.monotonic() + settle_s
        while True:
            remaining = int(max(0.0, deadline - time.monotonic()) * 1000)
            hresult, states = s.SCardGetStatusChange(self._hcontext, remaining, [(self._reader, state)])
            if hresult == s.SCARD_E_TIMEOUT:
                return False
            if hresult != s.SCARD_S_SUCCESS:
                return True  # reader or service gone: the card is not there either
            state = states[0][1] & ~s.SCARD_STATE_CHANGED
            if not state & s.SCARD_STATE_PRESENT:
                return True
            if remaining == 0:
                return False


@dataclass(frozen=True)
class ReadResult:
    """A read's identity plus the figures technicians and the benchmark want."""

    identity: Identity
    files: DocumentFiles
    reader: str
    extended_length: bool
    read_ms: float

    @property
    def access_control(self) -> str:
        """How the chip was opened: "BAC" or "PACE"."""
        return self.files.access_control


class PcscDocumentReader:
    """ICAO 9303 eMRTD reader over PC/SC (BAC, secure messaging, passive authentication)."""

    def __init__(self, config: DocumentConfig | None = None, log: EventLog | None = None,
                 trust_store: TrustStore | None = None, retry_s: float = 0.5,
                 use_extended_length: bool = True) -> None:
        self._config = config or DocumentConfig()
        self._log = log or NullEventLog()
        self._trust = trust_store if trust_store is not None else TrustStore.load(self._config.trust_store)
        for problem in self._trust.problems:
            self._log.log(Event.READER_STATE, state="trust-store-problem", detail=problem)
        self._retry_s = retry_s
        self._use_extended = use_extended_length
        self._lock = threading.Lock()
        self._readers: dict[str, bool] = {}  # reader -> card present
        self._service_up = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._monitor_ctx: int | None = None
        self._on_event: Callable[[ReaderEvent], None] | None = None
        self._first_pass = threading.Event()  # set once the monitor has published what it saw

    # --- DocumentReader ------------------------------------------------------------------------------------

    @property
    def needs_access_key(self) -> bool:
        return True

    def start(self, on_event: Callable[[ReaderEvent], None]) -> None:
        """Start the monitor thread; events are delivered on it."""
        if self._thread is not None:
            return
        self._on_event = on_event
        self._stop.clear()
        self._first_pass.clear()
        self._thread = threading.Thread(target=self._monitor, name="pcsc-monitor", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the monitor (cancels its blocking wait); idempotent."""
        self._stop.set()
        ctx = self._monitor_ctx
        if ctx is not None:
            try:
                _scard().SCardCancel(ctx)
            except Exception:  # noqa: BLE001 - the context may already be gone with pcscd
                pass
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._thread = None

    def status(self) -> ReaderStatus:
        """Reader and card state: the monitor's view when running, else one PC/SC query."""
        if self._thread is None or not self._first_pass.is_set():
            up, readers = self._query()
            with self._lock:
                if not self._first_pass.is_set():
                    self._service_up, self._readers = up, readers
        with self._lock:
            readers = dict(self._readers)
            up = self._service_up
        if not readers:
            return ReaderStatus(ReaderState.NO_READER, (), "" if up else "PC/SC service not available")
        names = tuple(readers)
        if any(readers.values()):
            return ReaderStatus(ReaderState.CARD_PRESENT, names)
        return ReaderStatus(ReaderState.NO_CARD, names)

    def read(self, access_key: AccessKey | None, cancel: threading.Event) -> Identity:
        """Read and verify the document; raises DocumentRejected when the passive-auth policy says so."""
        identity = self.read_document(access_key, cancel).identity
        blocked = (identity.passive_auth == PassiveAuth.INVALID and self._config.block_invalid) or (
            identity.passive_auth == PassiveAuth.UNKNOWN_ISSUER and self._config.block_unknown_issuer)
        if blocked:
            detail = f"{identity.passive_auth.value}: {identity.passive_auth_detail}"
            identity.wipe()
            raise DocumentRejected(detail)
        refusal = chip_refusal(identity, self._config)
        if refusal is not None:
            identity.wipe()
            raise ChipNotGenuine(refusal)
        return identity

    # --- reading -------------------------------------------------------------------------------------------

    def read_document(self, access_key: AccessKey | CardAccessNumber | None, cancel: threading.Event | None = None,
                      reader: str | None = None) -> ReadResult:
        """Read without applying the policy (the CLI reports INVALID documents instead of refusing them)."""
        if access_key is None:
            raise WrongAccessKey("this reader needs the MRZ access key (or, for PACE chips, the CAN)")
        s = _scard()
        started = time.perf_counter()
        self._log.log(Event.DOCUMENT_READ_INIT, reader=reader or self._config.reader_name or "")
        hresult, hcontext = s.SCardEstablishContext(s.SCARD_SCOPE_USER)
        if hresult != s.SCARD_S_SUCCESS:
            raise self._logged(NoReader(f"PC/SC service not available ({s.SCardGetErrorMessage(hresult)})"))
        try:
            name = self._pick_reader(s, hcontext, reader or self._config.reader_name)
            hresult, hcard, protocol = s.SCardConnect(hcontext, name, s.SCARD_SHARE_EXCLUSIVE,
                                                      s.SCARD_PROTOCOL_T0 | s.SCARD_PROTOCOL_T1)
            if hresult != s.SCARD_S_SUCCESS:
                if _card_gone(s, hresult):
                    raise NoCard(f"no card on {name}")
                if _service_gone(s, hresult):
                    raise NoReader(f"reader {name} not available")
                raise CardError(f"cannot connect to the card: {s.SCardGetErrorMessage(hresult)}")
            try:
                hresult, _, _, _, atr = s.SCardStatus(hcard)
                if hresult != s.SCARD_S_SUCCESS:
                    raise CardRemoved("card removed")
                # Extended length: announced in the ATR, else ask EF.ATR/INFO (None); off by configuration.
                announced = True if atr_supports_extended_length(bytes(atr)) else None
                files = read_document(PcscTransport(hcard, protocol, hcontext, name), access_key,
                                      extended=announced if self._use_extended else False, cancel=cancel)
                extended = files.extended_length
            finally:
                # Reset on disconnect: the chip forgets the BAC session, the next reader starts clean.
                s.SCardDisconnect(hcard, s.SCARD_RESET_CARD)
            identity = identity_from_files(files)
            pa = passive_authentication(files.sod, files.data_groups, self._trust)
            identity.passive_auth, identity.passive_auth_detail = pa.status, pa.detail
            if files.chip is not None:
                identity.chip_auth, identity.chip_auth_detail = files.chip.chip_auth.status, files.chip.chip_auth.detail
                identity.active_auth = files.chip.active_auth.status
                identity.active_auth_detail = files.chip.active_auth.detail
            read_ms = (time.perf_counter() - started) * 1000
            self._log.log(Event.DOCUMENT_READ_COMPLETE, result="ok", passive_auth=pa.status.value,
                          passive_auth_detail=pa.detail, chip_auth=identity.chip_auth.value,
                          active_auth=identity.active_auth.value, photo_format=identity.photo_format, apdus=files.apdus,
                          extended_length=extended, access_control=files.access_control,
                          read_ms=round(read_ms, 1))
            return ReadResult(identity, files, name, extended, read_ms)
        except CardError as exc:
            raise self._logged(exc) from None
        finally:
            s.SCardReleaseContext(hcontext)

    def _logged(self, exc: CardError) -> CardError:
        self._log.log(Event.DOCUMENT_READ_COMPLETE, result="error", error=type(exc).__name__, detail=exc.detail)
        return exc

    def _pick_reader(self, s, hcontext: int, wanted: str) -> str:
        hresult, readers = s.SCardListReaders(hcontext, [])
        if hresult != s.SCARD_S_SUCCESS or not readers:
            raise NoReader("no card reader connected")
        if wanted:
            if wanted not in readers:
                raise NoReader(f"reader {wanted!r} not connected")
            candidates = [wanted]
        else:
            candidates = list(readers)
        hresult, states = s.SCardGetStatusChange(hcontext, 0, [(r, s.SCARD_STATE_UNAWARE) for r in candidates])
        if hresult != s.SCARD_S_SUCCESS:
            raise NoReader(f"reader state unavailable ({s.SCardGetErrorMessage(hresult)})")
        for reader, state, _atr in states:
            if state & s.SCARD_STATE_PRESENT:
                return reader
        raise NoCard("no document on the reader")

    # --- monitoring ----------------------------------------------------------------------------------------

    def _query(self) -> tuple[bool, dict[str, bool]]:
        s = _scard()
        hresult, ctx = s.SCardEstablishContext(s.SCARD_SCOPE_USER)
        if hresult != s.SCARD_S_SUCCESS:
            return False, {}
        try:
            readers = self._list(s, ctx)
            if not readers:
                return True, {}
            hresult, states = s.SCardGetStatusChange(ctx, 0, [(r, s.SCARD_STATE_UNAWARE) for r in readers])
            if hresult != s.SCARD_S_SUCCESS:
                return True, {}
            return True, {r: bool(st & s.SCARD_STATE_PRESENT) for r, st, _ in states}
        finally:
            s.SCardReleaseContext(ctx)

    def _list(self, s, ctx: int) -> list[str]:
        hresult, readers = s.SCardListReaders(ctx, [])
        if hresult != s.SCARD_S_SUCCESS:
            return []
        wanted = self._config.reader_name
        return [r for r in readers if not wanted or r == wanted]

    def _emit(self, kind: ReaderEventKind, reader: str) -> None:
        self._log.log(Event.READER_STATE, state=kind.value, reader=reader)
        if self._on_event is not None:
            try:
                self._on_event(ReaderEvent(kind, reader))
            except Exception as exc:  # noqa: BLE001 - a faulty listener must not kill the monitor
                self._log.log(Event.UNEXPECTED_ERROR, where="reader-event-listener", error=repr(exc))

    def _update(self, service_up: bool, readers: dict[str, bool]) -> None:
        with self._lock:
            old = dict(self._readers) if self._first_pass.is_set() else {}
            self._readers = readers
            self._service_up = service_up
            self._first_pass.set()
        for name in old:
            if name not in readers:
                if old[name]:
                    self._emit(ReaderEventKind.CARD_REMOVED, name)
                self._emit(ReaderEventKind.READER_REMOVED, name)
        for name, present in readers.items():
            if name not in old:
                self._emit(ReaderEventKind.READER_ADDED, name)
                if present:
                    self._emit(ReaderEventKind.CARD_INSERTED, name)
            elif present != old[name]:
                self._emit(ReaderEventKind.CARD_INSERTED if present else ReaderEventKind.CARD_REMOVED, name)

    def _monitor(self) -> None:
        # A 24-hour terminal: whatever goes wrong in one pass, report it and watch again.
        while not self._stop.is_set():
            try:
                self._watch()
            except Exception as exc:  # noqa: BLE001
                self._log.log(Event.UNEXPECTED_ERROR, where="reader-monitor", error=repr(exc))
                self._update(False, {})
                self._stop.wait(self._retry_s)

    def _watch(self) -> None:
        s = _scard()
        try:
            self._watch_loop(s, {})
        finally:
            ctx = self._monitor_ctx
            if ctx is not None:
                try:
                    s.SCardReleaseContext(ctx)
                except Exception:  # noqa: BLE001 - pcscd may be gone with it
                    pass
            self._monitor_ctx = None

    def _watch_loop(self, s, states: dict[str, int]) -> None:
        ctx: int | None = None
        while not self._stop.is_set():
            if ctx is None:
                hresult, new_ctx = s.SCardEstablishContext(s.SCARD_SCOPE_USER)
                if hresult != s.SCARD_S_SUCCESS:
                    self._update(False, {})
                    self._stop.wait(self._retry_s)
                    continue
                ctx, self._monitor_ctx, states = new_ctx, new_ctx, {}
            hresult, listed = s.SCardListReaders(ctx, [])
            if hresult == s.SCARD_E_NO_READERS_AVAILABLE:
                listed = []
            elif hresult != s.SCARD_S_SUCCESS:
                ctx = self._drop_context(s, ctx)
                continue
            readers = [r for r in listed if not self._config.reader_name or r == self._config.reader_name]
            if not readers:
                self._update(True, {})
            watch = [(r, states.get(r, s.SCARD_STATE_UNAWARE)) for r in readers]
            watch.append((PNP_READER, states.get(PNP_READER, s.SCARD_STATE_UNAWARE)))
            hresult, changed = s.SCardGetStatusChange(ctx, 1000, watch)
            if hresult in (s.SCARD_E_TIMEOUT, s.SCARD_E_CANCELLED):
                continue
            if hresult != s.SCARD_S_SUCCESS:
                ctx = self._drop_context(s, ctx)
                continue
            present: dict[str, bool] = {}
            for reader, event_state, _atr in changed:
                states[reader] = event_state & ~s.SCARD_STATE_CHANGED
                if reader != PNP_READER:
                    present[reader] = bool(event_state & s.SCARD_STATE_PRESENT) and not (
                        event_state & (s.SCARD_STATE_UNAVAILABLE | s.SCARD_STATE_IGNORE))
            self._update(True, present)

    def _drop_context(self, s, ctx: int) -> None:
        try:
            s.SCardReleaseContext(ctx)
        except Exception:  # noqa: BLE001
            pass
        self._monitor_ctx = None
        self._update(False, {})
        self._stop.wait(self._retry_s)
        return None
