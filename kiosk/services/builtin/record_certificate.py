"""Generic record certificate: any record the district keeps for a holder (housing fund deposits, tax paid,
registrations, allowances ...), printed as a signed A4 certificate. Catalog params: `record_type` (the
district's record endpoint `GET /api/v1/citizen/records/{record_type}`), optional `months`, optional `kind`
(serial prefix, default "RC")."""

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

RECORDS_PATH = "/api/v1/citizen/records/"


class RecordCertificateModule:
    id: ClassVar[str] = "record-certificate"
    title_zh: ClassVar[str] = "记录证明打印"
    title_en: ClassVar[str] = "Record certificate"
    help_zh: ClassVar[str] = "打印本人在相关部门的登记或缴存记录证明，可扫码验证真伪。"
    help_en: ClassVar[str] = "Print a certificate of your records held by a department, verifiable by QR code."
    identity_level: ClassVar[IdentityLevel] = IdentityLevel.DOCUMENT
    offline_policy: ClassVar[OfflinePolicy] = OfflinePolicy.QUEUE

    def inputs(self, params: Mapping[str, Any]) -> tuple[InputField, ...]:
        """A months field only when the item's record is a monthly one (`months` in params)."""
        if "months" not in params:
            return ()
        return (InputField(key="months", kind=FieldKind.MONTHS, label_zh="查询月数", label_en="Months to cover",
                           required=False, default=str(params["months"]), max_length=2, minimum=1, maximum=36),)

    def run(self, context: ServiceContext) -> ServiceResult:
        """Fetch the record and issue the signed certificate; queue when offline and accepted."""
        record_type = str(context.params.get("record_type", ""))
        if not record_type:
            raise ServiceError(f"item {context.item_id}: params.record_type missing")
        query: dict[str, Any] = {"document_number": context.identity.document_number}
        months = context.inputs.get("months") or context.params.get("months")
        if months:
            query["months"] = int(months)
        try:
            # POST: ID numbers never go in a URL (URLs end up in proxy and access logs)
            record = context.district.post_json(RECORDS_PATH + record_type, query)
            spec = self._spec(context, record)
            signer = context.signer or DistrictDocumentSigner(context.district)
            issued = issue_certificate(spec, context.identity.document_number, signer, context.item_id)
        except DistrictUnavailable:
            if not context.queue_offline:
                raise
            return queued_result(context, self.id, {"record_type": record_type, **({"months": int(months)}
                                                                                   if months else {})})
        receipt = Receipt(
            title=f"办理回执 Receipt · {context.item_title_zh}",
            lines=(("事项 Service", context.item_title_zh), ("证件号 ID", context.identity.masked_document_number),
                   ("证明编号 Serial", spec.serial), ("办理时间 Time", context.clock().strftime("%Y-%m-%d %H:%M"))),
            footer="证明已打印，可扫描证明上的二维码验证真伪。")
        return ServiceResult(
            documents=(issued.document,),
            transaction=TransactionDraft(status="completed", summary={
                "item": context.item_id, "record_type": record_type, "serial": spec.serial,
                "document": context.identity.masked_document_number}),
            receipt=receipt, message_zh="证明已生成，请取走打印件。", message_en="Your certificate is ready.")

    def _spec(self, context: ServiceContext, record: Mapping[str, Any]) -> CertificateSpec:
        try:
            columns = tuple(Column(str(c[0]), str(c[1]), float(c[2]), str(c[3])) for c in record.get("columns", ()))
            rows = tuple(tuple(str(v) for v in r) for r in record.get("rows", ()))
            fields = tuple((str(f[0]), str(f[1])) for f in record.get("fields", ()))
            summary = tuple((str(f[0]), str(f[1])) for f in record.get("summary", ()))
            title_zh, title_en = str(record.get("title_zh") or context.item_title_zh), str(
                record.get("title_en") or context.item_title_en)
        except (TypeError, ValueError, IndexError) as exc:
            raise ServiceError(f"malformed record: {exc}") from exc
        issued_on = context.clock().date().isoformat()
        identity = context.identity
        return CertificateSpec(
            kind=f"record:{record.get('record_type', '')}", title_zh=title_zh, title_en=title_en,
            serial=new_serial(context.kiosk_id, issued_on, str(context.params.get("kind", "RC"))),
            issued_on=issued_on, office_name=context.office_name, district_name=context.district_name,
            kiosk_id=context.kiosk_id,
            holder_name=identity.full_name,
            holder_fields=(("证件号码 ID No.", identity.masked_document_number), *fields),
            columns=columns, rows=rows, table_title="记录明细 Details" if rows else "", summary_fields=summary,
            notes=(f"本证明依据{context.department or '相关部门'}信息系统记录出具，数据截至出具日期。证件号码已作隐藏处理。",
                   "Issued from the department's records on the date of issue. Verify it by scanning the QR code."))
