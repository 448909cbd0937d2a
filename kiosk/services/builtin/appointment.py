"""Generic counter appointment booking (`GET .../appointments/slots`, `POST .../appointments`).

Params: `service` (the district's service code). Inputs: date, morning/afternoon, phone. Policy `online`: a
booking is only real when the district confirms it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, ClassVar

from kiosk.documents.printable import Receipt
from kiosk.errors import InputInvalid
from kiosk.services.api import (
    FieldKind,
    IdentityLevel,
    InputField,
    OfflinePolicy,
    ServiceContext,
    ServiceResult,
    TransactionDraft,
)
from kiosk.services.builtin.masking import mask_phone

SLOTS_PATH = "/api/v1/citizen/appointments/slots"
BOOK_PATH = "/api/v1/citizen/appointments"


class AppointmentModule:
    id: ClassVar[str] = "appointment-booking"
    title_zh: ClassVar[str] = "窗口预约"
    title_en: ClassVar[str] = "Counter appointment"
    help_zh: ClassVar[str] = "预约到政务服务中心窗口办理的日期和时段。"
    help_en: ClassVar[str] = "Book a date and time at a service counter."
    identity_level: ClassVar[IdentityLevel] = IdentityLevel.DOCUMENT
    offline_policy: ClassVar[OfflinePolicy] = OfflinePolicy.ONLINE

    def inputs(self, params: Mapping[str, Any]) -> tuple[InputField, ...]:
        """Date, period and a phone number for reminders."""
        return (InputField("date", FieldKind.DATE, "预约日期", "Date (YYYY-MM-DD)", max_length=10),
                InputField("period", FieldKind.CHOICE, "预约时段", "Period",
                           choices=(("am", "上午 09:00-12:00", "Morning"), ("pm", "下午 13:30-17:00", "Afternoon"))),
                InputField("phone", FieldKind.PHONE, "手机号码", "Mobile phone", max_length=13))

    def run(self, context: ServiceContext) -> ServiceResult:
        """Check the period is free, book it, print the appointment slip."""
        service = str(context.params.get("service") or context.item_id)
        date = context.inputs["date"]
        if dt.date.fromisoformat(date) <= context.clock().date():
            raise InputInvalid("date", "choose a day after today")
        slots = context.district.get_json(SLOTS_PATH, {"service": service, "date": date}).get("slots", [])
        free = {s.get("period"): int(s.get("free", 0)) for s in slots}
        if free.get(context.inputs["period"], 0) <= 0:
            raise InputInvalid("period", "no free appointment in that period" if slots else "closed that day")
        booking = context.district.post_json(BOOK_PATH, {
            "service": service, "document_number": context.identity.document_number, "date": date,
            "period": context.inputs["period"], "phone": context.inputs["phone"]})
        masked_phone = mask_phone(context.inputs["phone"])
        receipt = Receipt(
            title=f"预约凭条 Appointment · {context.item_title_zh}",
            lines=(("事项 Service", context.item_title_zh), ("证件号 ID", context.identity.masked_document_number),
                   ("日期 Date", str(booking.get("date", date))), ("时间 Time", str(booking.get("time", ""))),
                   ("窗口 Counter", str(booking.get("counter", ""))), ("地址 Address", str(booking.get("address", ""))),
                   ("手机 Phone", masked_phone), ("预约号 Confirmation", str(booking.get("confirmation", "")))),
            qr_text=str(booking.get("confirmation", "")),
            footer="请按预约时间携带身份证件到窗口办理，逾期预约自动取消。Bring your ID; late bookings lapse.")
        return ServiceResult(
            documents=(),
            transaction=TransactionDraft(status="completed", summary={
                "item": context.item_id, "service": service, "date": date, "period": context.inputs["period"],
                "confirmation": booking.get("confirmation", ""), "document": context.identity.masked_document_number}),
            receipt=receipt, message_zh=f"预约成功：{date} {booking.get('time', '')}，{booking.get('counter', '')}。",
            message_en=f"Booked: {date} {booking.get('time', '')}, {booking.get('counter', '')}.")
