"""What a `queue` module returns when the citizen accepts queueing while the district is unreachable.

The transaction is stored as 'queued' with a `request`; the sync daemon delivers it with the other transactions,
and the district registers the request when it stores the transaction and submits it to the department once
(district.citizen_requests), under the tracking number of the citizen's claim receipt (filled in by the runner
once the store has assigned it). Once delivered, the kiosk keeps no personal data of it (kiosk.store.redaction).
"""

from __future__ import annotations

from typing import Any

from kiosk.documents.printable import Receipt
from kiosk.services.api import ServiceContext, ServiceResult, TransactionDraft

REQUESTS_PATH = "/api/v1/citizen/requests"


def queued_result(context: ServiceContext, module_id: str, request_fields: dict[str, Any],
                  summary: dict[str, Any] | None = None, delivery_zh: str = "办结后凭回执到窗口领取或在本机补打",
                  delivery_en: str = "Collect at the counter or reprint here with this receipt") -> ServiceResult:
    """A 'queued' result with a claim receipt; `request_fields` are the module's own fields of the request."""
    now = context.clock()
    request = {
        "path": REQUESTS_PATH,
        "type": context.item_id,
        "module": module_id,
        "document_number": context.identity.document_number,  # the district must know whose request it is
        "holder_name": context.identity.full_name,
        "accepted_at": now.isoformat(timespec="seconds"),
        "kiosk_id": context.kiosk_id,
        **request_fields,
    }
    receipt = Receipt(
        title=f"受理回执 Claim receipt · {context.item_title_zh}",
        lines=(("事项 Service", context.item_title_zh),
               ("证件号 ID", context.identity.masked_document_number),
               ("状态 Status", "已受理，待提交区中心 Queued for the district"),
               ("受理时间 Accepted", now.strftime("%Y-%m-%d %H:%M")),
               ("领取 Delivery", delivery_zh)),
        footer=f"区政务服务中心网络暂不可用，您的申请已保存，联网后自动提交。{delivery_en}.",
    )
    return ServiceResult(
        documents=(),
        transaction=TransactionDraft(status="queued", summary={"item": context.item_id,
                                                                 "document": context.identity.masked_document_number,
                                                                 **(summary or {})},
                                     request=request),
        receipt=receipt,
        message_zh="区政务服务中心暂时无法连接，您的申请已排队，联网后自动提交。请保留受理回执。",
        message_en="The district server is unreachable: your request is queued and will be submitted "
                   "automatically. Keep the claim receipt.",
    )
