"""The district's refusal of a kiosk's request, in a shape a kiosk can act on without reading prose.

Every refusal of the district is FastAPI's JSON body `{"detail": "<sentence for people>"}`; a refusal the kiosk
must act on also carries a machine-readable `code`:

    403 {"detail": "kiosk 'K1' is revoked", "code": "kiosk-revoked"}

`kiosk-revoked` is answered to every signed request of a revoked kiosk and to its enrollment: nothing it sends is
stored, now or later, so the kiosk stops sending (no retries) and goes out of service until an operator re-admits
it (`kiosk-district kiosk readmit NAME`: a new one-time token, the old key void).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

KIOSK_REVOKED = "kiosk-revoked"


class RefusalAnswer(BaseModel):
    """The JSON body of a refused request."""

    detail: str = Field(description="why, in a sentence for the operator's log")
    code: str | None = Field(default=None, description="machine-readable reason, e.g. 'kiosk-revoked'")


def refusal_code(body: Any) -> str | None:
    """The `code` of a refusal's decoded JSON body, or None when it has none (or is not a refusal body)."""
    if isinstance(body, dict) and isinstance(body.get("code"), str):
        return str(body["code"])
    return None
