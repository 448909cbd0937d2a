"""The base of every error the kiosk and the district expect and handle.

Each error carries `message_key`, which a terminal looks up in its translations to show the citizen a kind
sentence, and `detail`, which goes to the logs. The kiosk's own errors (kiosk.errors) derive from this class,
so one `except ContractError` on either side also catches the contract's errors (a catalog that fails validation).
"""

from __future__ import annotations


class ContractError(Exception):
    """An expected, handled failure with a citizen-facing message key."""

    message_key = "error.generic"
    retryable = False

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.__class__.__name__)
        self.detail = detail
