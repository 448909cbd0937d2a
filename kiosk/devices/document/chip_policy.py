"""Whether a read chip is genuine enough for this kiosk: the configured policy over CA and AA results.

A chip that offers chip or active authentication and fails it (INVALID) holds genuine files without their
private key: a clone, refused whenever `block_invalid` is on (as an INVALID passive authentication is).
`require_chip` additionally demands a VALID result: "chip_auth", "active_auth", or "either" of them; a chip
that offers neither (NOT_SUPPORTED) is then refused too.
"""

from __future__ import annotations

from kiosk.config import DocumentConfig
from kiosk.core.identity import ChipCheck, Identity


def chip_refusal(identity: Identity, config: DocumentConfig) -> str | None:
    """Why the policy refuses this chip (for logs and staff), or None when it passes."""
    results = {"chip_auth": (identity.chip_auth, identity.chip_auth_detail),
               "active_auth": (identity.active_auth, identity.active_auth_detail)}
    if config.block_invalid:
        for name, (status, detail) in results.items():
            if status is ChipCheck.INVALID:
                return f"{name} INVALID: {detail}"
    wanted = {"none": (), "chip_auth": ("chip_auth",), "active_auth": ("active_auth",),
              "either": ("chip_auth", "active_auth")}[config.require_chip]
    if wanted and not any(results[name][0] is ChipCheck.VALID for name in wanted):
        shown = "; ".join(f"{name} {results[name][0].value}: {results[name][1]}" for name in wanted)
        return f"policy requires {' or '.join(wanted)} ({shown})"
    return None
