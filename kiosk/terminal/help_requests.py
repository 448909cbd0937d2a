"""Calling the district's staff queue for a citizen who asked for help (no personal data in the call)."""

from __future__ import annotations

from contract.help_request import HelpRequest
from kiosk.services.api import DistrictClient

HELP_PATH = "/api/v1/help-requests"


def send_help_request(district: DistrictClient, state: str, item_id: str | None) -> None:
    """Post the call; raises the client's KioskError when the district cannot be reached."""
    district.post_json(HELP_PATH, HelpRequest(kind="help", state=state, item_id=item_id).model_dump(mode="json"))
