"""Deterministic demo data for any identity, seeded by the document number (only with `serve --demo`).

The same document number always yields the same employer, contribution base and 36-month history, so demos,
screenshots and tests are reproducible without a real social-insurance database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import asdict, dataclass

EMPLOYERS = (
    "杭州市上城区湖滨街道社区卫生服务中心", "浙江钱江数据科技有限公司", "杭州南宋御街文化发展有限公司",
    "杭州清波物业管理有限公司", "杭州市上城区望江小学", "浙江之江建设工程有限公司",
)
# Employee/employer shares of the contribution base, Hangzhou 2019-era rates.
RATES = {"pension": (0.08, 0.14), "medical": (0.02, 0.099), "unemployment": (0.005, 0.005),
         "injury": (0.0, 0.002), "maternity": (0.0, 0.0)}


@dataclass(frozen=True)
class MonthRow:
    month: str  # YYYY-MM
    base: float
    pension_personal: float
    pension_employer: float
    medical_personal: float
    medical_employer: float
    unemployment_personal: float
    status: str  # paid | arrears


def _rng(document_number: str) -> random.Random:
    seed = int.from_bytes(hashlib.sha256(document_number.strip().upper().encode()).digest()[:8], "big")
    return random.Random(seed)


def social_insurance_record(document_number: str, months: int = 36, today: dt.date | None = None) -> dict:
    """A name-free contribution record for `document_number`: employer, insured-since and `months` rows."""
    rng = _rng(document_number)
    today = today or dt.date.today()
    employer = rng.choice(EMPLOYERS)
    base = rng.choice([3957, 4588, 5200, 6100, 7340, 8890, 10250])
    insured_since = dt.date(today.year - rng.randint(4, 25), rng.randint(1, 12), 1)
    rows = []
    y, m = today.year, today.month
    for _ in range(months):
        m -= 1
        if m == 0:
            y, m = y - 1, 12
        if m == 12 and rows:  # bases are reset every January: walking back past one, the base was lower
            base = round(base / rng.uniform(1.0, 1.06))
        status = "arrears" if (y, m) == (today.year, today.month - 1) and rng.random() < 0.15 else "paid"
        rows.append(MonthRow(
            month=f"{y:04d}-{m:02d}", base=float(base),
            pension_personal=round(base * RATES["pension"][0], 2),
            pension_employer=round(base * RATES["pension"][1], 2),
            medical_personal=round(base * RATES["medical"][0], 2),
            medical_employer=round(base * RATES["medical"][1], 2),
            unemployment_personal=round(base * RATES["unemployment"][0], 2),
            status=status))
    rows.reverse()
    return {
        "employer": employer,
        "insured_since": insured_since.isoformat(),
        "insurance_types": ["养老保险", "医疗保险", "失业保险", "工伤保险", "生育保险"],
        "months": [asdict(r) for r in rows],
        "total_personal": round(sum(r.pension_personal + r.medical_personal + r.unemployment_personal
                                    for r in rows), 2),
    }


# ---- generic record certificates ----

# record_type -> (title_zh, title_en, template). Templates: monthly (deposits per month), yearly (tax per year),
# registration (fields only).
RECORD_TYPES: dict[str, tuple[str, str, str]] = {
    "housing-fund-deposit": ("住房公积金缴存证明", "Housing provident fund deposit certificate", "monthly"),
    "medical-insurance": ("基本医疗保险参保证明", "Basic medical insurance certificate", "monthly"),
    "pension-payment": ("养老金领取证明", "Pension payment certificate", "monthly"),
    "unemployment-benefit": ("失业保险金领取证明", "Unemployment benefit certificate", "monthly"),
    "individual-income-tax": ("个人所得税纳税记录", "Individual income tax record", "yearly"),
    "employment-registration": ("就业创业登记证明", "Employment registration certificate", "registration"),
    "unemployment-registration": ("失业登记证明", "Unemployment registration certificate", "registration"),
    "household-registration": ("户籍登记信息证明", "Household registration certificate", "registration"),
    "marriage-registration": ("婚姻登记记录证明", "Marriage registration record", "registration"),
    "residence-permit": ("居住证办理记录", "Residence permit record", "registration"),
    "disability-certificate": ("残疾人证信息证明", "Disability certificate record", "registration"),
    "elderly-allowance": ("高龄津贴发放证明", "Old-age allowance payment certificate", "monthly"),
    "subsistence-allowance": ("最低生活保障金发放证明", "Subsistence allowance payment certificate", "monthly"),
    "enterprise-registration": ("企业登记基本信息", "Enterprise registration information", "registration"),
    "property-registration": ("不动产登记信息查询结果", "Real estate registration result", "registration"),
    "vehicle-tax": ("车船税完税证明", "Vehicle and vessel tax certificate", "yearly"),
    "work-injury-insurance": ("工伤保险参保证明", "Work injury insurance certificate", "monthly"),
    "childbirth-insurance": ("生育保险待遇领取证明", "Maternity insurance benefit certificate", "monthly"),
    "housing-fund-loan": ("住房公积金贷款还款记录", "Housing provident fund loan repayments", "monthly"),
    "resident-medical-payment": ("城乡居民医保缴费证明", "Residents' medical insurance payments", "monthly"),
    "tax-payment-certificate": ("税收完税证明", "Tax payment certificate", "yearly"),
}


def citizen_record(record_type: str, document_number: str, months: int = 12,
                   today: dt.date | None = None) -> dict | None:
    """A name-free record of `record_type` for the generic record certificate, or None for an unknown type."""
    spec = RECORD_TYPES.get(record_type)
    if spec is None:
        return None
    title_zh, title_en, template = spec
    rng = random.Random(f"{record_type}:{document_number.strip().upper()}")
    today = today or dt.date.today()
    out: dict = {"record_type": record_type, "title_zh": title_zh, "title_en": title_en,
                 "fields": [], "columns": [], "rows": [], "summary": []}
    if template == "monthly":
        amount = rng.choice([312.0, 486.0, 650.0, 824.0, 1120.0, 1560.0, 2230.0])
        out["fields"] = [["账户/档案号 Account", f"{rng.randint(10**9, 10**10 - 1)}"],
                         ["经办机构 Agency", rng.choice(("上城区社会保险管理服务中心", "杭州住房公积金管理中心上城分中心",
                                                         "上城区民政局", "上城区医疗保障局"))]]
        out["columns"] = [["年月", "Month", 30, "center"], ["金额 (元)", "Amount (CNY)", 40, "right"],
                          ["状态", "Status", 25, "center"]]
        y, m = today.year, today.month
        rows = []
        for _ in range(months):
            m -= 1
            if m == 0:
                y, m = y - 1, 12
            rows.append([f"{y:04d}-{m:02d}", f"{amount:,.2f}", "正常"])
        rows.reverse()
        out["rows"] = rows
        out["summary"] = [["合计 Total", f"¥{amount * months:,.2f}"]]
    elif template == "yearly":
        rows = []
        income = rng.choice([68000, 96000, 132000, 186000, 240000])
        for year in range(today.year - 3, today.year):
            income = round(income * rng.uniform(1.0, 1.08))
            tax = max(0.0, (income - 60000) * 0.06)
            rows.append([str(year), f"{income:,.2f}", f"{tax:,.2f}", "已完税"])
        out["columns"] = [["年度", "Year", 20, "center"], ["收入额 (元)", "Income (CNY)", 40, "right"],
                          ["已缴税额 (元)", "Tax paid (CNY)", 40, "right"], ["状态", "Status", 20, "center"]]
        out["rows"] = rows
        out["fields"] = [["主管税务机关 Tax office", "国家税务总局杭州市上城区税务局"]]
    else:
        registered = dt.date(today.year - rng.randint(1, 20), rng.randint(1, 12), rng.randint(1, 28))
        out["fields"] = [["登记机关 Registered at", rng.choice(("上城区政务服务中心", "湖滨派出所", "上城区民政局婚姻登记处",
                                                              "上城区人力资源和社会保障局"))],
                         ["登记日期 Registered on", registered.isoformat()],
                         ["登记编号 Registration No.", f"{record_type[:2].upper()}{rng.randint(10**7, 10**8 - 1)}"],
                         ["当前状态 Status", "有效 Valid"]]
    return out


# ---- applications, appointments, status ----

APPLICATION_DAYS = (3, 5, 7, 10, 15, 20)


def accept_application(kind: str, document_number: str, fields: dict[str, str]) -> dict:
    """Accept an application: a deterministic application number and a promised processing time."""
    rng = random.Random(f"app:{kind}:{document_number}:{sorted(fields.items())}")
    number = f"SQ{dt.date.today():%Y%m%d}{rng.randint(100000, 999999)}"
    return {"application_number": number, "status": "received", "expected_days": rng.choice(APPLICATION_DAYS)}


PERIODS = {"am": ("上午 09:00-12:00", "Morning 09:00-12:00"), "pm": ("下午 13:30-17:00", "Afternoon 13:30-17:00")}


def appointment_slots(service: str, date: str) -> list[dict]:
    """Free periods on `date` (weekends closed); capacity is a deterministic function of service and date."""
    day = dt.date.fromisoformat(date)
    if day.weekday() >= 5:
        return []
    rng = random.Random(f"slots:{service}:{date}")
    return [{"period": p, "label_zh": zh, "label_en": en, "free": rng.randint(0, 12)}
            for p, (zh, en) in PERIODS.items()]


def book_appointment(service: str, document_number: str, date: str, period: str) -> dict | None:
    """A booking, or None when the period is full, unknown or the day is closed."""
    free = {s["period"]: s["free"] for s in appointment_slots(service, date)}
    if free.get(period, 0) <= 0:
        return None
    rng = random.Random(f"book:{service}:{document_number}:{date}:{period}")
    start = (9, 0) if period == "am" else (13, 30)
    minutes = start[0] * 60 + start[1] + rng.randint(0, 10) * 15
    return {"confirmation": f"YY{date.replace('-', '')}{rng.randint(1000, 9999)}",
            "date": date, "time": f"{minutes // 60:02d}:{minutes % 60:02d}",
            "counter": f"{rng.randint(1, 30)}号窗口", "address": "上城区政务服务中心（解放东路8号）二楼"}


STATUS_STEPS = (("received", "已受理", "Received"), ("review", "审核中", "Under review"),
                ("approved", "已办结", "Approved"), ("delivered", "已送达", "Delivered"))


def application_status(kind: str, document_number: str, reference: str = "") -> dict:
    """The deterministic progress of the holder's latest application of `kind`."""
    rng = random.Random(f"status:{kind}:{document_number}:{reference}")
    reached = rng.randint(0, len(STATUS_STEPS) - 1)
    start = dt.date.today() - dt.timedelta(days=rng.randint(3, 20))
    steps = []
    for n in range(reached + 1):
        key, zh, en = STATUS_STEPS[n]
        steps.append({"step": key, "label_zh": zh, "label_en": en,
                      "date": (start + dt.timedelta(days=2 * n)).isoformat()})
    return {"type": kind, "reference": reference or f"SQ{start:%Y%m%d}{rng.randint(100000, 999999)}",
            "status": STATUS_STEPS[reached][0], "status_zh": STATUS_STEPS[reached][1],
            "status_en": STATUS_STEPS[reached][2], "steps": steps}
