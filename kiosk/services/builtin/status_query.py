"""Generic status query: the progress of the holder's application (`GET /api/v1/citizen/status`).

Params: `application_type`. Input: an optional application number. Policy `online`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from kiosk.documents.printable import Receipt
from kiosk.services.api import (
    FieldKind,
    IdentityLevel,
    InputField,
    OfflinePolicy,
    ServiceContext,
    ServiceResult,
    TransactionDraft,
)

STATUS_PATH = "/api/v1/citizen/status"


class StatusQueryModule:
    id: ClassVar[str] = "status-query"
    title_zh: ClassVar[str] = "办理进度查询"
    title_en: ClassVar[str] = "Application status"
    help_zh: ClassVar[str] = "查询本人申请事项的办理进度。"
    help_en: ClassVar[str] = "See how far your application has got."
    identity_level: ClassVar[IdentityLevel] = IdentityLevel.DOCUMENT
    offline_policy: ClassVar[OfflinePolicy] = OfflinePolicy.ONLINE

    def inputs(self, params: Mapping[str, Any]) -> tuple[InputField, ...]:
        """An optional application number (else the latest application of this type)."""
        return (InputField("reference", FieldKind.TEXT, "受理编号（可不填）", "Application number (optional)",
                           required=False, max_length=24),)

    def run(self, context: ServiceContext) -> ServiceResult:
        """Ask the district and print the steps reached on the receipt."""
        app_type = str(context.params.get("application_type") or context.item_id)
        status = context.district.post_json(STATUS_PATH, {  # POST: ID numbers never go in a URL
            "type": app_type, "document_number": context.identity.document_number,
            "reference": context.inputs.get("reference", "")})
        steps = tuple((str(s.get("date", "")), f"{s.get('label_zh', '')} {s.get('label_en', '')}")
                      for s in status.get("steps", ()))
        receipt = Receipt(
            title=f"进度查询 Status · {context.item_title_zh}",
            lines=(("受理编号 Application", str(status.get("reference", ""))),
                   ("当前状态 Status", f"{status.get('status_zh', '')} {status.get('status_en', '')}"), *steps),
            footer="如有疑问请拨打12345政务服务热线。Questions: call 12345.")
        return ServiceResult(
            documents=(),
            transaction=TransactionDraft(status="completed", summary={
                "item": context.item_id, "application_type": app_type, "result": status.get("status", "")}),
            receipt=receipt, message_zh=f"当前状态：{status.get('status_zh', '')}",
            message_en=f"Status: {status.get('status_en', '')}")
