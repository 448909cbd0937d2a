"""Running one catalog item for one citizen: the code path shared by the shell and `kiosk service run`.

Validate the inputs against the module's fields, check the identity level, build the narrow ServiceContext, run
the module, record the transaction (with its outbox row) when a store is given, and complete the receipt with
the tracking number the store assigned. DistrictUnavailable propagates so the caller can offer queueing
(`queue_offline=True` on the second call) for modules whose policy is `queue`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from contract.catalog.model import CatalogItem
from contract.privacy import HOLDER_DIGEST_PATH
from kiosk.core.identity import Identity
from kiosk.documents.printable import Receipt
from kiosk.errors import InputInvalid, ServiceError
from kiosk.services.api import (
    DistrictClient,
    IdentityLevel,
    InputField,
    OfflinePolicy,
    ServiceContext,
    ServiceModule,
    ServiceResult,
)
from kiosk.services.registry import ModuleRegistry


@dataclass(frozen=True)
class RunOutcome:
    item_id: str
    module_id: str
    result: ServiceResult
    receipt: Receipt | None  # the module's receipt with the tracking number filled in
    transaction_id: str = ""
    tracking_number: str = ""

    def as_json(self) -> dict[str, Any]:
        """The transaction as `kiosk service run` prints it (masked summary, no personal request data)."""
        t = self.result.transaction
        return {"item_id": self.item_id, "module": self.module_id, "status": t.status, "summary": t.summary,
                "queued_request": bool(t.request), "transaction_id": self.transaction_id,
                "tracking_number": self.tracking_number,
                "documents": [{"kind": d.kind, "title": d.title, "serial": d.serial, "bytes": len(d.pdf)}
                              for d in self.result.documents],
                "message_zh": self.result.message_zh, "message_en": self.result.message_en}


class TransactionRecorder(Protocol):
    """What the runner needs from kiosk.store.transactions.TransactionStore."""

    def record(self, *, item_id: str, module_id: str, status: str, holder: str, summary: dict[str, Any],
               request: dict[str, Any] | None = None, now: dt.datetime | None = None) -> Any: ...


@dataclass
class ServiceRunner:
    registry: ModuleRegistry
    district: DistrictClient
    kiosk_id: str
    office_name: str
    district_name: str
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now().astimezone()
    signer: Any = None  # contract.document_signing.DocumentSigner; None: the district signs
    store: TransactionRecorder | None = None
    language: str = "zh_CN"

    def module_for(self, item: CatalogItem) -> ServiceModule:
        """The module serving `item`; ServiceError when it is not installed."""
        module = self.registry.get(item.module)
        if module is None:
            raise ServiceError(f"item {item.id}: module {item.module!r} is not installed")
        return module

    def inputs_for(self, item: CatalogItem) -> tuple[InputField, ...]:
        """The fields the shell asks for this item."""
        return tuple(self.module_for(item).inputs(item.params))

    def validate(self, item: CatalogItem, raw: Mapping[str, str]) -> dict[str, str]:
        """Normalised inputs; raises InputInvalid naming the first bad field (unknown keys are refused too)."""
        fields = self.inputs_for(item)
        known = {f.key for f in fields}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise InputInvalid(unknown[0], "not an input of this service")
        return {f.key: f.validate(str(raw.get(f.key, ""))) for f in fields}

    def run(self, item: CatalogItem, identity: Identity, raw_inputs: Mapping[str, str], *,
            face_verified: bool = False, queue_offline: bool = False) -> RunOutcome:
        """Run `item` for `identity`; record and complete the receipt. Raises DistrictUnavailable (offer
        queueing when `offline_policy(item)` is QUEUE), InputInvalid, ServiceError."""
        module = self.module_for(item)
        if module.identity_level is IdentityLevel.DOCUMENT_AND_FACE and not face_verified:
            raise ServiceError(f"item {item.id} needs a matched face check")
        inputs = self.validate(item, raw_inputs)
        context = ServiceContext(
            identity=identity, inputs=inputs, params=item.params, item_id=item.id, item_title_zh=item.title_zh,
            item_title_en=item.title_en, department=item.department, district=self.district, clock=self.clock,
            kiosk_id=self.kiosk_id, office_name=self.office_name, district_name=self.district_name,
            language=self.language, face_verified=face_verified, signer=self.signer,
            # never queued when the catalog forbids it, whoever asked
            queue_offline=queue_offline and self.offline_policy(item) is OfflinePolicy.QUEUE)
        result = module.run(context)
        tx_id, tn = "", ""
        if self.store is not None:
            t = result.transaction
            stored = self.store.record(item_id=item.id, module_id=module.id, status=t.status,
                                       holder=self.holder_reference(identity, t.status), summary=dict(t.summary),
                                       request=dict(t.request) or None, now=self.clock())
            tx_id, tn = stored.id, stored.tracking_number
        return RunOutcome(item_id=item.id, module_id=module.id, result=result,
                          receipt=complete_receipt(result.receipt, tn), transaction_id=tx_id, tracking_number=tn)

    def holder_reference(self, identity: Identity, status: str) -> str:
        """The district's keyed digest of the holder's number (contract.privacy.holder_digest: the kiosk never holds
        the key), or "" when there is none to be had: a queued transaction (the district is unreachable; the
        queued request carries the number to it) or a district that cannot answer now."""
        if status == "queued":
            return ""
        try:
            holder = str(self.district.post_json(HOLDER_DIGEST_PATH,
                                                 {"document_number": identity.document_number})["holder"])
        except (ServiceError, KeyError, TypeError):
            return ""
        return holder if len(holder) == 64 and all(ch in "0123456789abcdef" for ch in holder) else ""

    def offline_policy(self, item: CatalogItem) -> OfflinePolicy:
        """The offline policy of `item`: its module's, or the item's own where that is stricter."""
        return effective_offline_policy(self.module_for(item).offline_policy, item)


_LENIENCY = {OfflinePolicy.ONLINE: 0, OfflinePolicy.QUEUE: 1, OfflinePolicy.LOCAL: 2}


def effective_offline_policy(module_policy: OfflinePolicy, item: CatalogItem) -> OfflinePolicy:
    """The stricter of the module's policy and the catalog item's `offline_policy` (catalog.schema.json): a
    catalog may forbid queueing an item whose module could queue it, never grant what the module cannot do."""
    if not item.offline_policy:
        return module_policy
    return min(module_policy, OfflinePolicy(item.offline_policy), key=_LENIENCY.__getitem__)


def complete_receipt(receipt: Receipt | None, tracking_number: str) -> Receipt | None:
    """The receipt with the tracking number (and, when it has no QR of its own, a QR of that number)."""
    if receipt is None or not tracking_number:
        return receipt
    return dataclasses.replace(receipt, tracking_number=tracking_number,
                               qr_text=receipt.qr_text or tracking_number)
