"""社会保险参保缴费证明: the social-insurance contribution certificate, the kiosk's most used service.

Fetches the holder's contribution record from the district (`GET /api/v1/citizen/social-insurance/record`),
renders the A4 certificate with a signed verification QR code, and returns it with a receipt. When the district
is unreachable it raises DistrictUnavailable; once the citizen accepts queueing (`context.queue_offline`) it
returns a queued request and a claim receipt instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from contract.document_signing import new_serial
from kiosk.documents.certificate import CertificateSpec, Column
from kiosk.documents.issuing import issue_certificate
from kiosk.documents.printable import Receipt
from kiosk.documents.signing import DistrictDocumentSigner
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
from kiosk.services.builtin.queueing import queued_result

RECORD_PATH = "/api/v1/citizen/social-insurance/record"
STATUS_ZH = {"paid": "已缴", "arrears": "欠缴"}

COLUMNS = (
    Column("缴费年月", "Month", 20, "center"),
    Column("缴费基数", "Base", 22, "right"),
    Column("养老(个人)", "Pension (own)", 22, "right"),
    Column("养老(单位)", "Pension (employer)", 22, "right"),
    Column("医疗(个人)", "Medical (own)", 22, "right"),
    Column("医疗(单位)", "Medical (employer)", 22, "right"),
    Column("失业(个人)", "Unempl. (own)", 22, "right"),
    Column("状态", "Status", 14, "center"),
)


def _money(v: float) -> str:
    return f"{v:,.2f}"


class SocialInsuranceRecordModule:
    id: ClassVar[str] = "social-insurance-record"
    title_zh: ClassVar[str] = "社会保险参保缴费证明"
    title_en: ClassVar[str] = "Social insurance contribution certificate"
    help_zh: ClassVar[str] = "打印本人近36个月社会保险参保缴费证明，可扫码验证真伪。"
    help_en: ClassVar[str] = "Print your social insurance contributions of the last 36 months, verifiable by QR code."
    identity_level: ClassVar[IdentityLevel] = IdentityLevel.DOCUMENT
    offline_policy: ClassVar[OfflinePolicy] = OfflinePolicy.QUEUE

    def inputs(self, params: Mapping[str, Any]) -> tuple[InputField, ...]:
        """How many months to cover (default from the catalog item, 36)."""
        months = str(params.get("months", 36))
        return (InputField(key="months", kind=FieldKind.MONTHS, label_zh="查询月数", label_en="Months to cover",
                           required=False, default=months, max_length=2, minimum=1, maximum=36),)

    def run(self, context: ServiceContext) -> ServiceResult:
        """Fetch the record, issue the signed certificate; queue when offline and the citizen accepted it."""
        months = int(context.inputs.get("months") or context.params.get("months", 36))
        try:
            # POST: ID numbers never go in a URL (URLs end up in proxy and access logs)
            record = context.district.post_json(RECORD_PATH, {"document_number": context.identity.document_number,
                                                              "months": months})
            spec = self.certificate_spec(context, record, months)
            signer = context.signer or DistrictDocumentSigner(context.district)
            issued = issue_certificate(spec, context.identity.document_number, signer, context.item_id)
        except DistrictUnavailable:
            if not context.queue_offline:
                raise
            return queued_result(context, self.id, {"months": months})
        arrears = sum(1 for m in record["months"] if m.get("status") != "paid")
        receipt = Receipt(
            title=f"办理回执 Receipt · {self.title_zh}",
            lines=(("事项 Service", context.item_title_zh),
                   ("证件号 ID", context.identity.masked_document_number),
                   ("证明编号 Serial", spec.serial),
                   ("缴费月数 Months", str(len(record["months"]))),
                   ("办理时间 Time", context.clock().strftime("%Y-%m-%d %H:%M"))),
            footer="证明已打印，扫描证明上的二维码可验证真伪。The certificate carries a QR code for verification.")
        return ServiceResult(
            documents=(issued.document,),
            transaction=TransactionDraft(status="completed", summary={
                "item": context.item_id, "serial": spec.serial, "months": len(record["months"]),
                "arrears_months": arrears, "document": context.identity.masked_document_number}),
            receipt=receipt,
            message_zh="缴费证明已生成，请取走打印件。", message_en="Your certificate is ready; please take the printout.")

    def certificate_spec(self, context: ServiceContext, record: Mapping[str, Any], months: int) -> CertificateSpec:
        """The certificate's content from the district's record (raises ServiceError when it is malformed)."""
        try:
            rows = tuple((m["month"], _money(m["base"]), _money(m["pension_personal"]),
                          _money(m["pension_employer"]), _money(m["medical_personal"]),
                          _money(m["medical_employer"]), _money(m["unemployment_personal"]),
                          STATUS_ZH.get(m["status"], m["status"])) for m in record["months"])
            employer = str(record["employer"])
            since = str(record["insured_since"])
            kinds = "、".join(record.get("insurance_types") or ())
            total = float(record["total_personal"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ServiceError(f"malformed social-insurance record: {exc}") from exc
        issued_on = context.clock().date().isoformat()
        period = f"{rows[0][0]} — {rows[-1][0]}" if rows else "—"
        identity = context.identity
        return CertificateSpec(
            kind=self.id, title_zh="社会保险个人参保缴费证明",
            title_en="Certificate of Social Insurance Contributions",
            serial=new_serial(context.kiosk_id, issued_on, "SI"), issued_on=issued_on,
            office_name=context.office_name, district_name=context.district_name, kiosk_id=context.kiosk_id,
            holder_name=identity.full_name,
            holder_fields=(("证件号码 ID No.", identity.masked_document_number), ("参保单位 Employer", employer),
                           ("参保日期 Insured since", since), ("参保险种 Insurance", kinds), ("缴费期间 Period", period)),
            columns=COLUMNS, rows=rows, table_title=f"近{len(rows)}个月缴费明细 (元) / Contributions of the last "
                                                    f"{len(rows)} months (CNY)",
            summary_fields=(("个人缴费合计 Personal contributions in total", f"¥{total:,.2f}"),
                            ("欠缴月数 Months in arrears", str(sum(1 for r in rows if r[-1] != "已缴")))),
            notes=("本证明依据社会保险经办机构信息系统记录出具，数据截至出具日期，仅证明所列期间的参保缴费情况。"
                   "证件号码已作隐藏处理。",
                   "This certificate reflects the social insurance records on the date of issue. The ID number is "
                   "partly masked. Verify it by scanning the QR code; alterations void it."),
            highlight_rows=frozenset(n for n, r in enumerate(rows) if r[-1] != "已缴"),
        )
