"""Generic application form submitted to the district (`POST /api/v1/citizen/applications`).

Params: `application_type` (what the district files it under), `fields` (list of input definitions:
key, kind, label_zh, label_en, optional required/choices/max_length/default), optional `materials` (printed on
the copy as what to bring when collecting). Policy `queue`: offline, the application is kept and submitted by
the sync daemon once the citizen agrees."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from kiosk.documents.printable import PrintableDocument, Receipt
from kiosk.documents.sheet import SheetSpec, render_sheet
from kiosk.errors import DistrictUnavailable, ServiceError
from kiosk.services.api import (
    FieldKind,
    IdentityLevel,
    InputField,
    OfflinePolicy,
    ServiceContext,
    ServiceResult,
    TransactionDraft,
)
from kiosk.services.builtin.masking import mask_number, mask_phone
from kiosk.services.builtin.queueing import queued_result

APPLICATIONS_PATH = "/api/v1/citizen/applications"


def field_from_params(raw: Mapping[str, Any]) -> InputField:
    """An InputField from its catalog definition; ServiceError naming what is wrong."""
    try:
        choices = tuple((str(c[0]), str(c[1]), str(c[2])) for c in raw.get("choices") or ())
        return InputField(key=str(raw["key"]), kind=FieldKind(raw.get("kind", "text")),
                          label_zh=str(raw["label_zh"]), label_en=str(raw["label_en"]),
                          required=bool(raw.get("required", True)), choices=choices,
                          max_length=int(raw.get("max_length", 40)), default=str(raw.get("default", "")),
                          minimum=raw.get("minimum"), maximum=raw.get("maximum"))
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise ServiceError(f"bad field definition {raw!r}: {exc}") from exc


class ApplicationFormModule:
    id: ClassVar[str] = "application-form"
    title_zh: ClassVar[str] = "在线申请"
    title_en: ClassVar[str] = "Application"
    help_zh: ClassVar[str] = "填写申请信息并提交区政务服务中心，打印申请表副本和受理回执。"
    help_en: ClassVar[str] = "Fill in the application and submit it to the district; get a copy and a receipt."
    identity_level: ClassVar[IdentityLevel] = IdentityLevel.DOCUMENT_AND_FACE
    offline_policy: ClassVar[OfflinePolicy] = OfflinePolicy.QUEUE

    def inputs(self, params: Mapping[str, Any]) -> tuple[InputField, ...]:
        """The item's fields as declared in the catalog."""
        return tuple(field_from_params(f) for f in params.get("fields") or ())

    def run(self, context: ServiceContext) -> ServiceResult:
        """Submit; print a copy of the application and a receipt with the application number."""
        app_type = str(context.params.get("application_type") or context.item_id)
        fields = self.inputs(context.params)
        try:
            answer = context.district.post_json(APPLICATIONS_PATH, {
                "type": app_type, "document_number": context.identity.document_number,
                "holder_name": context.identity.full_name, "fields": dict(context.inputs),
                "kiosk_id": context.kiosk_id})
        except DistrictUnavailable:
            if not context.queue_offline:
                raise
            return queued_result(context, self.id, {"application_type": app_type, "fields": dict(context.inputs)},
                                 delivery_zh="联网后自动提交，办理结果短信通知")
        number = str(answer.get("application_number", ""))
        days = answer.get("expected_days")
        labels = {f.key: f for f in fields}
        shown = []
        for key, value in context.inputs.items():
            f = labels.get(key)
            if f is not None and f.kind is FieldKind.CHOICE:
                value = next((c[1] for c in f.choices if c[0] == value), value)
            elif f is not None and f.kind is FieldKind.PHONE:
                value = mask_phone(value)  # a copy may be left behind at the kiosk
            elif f is not None and f.kind is FieldKind.DIGITS and len(value) >= 12:
                value = mask_number(value)  # bank account and ID numbers
            shown.append((f"{f.label_zh} {f.label_en}" if f else key, value))
        now = context.clock()
        pdf = render_sheet(SheetSpec(
            title_zh=f"{context.item_title_zh}申请表（副本）", title_en=f"Application: {context.item_title_en} (copy)",
            office_name=context.office_name, kiosk_id=context.kiosk_id, issued_on=now.date().isoformat(),
            reference=number,
            fields=(("申请人 Applicant", context.identity.full_name),
                    ("证件号码 ID No.", context.identity.masked_document_number), *shown,
                    ("受理编号 Application No.", number), ("承诺时限 Processing time", f"{days} 个工作日" if days else "—"),
                    ("提交时间 Submitted", now.strftime("%Y-%m-%d %H:%M"))),
            sections=(("所需材料 Documents to bring", tuple(str(m) for m in context.params.get("materials") or
                                                          ("本人有效身份证件",))),)))
        return ServiceResult(
            documents=(PrintableDocument(kind="form", title=context.item_title_zh, pdf=pdf, serial=number),),
            transaction=TransactionDraft(status="completed", summary={
                "item": context.item_id, "application_type": app_type, "application_number": number,
                "document": context.identity.masked_document_number}),
            receipt=Receipt(title=f"受理回执 Receipt · {context.item_title_zh}",
                            lines=(("事项 Service", context.item_title_zh),
                                   ("证件号 ID", context.identity.masked_document_number),
                                   ("受理编号 Application", number),
                                   ("承诺时限 Time limit", f"{days} 个工作日" if days else "—")),
                            footer="申请已提交，办理结果将短信通知。The district will notify you by SMS."),
            message_zh=f"申请已提交，受理编号 {number}。", message_en=f"Application submitted: {number}.")
