"""A call for help from a kiosk to the district's staff queue (`POST /api/v1/help-requests`).

It says which terminal needs someone and at which step of the citizen's session: never who the citizen is.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class HelpRequest(BaseModel):
    model_config = ConfigDict(extra="allow")
    kind: str = Field(default="help", max_length=32)
    state: str | None = Field(default=None, max_length=32, description="the session step the citizen is at")
    item_id: str | None = Field(default=None, max_length=64)
    message: str = Field(default="", max_length=500)
