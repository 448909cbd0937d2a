"""From the raw LDS files to the kiosk's Identity: DG1's MRZ, DG2's face, DG11's extra personal details."""

from __future__ import annotations

from kiosk.core.identity import Identity
from kiosk.devices.document import dg2, tlv
from kiosk.devices.document.emrtd import DocumentFiles
from kiosk.devices.document.mrz import MrzData, parse_mrz
from kiosk.errors import MalformedCardData

# DG11 (ICAO 9303-10 §4.7.11) tags the kiosk shows or forwards, and their names in Identity.extra.
DG11_FIELDS = {
    0x5F0E: "full_name",
    0x5F10: "personal_number",
    0x5F2B: "full_date_of_birth",
    0x5F11: "place_of_birth",
    0x5F42: "address",
    0x5F12: "telephone",
    0x5F13: "profession",
}


def parse_dg1(dg1: bytes) -> MrzData:
    """The MRZ in DG1 (61 { 5F1F mrz })."""
    outer = tlv.read_tlv(dg1)
    if outer.tag != 0x61:
        raise MalformedCardData("DG1: outer tag is not 61")
    raw = tlv.find(outer.value, (0x5F1F,))
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError as exc:
        raise MalformedCardData("DG1: MRZ is not ASCII") from exc
    return parse_mrz(text)


def parse_dg11(dg11: bytes) -> dict[str, str]:
    """The DG11 fields the kiosk knows, as text ('<' as name separators kept as on the chip)."""
    outer = tlv.read_tlv(dg11)
    if outer.tag != 0x6B:
        raise MalformedCardData("DG11: outer tag is not 6B")
    out: dict[str, str] = {}
    for item in tlv.parse_all(outer.value):
        name = DG11_FIELDS.get(item.tag)
        if name:
            out[name] = item.value.decode("utf-8", errors="replace")
    return out


def identity_from_files(files: DocumentFiles) -> Identity:
    """The Identity of a read document (passive authentication is filled in by the caller)."""
    mrz = parse_dg1(files.data_groups[1])
    face = dg2.parse_dg2(files.data_groups[2])
    extra: dict[str, str] = {}
    if 11 in files.data_groups:
        try:
            extra = parse_dg11(files.data_groups[11])
        except MalformedCardData:
            extra = {}  # DG11 is optional: a malformed one costs its details, not the read (PA still hashes it)
    return Identity(
        document_number=mrz.document_number,
        surname=mrz.surname,
        given_names=mrz.given_names,
        nationality=mrz.nationality,
        date_of_birth=mrz.date_of_birth,
        sex=mrz.sex,
        date_of_expiry=mrz.date_of_expiry,
        document_type=mrz.document_code,
        photo=face.data,
        photo_format=face.format,
        extra=extra,
    )
