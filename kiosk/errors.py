"""Typed errors of the terminal, each with a citizen-facing message key.

Every error a citizen can meet carries `message_key`: the UI looks that key up in the translations and shows
a kind sentence; logs carry the class name and the detail. Device layers raise subclasses of these.
"""

from __future__ import annotations

from contract.errors import ContractError


class KioskError(ContractError):
    """Base of all errors the terminal expects and handles (the contract's errors share its base)."""


class ConfigError(KioskError):
    message_key = "error.config"


class DeviceError(KioskError):
    """A device did not do what was asked."""

    message_key = "error.device"


class CardError(DeviceError):
    message_key = "error.card"


class NoReader(CardError):
    message_key = "error.card.no_reader"


class NoCard(CardError):
    message_key = "error.card.no_card"
    retryable = True


class CardRemoved(CardError):
    message_key = "error.card.removed"
    retryable = True


class WrongAccessKey(CardError):
    message_key = "error.card.wrong_access_key"


class MalformedCardData(CardError):
    message_key = "error.card.malformed"


class DocumentRejected(CardError):
    """The document was read but failed the configured passive-authentication policy."""

    message_key = "error.card.rejected"


class ChipNotGenuine(DocumentRejected):
    """The chip failed chip or active authentication (a copy of a genuine chip), or did not offer the one the
    policy requires."""

    message_key = "error.card.chip_not_genuine"


class TrustMaterialRejected(KioskError):
    """A CSCA certificate, master list or CRL offered for the trust store failed its checks; nothing was written."""

    message_key = "error.config"


class CameraError(DeviceError):
    message_key = "error.camera"


class CameraUnavailable(CameraError):
    message_key = "error.camera.unavailable"
    retryable = True


class FaceError(DeviceError):
    message_key = "error.face"


class NoFaceFound(FaceError):
    message_key = "error.face.none"


class FaceMismatch(FaceError):
    message_key = "error.face.mismatch"


class LivenessFailed(FaceError):
    message_key = "error.face.liveness"


class PrinterError(DeviceError):
    message_key = "error.printer"


class PrinterOffline(PrinterError):
    message_key = "error.printer.offline"
    retryable = True


class PrinterOutOfPaper(PrinterError):
    message_key = "error.printer.paper"
    retryable = True


class PrintJobFailed(PrinterError):
    message_key = "error.printer.job_failed"
    retryable = True


class ServiceError(KioskError):
    message_key = "error.service"


class DistrictUnavailable(ServiceError):
    """The district server could not be reached; `queue` services can still accept the request."""

    message_key = "error.district.unavailable"
    retryable = True


class InputInvalid(ServiceError):
    message_key = "error.input.invalid"

    def __init__(self, field: str, detail: str = "") -> None:
        super().__init__(f"{field}: {detail}" if detail else field)
        self.field = field


class StoreError(KioskError):
    message_key = "error.store"


class DocumentError(KioskError):
    """A document could not be rendered (missing font, bad template data)."""

    message_key = "error.document"


class DocumentKeyMissing(DocumentError):
    """The district's public document key is not in the data folder (the kiosk is not enrolled)."""

    message_key = "error.document.key_missing"


class TechnicianPinError(KioskError):
    """The technicians' PIN could not be set (too weak) or its record is damaged; never a citizen's error."""


class SecureMessagingError(MalformedCardData):
    """A secure-messaging response failed its checks (MAC, padding, structure): the session is dropped."""


class MrzUnreadable(CardError):
    """The camera frame's MRZ could not be read with verifying check digits (retry, or type it in)."""

    message_key = "error.card.mrz_unreadable"
    retryable = True


class DatabaseCorrupt(StoreError):
    """The terminal's database failed SQLite's integrity check (or is not a database): the terminal stays out of
    service, and the file is left as it is for a technician (never recreated: it holds unsent transactions)."""
