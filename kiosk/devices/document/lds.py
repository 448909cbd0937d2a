"""From the raw LDS files to the kiosk's Identity: DG1's MRZ, DG2's face, DG11's and DG12's extra details."""

from __future__ import annotations

from kiosk.core.identity import Identity
from kiosk.devices.document import dg2, tlv
from kiosk.devices.document.emrtd import DocumentFiles
from kiosk.devices.document.mrz import MrzData, parse_mrz
from kiosk.devices.document.personal_details import parse_dg11, parse_dg12
from kiosk.errors import MalformedCardData

__all__ = ["identity_from_files", "parse_dg1", "parse_dg11", "parse_dg12"]


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


def identity_from_files(files: DocumentFiles) -> Identity:
    """The Identity of a read document (passive authentication is filled in by the caller)."""
    mrz = parse_dg1(files.data_groups[1])
    face = dg2.parse_dg2(files.data_groups[2])
    extra: dict[str, str] = {}
    for number, parse in ((11, parse_dg11), (12, parse_dg12)):
        if number in files.data_groups:
            try:
                extra.update(parse(files.data_groups[number]))
            except MalformedCardData:
                pass  # DG11/DG12 are optional: a malformed one costs its details, not the read (PA still hashes it)
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
