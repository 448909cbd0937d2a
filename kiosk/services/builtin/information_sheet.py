"""Generic information sheet (办事指南): a printed guide to a service, from the catalog item's params alone.

Params (all optional): `materials` (list), `steps` (list), `time_limit`, `fee`, `counter`, `phone`, `basis`,
`notes` (list). Needs nothing remote (`local`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from kiosk.documents.printable import PrintableDocument, Receipt
from kiosk.documents.sheet import SheetSpec, render_sheet
from kiosk.services.api import IdentityLevel, InputField, OfflinePolicy, ServiceContext, ServiceResult, TransactionDraft


class InformationSheetModule:
    id: ClassVar[str] = "information-sheet"
    title_zh: ClassVar[str] = "办事指南打印"
    title_en: ClassVar[str] = "Service guide"
    help_zh: ClassVar[str] = "打印该事项的办事指南：所需材料、办理流程、时限和地点。"
    help_en: ClassVar[str] = "Print the guide to this service: documents needed, steps, time limit and place."
    identity_level: ClassVar[IdentityLevel] = IdentityLevel.DOCUMENT
    offline_policy: ClassVar[OfflinePolicy] = OfflinePolicy.LOCAL

    def inputs(self, params: Mapping[str, Any]) -> tuple[InputField, ...]:
        """No inputs: everything comes from the catalog."""
        return ()

    def run(self, context: ServiceContext) -> ServiceResult:
        """Render the guide."""
        p = context.params
        fields = [("办理部门 Department", context.department)]
        for key, label in (("time_limit", "办理时限 Time limit"), ("fee", "收费标准 Fee"),
                           ("counter", "办理地点 Where"), ("phone", "咨询电话 Enquiries"), ("basis", "办理依据 Basis")):
            if p.get(key):
                fields.append((label, str(p[key])))
        sections = []
        for key, heading in (("materials", "一、申请材料 Documents needed"), ("steps", "二、办理流程 Steps"),
                             ("notes", "三、注意事项 Notes")):
            values = [str(v) for v in p.get(key) or ()]
            if values:
                sections.append((heading, tuple(f"{n}. {v}" for n, v in enumerate(values, 1))))
        today = context.clock().date().isoformat()
        pdf = render_sheet(SheetSpec(title_zh=f"{context.item_title_zh}办事指南" if "指南" not in
                                     context.item_title_zh else context.item_title_zh,
                                     title_en=context.item_title_en if context.item_title_en.startswith("Guide")
                                     else f"Guide: {context.item_title_en}", office_name=context.office_name,
                                     kiosk_id=context.kiosk_id, issued_on=today, fields=tuple(fields),
                                     sections=tuple(sections)))
        return ServiceResult(
            documents=(PrintableDocument(kind="form", title=context.item_title_zh, pdf=pdf),),
            transaction=TransactionDraft(status="completed", summary={"item": context.item_id}),
            receipt=Receipt(title=f"办理回执 Receipt · {context.item_title_zh}",
                            lines=(("事项 Service", context.item_title_zh),
                                   ("时间 Time", context.clock().strftime("%Y-%m-%d %H:%M"))),
                            footer="办事指南已打印。The guide has been printed."),
            message_zh="办事指南已打印。", message_en="The guide has been printed.")
