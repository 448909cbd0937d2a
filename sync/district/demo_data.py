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
        if m == 1:  # contribution bases are reset every January
            base = round(base * rng.uniform(1.0, 1.06))
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
