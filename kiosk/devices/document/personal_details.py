"""DG11 (additional personal details) and DG12 (additional document details), ICAO 9303-10 §4.7.11 / §4.7.12.

Both are a template (6B / 6C) holding a tag list (5C) and the optional data elements it names, text in UTF-8
(national characters allowed, '<' separating name parts as in the MRZ). The kiosk keeps the text elements,
under the names below, in `Identity.extra`; images (proof of citizenship 5F16, document front/rear 5F1D/5F1E)
are not kept: the kiosk has no use for them and keeps no more personal data than it needs.
"""

from __future__ import annotations

from kiosk.devices.document import tlv
from kiosk.errors import MalformedCardData

DG11_TAG = 0x6B
DG12_TAG = 0x6C
OTHER_NAMES = 0xA0  # template: 02 (number of other names) then 5F0F per name; DG12 likewise with 5F1A
DG11_FIELDS = {
    0x5F0E: "full_name",  # full name of the holder in national characters: primary<<secondary
    0x5F10: "personal_number",
    0x5F2B: "full_date_of_birth",  # YYYYMMDD
    0x5F11: "place_of_birth",  # in national characters, parts separated by '<'
    0x5F42: "address",  # permanent address, parts separated by '<'
    0x5F12: "telephone",
    0x5F13: "profession",
    0x5F14: "title",
    0x5F15: "personal_summary",
    0x5F17: "other_td_numbers",
    0x5F18: "custody_information",
}
DG11_OTHER_NAME = 0x5F0F
DG12_FIELDS = {
    0x5F19: "issuing_authority",
    0x5F26: "date_of_issue",  # YYYYMMDD
    0x5F1B: "endorsements",
    0x5F1C: "tax_exit_requirements",
    0x5F55: "personalization_time",  # YYYYMMDDhhmmss
    0x5F56: "personalization_system_serial",
}
DG12_OTHER_PERSON = 0x5F1A


def _text(value: bytes) -> str:
    return value.decode("utf-8", errors="replace")


def _parse(data: bytes, outer_tag: int, fields: dict[int, str], repeated: int, repeated_name: str,
           label: str) -> dict[str, str]:
    outer = tlv.read_tlv(data)
    if outer.tag != outer_tag:
        raise MalformedCardData(f"{label}: outer tag is not {outer_tag:X}")
    out: dict[str, str] = {}
    for item in tlv.parse_all(outer.value):
        if item.tag in fields:
            out[fields[item.tag]] = _text(item.value)
        elif item.tag == OTHER_NAMES:
            names = [_text(i.value) for i in tlv.parse_all(item.value) if i.tag == repeated]
            if names:
                out[repeated_name] = "; ".join(names)
    return out


def parse_dg11(dg11: bytes) -> dict[str, str]:
    """DG11's text elements by name; MalformedCardData when it is not a well-formed DG11."""
    return _parse(dg11, DG11_TAG, DG11_FIELDS, DG11_OTHER_NAME, "other_names", "DG11")


def parse_dg12(dg12: bytes) -> dict[str, str]:
    """DG12's text elements by name; MalformedCardData when it is not a well-formed DG12."""
    return _parse(dg12, DG12_TAG, DG12_FIELDS, DG12_OTHER_PERSON, "other_persons", "DG12")
