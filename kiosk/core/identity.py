"""The citizen's identity as read from a document: the one value every later step depends on.

It holds personal data, so it is a mutable dataclass with an explicit `wipe()`: the session calls it when it
ends, and nothing else keeps a reference past that point.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from contract.privacy import mask_document_number


class PassiveAuth(str, Enum):
    """Outcome of checking the document's signature chain (ICAO 9303-11 passive authentication)."""

    VALID = "VALID"
    INVALID = "INVALID"
    UNKNOWN_ISSUER = "UNKNOWN_ISSUER"
    NOT_CHECKED = "NOT_CHECKED"  # simulated readers and documents without a security object


class ChipCheck(str, Enum):
    """Outcome of proving the chip itself genuine (ICAO 9303-11 §6: chip or active authentication)."""

    VALID = "VALID"
    INVALID = "INVALID"  # the chip offers the protocol and fails it: a copy of a genuine chip's files
    NOT_SUPPORTED = "NOT_SUPPORTED"  # the chip does not offer it (or the kiosk does not speak its variant)


@dataclass(frozen=True)
class AccessKey:
    """The MRZ fields BAC derives its keys from (ICAO 9303-11 §4.3)."""

    document_number: str
    date_of_birth: str  # YYMMDD
    date_of_expiry: str  # YYMMDD

    def __repr__(self) -> str:
        return "AccessKey(<redacted>)"


@dataclass
class Identity:
    """Fields of an identity document plus the holder's photo exactly as stored on the chip."""

    document_number: str
    surname: str
    given_names: str
    nationality: str = ""
    date_of_birth: str = ""  # YYMMDD as on the MRZ, or YYYY-MM-DD for national ID cards
    sex: str = ""
    date_of_expiry: str = ""
    document_type: str = ""
    photo: bytes = b""
    photo_format: str = ""  # "jpeg" | "jpeg2000" | ""
    passive_auth: PassiveAuth = PassiveAuth.NOT_CHECKED
    passive_auth_detail: str = ""
    chip_auth: ChipCheck = ChipCheck.NOT_SUPPORTED
    chip_auth_detail: str = ""
    active_auth: ChipCheck = ChipCheck.NOT_SUPPORTED
    active_auth_detail: str = ""
    extra: dict[str, str] = field(default_factory=dict)  # DG11 and the like

    @property
    def full_name(self) -> str:
        """Name as printed on documents: surname first, as Chinese names are written."""
        if _is_cjk(self.surname + self.given_names):
            return f"{self.surname}{self.given_names}"
        return " ".join(p for p in (self.surname, self.given_names) if p)

    @property
    def national_name(self) -> str:
        """DG11's full name in national characters ('张<<三丰' -> '张三丰'), or '' when the chip has none."""
        return national_name(self.extra.get("full_name", ""))

    @property
    def display_name(self) -> str:
        """The name to show the holder: in Chinese characters when DG11 has them, else the MRZ's Latin name."""
        national = self.national_name
        return national if _is_cjk(national) else self.full_name

    @property
    def masked_document_number(self) -> str:
        """Document number safe for logs, screens and receipts."""
        return mask_document_number(self.document_number)

    def public_fields(self) -> dict[str, str]:
        """The identity's text fields (no photo), as `kiosk card read --json` prints them."""
        return {
            "document_number": self.document_number,
            "surname": self.surname,
            "given_names": self.given_names,
            "nationality": self.nationality,
            "date_of_birth": self.date_of_birth,
            "sex": self.sex,
            "date_of_expiry": self.date_of_expiry,
            "document_type": self.document_type,
        }

    def wipe(self) -> None:
        """Overwrite every personal field so that a lingering reference shows nothing."""
        self.document_number = ""
        self.surname = ""
        self.given_names = ""
        self.nationality = ""
        self.date_of_birth = ""
        self.sex = ""
        self.date_of_expiry = ""
        self.document_type = ""
        self.photo = b""
        self.photo_format = ""
        self.passive_auth = PassiveAuth.NOT_CHECKED
        self.passive_auth_detail = ""
        self.chip_auth, self.chip_auth_detail = ChipCheck.NOT_SUPPORTED, ""
        self.active_auth, self.active_auth_detail = ChipCheck.NOT_SUPPORTED, ""
        self.extra.clear()

    def __repr__(self) -> str:  # never let a traceback or log line print the holder's data
        return f"Identity(document_number={self.masked_document_number!r}, photo={len(self.photo)} bytes)"


def identity_from_fields(fields: dict[str, object]) -> Identity:
    """Build an Identity from the JSON shape `kiosk card read --json` prints (unknown keys ignored)."""
    known = {
        "document_number", "surname", "given_names", "nationality", "date_of_birth", "sex",
        "date_of_expiry", "document_type",
    }
    missing = [k for k in ("document_number", "surname") if not fields.get(k)]
    if missing:
        raise ValueError(f"identity is missing {', '.join(missing)}")
    values = {k: str(v) for k, v in fields.items() if k in known and v is not None}
    return Identity(**values)  # type: ignore[arg-type]  # only the str fields listed in `known`


def national_name(dg11_name: str) -> str:
    """DG11 5F0E text (ICAO 9303-10 §4.7.11: primary identifier '<<' secondary identifier, '<' between parts) as
    written: Chinese parts run together, surname first; Latin parts separated by spaces."""
    primary, _, secondary = dg11_name.partition("<<")
    parts = [p for p in (*primary.split("<"), *secondary.split("<")) if p.strip()]
    return ("" if _is_cjk(dg11_name) else " ").join(p.strip() for p in parts)


def _is_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
