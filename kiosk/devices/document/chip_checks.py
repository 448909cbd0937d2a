"""Is the chip genuine? Active Authentication, then Chip Authentication, when the chip offers them.

Runs once DG14 and DG15 are read, before the other data groups, on the open BAC channel: DG15 (AA key), DG14
(CA keys, and the hash of ECDSA AA). AA goes first because CA replaces the session keys; after a successful CA
the read goes on under the chip-authenticated keys. Both results are independent; a chip that offers neither
gets NOT_SUPPORTED twice. DG14 and DG15 are only trusted as far as passive authentication (which hashes them with
the other data groups) later says.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.core.identity import ChipCheck
from kiosk.devices.document.active_authentication import active_authentication
from kiosk.devices.document.apdu import Transport
from kiosk.devices.document.chip_authentication import ChipCheckResult, chip_authentication
from kiosk.devices.document.secure_messaging import SecureChannel
from kiosk.devices.document.security_infos import ChipSecurity, parse_dg14, parse_dg15
from kiosk.errors import MalformedCardData


@dataclass(frozen=True)
class ChipChecks:
    chip_auth: ChipCheckResult
    active_auth: ChipCheckResult


def check_chip(transport: Transport, channel: SecureChannel, data_groups: dict[int, bytes], com: bytes,
               chunk: int) -> tuple[ChipChecks, SecureChannel | None]:
    """AA with DG15's key, then CA with DG14's; and the channel to go on reading with: the chip-authenticated
    one, `channel` itself when CA did not touch it, or None when the BAC session is gone (CA failed)."""
    security, dg14_problem = ChipSecurity(), ""
    if 14 in data_groups:
        try:
            security = parse_dg14(data_groups[14])
        except MalformedCardData as exc:
            dg14_problem = f"DG14 unreadable: {exc.detail}"
    if 15 not in data_groups:
        aa = ChipCheckResult(ChipCheck.NOT_SUPPORTED, "the chip offers no active authentication (no DG15)")
    else:
        try:
            key = parse_dg15(data_groups[15])
            aa = active_authentication(channel, key, security.active_authentication_hash)
        except MalformedCardData as exc:
            aa = ChipCheckResult(ChipCheck.INVALID, f"DG15 unreadable: {exc.detail}")
    if dg14_problem:
        ca = ChipCheckResult(ChipCheck.INVALID, dg14_problem)
    elif 14 not in data_groups:
        ca = ChipCheckResult(ChipCheck.NOT_SUPPORTED, "the chip offers no chip authentication (no DG14)")
    else:
        outcome = chip_authentication(transport, channel, security, com, chunk)
        ca = outcome.result
        if outcome.channel is not None:
            return ChipChecks(ca, aa), outcome.channel
    return ChipChecks(ca, aa), (channel if channel.active else None)
