"""The service-module plugin API.

A service module is a class registered under the entry-point group `kiosk.services` (so a department can ship
its own package). It declares what it needs (identity level, typed inputs, offline policy) and does its work in
`run(context)`, which returns documents to print, a receipt and the transaction to record. Modules never see Qt,
devices or the database: only the narrow `ServiceContext`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, ClassVar, Protocol

from kiosk.core.identity import Identity
from kiosk.documents.printable import PrintableDocument, Receipt
from kiosk.errors import InputInvalid


class IdentityLevel(str, Enum):
    DOCUMENT = "document"  # the document read is enough
    DOCUMENT_AND_FACE = "document+face"  # the face check must have matched


class OfflinePolicy(str, Enum):
    ONLINE = "online"  # needs the district server now
    QUEUE = "queue"  # accepted offline, submitted later by the sync daemon
    LOCAL = "local"  # needs nothing remote


class FieldKind(str, Enum):
    TEXT = "text"
    DIGITS = "digits"
    PHONE = "phone"
    DATE = "date"  # YYYY-MM-DD
    CHOICE = "choice"
    MONTHS = "months"  # a count of months, e.g. how far back a record goes


@dataclass(frozen=True)
class InputField:
    """One typed input a module asks the citizen for; the shell renders it with the touch keyboard."""

    key: str
    kind: FieldKind
    label_zh: str
    label_en: str
    required: bool = True
    choices: tuple[tuple[str, str, str], ...] = ()  # (value, label_zh, label_en) for CHOICE
    max_length: int = 40
    default: str = ""
    minimum: int | None = None
    maximum: int | None = None

    def validate(self, raw: str) -> str:
        """Return the normalised value or raise InputInvalid naming this field."""
        value = raw.strip()
        if not value:
            if self.required and not self.default:
                raise InputInvalid(self.key, "required")
            return self.default
        if len(value) > self.max_length:
            raise InputInvalid(self.key, f"longer than {self.max_length}")
        if self.kind is FieldKind.DIGITS and not value.isdigit():
            raise InputInvalid(self.key, "digits only")
        if self.kind is FieldKind.PHONE and not re.fullmatch(r"1\d{10}|0\d{2,3}-?\d{7,8}", value):
            raise InputInvalid(self.key, "not a phone number")
        if self.kind is FieldKind.DATE:
            try:
                dt.date.fromisoformat(value)
            except ValueError as exc:
                raise InputInvalid(self.key, "not a date (YYYY-MM-DD)") from exc
        if self.kind is FieldKind.CHOICE and value not in {c[0] for c in self.choices}:
            raise InputInvalid(self.key, "not one of the choices")
        if self.kind is FieldKind.MONTHS:
            if not value.isdigit():
                raise InputInvalid(self.key, "a number of months")
            n = int(value)
            if (self.minimum is not None and n < self.minimum) or (self.maximum is not None and n > self.maximum):
                raise InputInvalid(self.key, f"between {self.minimum} and {self.maximum}")
        return value


class DistrictClient(Protocol):
    """What modules may ask the district server (see kiosk.link.district_client for the HTTP implementation)."""

    def get_json(self, path: str, params: Mapping[str, str] | None = None) -> Any: ...

    def post_json(self, path: str, body: Any) -> Any: ...


@dataclass
class ServiceContext:
    """Everything a module may use; nothing else."""

    identity: Identity
    inputs: dict[str, str]
    params: Mapping[str, Any]  # the catalog item's parameters
    item_id: str
    item_title_zh: str
    item_title_en: str
    department: str
    district: DistrictClient
    clock: Callable[[], dt.datetime]
    kiosk_id: str
    office_name: str
    district_name: str
    language: str = "zh_CN"
    face_verified: bool = False
    signer: Any = None  # contract.document_signing.DocumentSigner; None = ask the district (DistrictDocumentSigner)
    # The citizen accepted queueing after run() raised DistrictUnavailable: a `queue` module then returns a
    # 'queued' transaction (with the `request` the sync daemon submits) and a claim receipt instead of raising.
    queue_offline: bool = False


@dataclass(frozen=True)
class TransactionDraft:
    """The transaction a run produced, before the store gives it an id and a sequence number."""

    status: str  # completed | queued | failed
    summary: dict[str, Any]  # masked, minimal: what the district needs to act on
    request: dict[str, Any] = field(default_factory=dict)  # for queued requests: what the sync daemon submits


@dataclass(frozen=True)
class ServiceResult:
    documents: tuple[PrintableDocument, ...]
    transaction: TransactionDraft
    receipt: Receipt | None = None
    message_zh: str = ""
    message_en: str = ""


class ServiceModule(Protocol):
    id: ClassVar[str]
    title_zh: ClassVar[str]
    title_en: ClassVar[str]
    help_zh: ClassVar[str]
    help_en: ClassVar[str]
    identity_level: ClassVar[IdentityLevel]
    offline_policy: ClassVar[OfflinePolicy]

    def inputs(self, params: Mapping[str, Any]) -> tuple[InputField, ...]:
        """The fields to ask for, given the catalog item's parameters."""
        ...

    def run(self, context: ServiceContext) -> ServiceResult:
        """Do the work. Raises DistrictUnavailable when an `online` module cannot reach the district."""
        ...
