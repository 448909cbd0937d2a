"""The public verification page (HTML, Chinese and English): a certificate's status and its registered content.

The page cannot see the paper, so it never says "not altered": it shows what the district registered for the
serial and asks the reader to compare the paper with it, figure by figure.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from typing import Any

from contract.document_signing import VerificationPayload
from district.document_register import RegisteredDocument

HEADINGS = {
    "valid": ("ok", "✔ 有效 VALID", "此证明由本区政务服务中心签发并登记。请逐项核对纸面内容与下列登记内容一致，不一致即为篡改。",
              "This certificate was issued and registered by the district. Check that the paper shows exactly the "
              "registered content below; any difference means it was altered."),
    "revoked": ("bad", "✘ 已撤销 REVOKED", "此证明已被撤销，不再有效。", "This certificate has been revoked and is no longer valid."),
    "unknown": ("bad", "✘ 未登记 UNKNOWN SERIAL", "本区没有此编号的证明记录。",
                "The district has no record of a certificate with this serial."),
    "invalid": ("bad", "✘ 无效 INVALID", "二维码内容不是本区签发的有效证明。",
                "The QR code does not carry a certificate signed by the district."),
}
HOLDER_LINES = {
    "match": ("ok", "证件号码与持证人一致。The ID number matches the holder."),
    "mismatch": ("bad", "证件号码与持证人不一致。The ID number does NOT match the holder."),
    "refused": ("bad", "核对次数过多，请到服务中心窗口核对。Too many failed checks: please ask at the service centre."),
}


@dataclass(frozen=True)
class PageVerdict:
    status: str  # valid | revoked | unknown | invalid
    reason: str
    payload: VerificationPayload | None = None
    document: RegisteredDocument | None = None
    holder: str = ""  # "" (not asked) | match | mismatch | refused


def _e(value: Any) -> str:
    return html.escape(str(value))


def _date(yyyymmdd: str) -> str:
    return f"{yyyymmdd[:4]}-{yyyymmdd[4:6]}-{yyyymmdd[6:]}"


def _time(t: float | None) -> str:
    if t is None:
        return ""
    return dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _pairs(rows: list[tuple[str, str]]) -> str:
    return "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)


def _labelled(items: Any) -> list[tuple[str, str]]:
    """[[label, value], ...] from the content, skipping anything malformed."""
    out = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, list) and len(item) == 2:
            out.append((str(item[0]), str(item[1])))
    return out


def registered_content_html(doc: RegisteredDocument) -> str:
    """The registered content: document, holder, printed fields, summary, table."""
    c = doc.content
    rows = [("证明 Document", f"{c.get('title_zh', doc.title)} / {c.get('title_en', '')}"),
            ("编号 Serial", doc.serial), ("持证人 Holder", doc.holder_name)]
    rows += _labelled(c.get("holder_fields"))
    rows += _labelled(c.get("summary_fields"))
    rows += [("出具日期 Issued on", _date(doc.issued_on)), ("登记时间 Registered at", _time(doc.issued_at)),
             ("出具机构 Office", str(c.get("office_name", ""))), ("自助终端 Kiosk", doc.kiosk),
             ("签名密钥 Key", doc.key_id)]
    if doc.status == "revoked":
        rows += [("撤销时间 Revoked at", _time(doc.revoked_at)), ("撤销原因 Reason", doc.revoke_reason or "")]
    out = f"<table>{_pairs(rows)}</table>"
    columns = [col for col in c.get("columns", []) if isinstance(col, list) and len(col) >= 2]
    table = [r for r in c.get("rows", []) if isinstance(r, list)]
    if columns and table:
        head = "".join(f"<th>{_e(col[0])}<br><small>{_e(col[1])}</small></th>" for col in columns)
        body = "".join("<tr>" + "".join(f"<td>{_e(v)}</td>" for v in r) + "</tr>" for r in table)
        out += (f"<h2>{_e(c.get('table_title', '明细 Details'))}</h2>"
                f"<table class=grid><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    return out


def _holder_form(payload: VerificationPayload) -> str:
    hidden = "".join(f"<input type=hidden name='{_e(k)}' value='{_e(v)}'>" for k, v in payload.query().items())
    return (f"<form method=post>{hidden}<label>核对证件号码 Check an ID number "
            f"<input name=id_number maxlength=32 autocomplete=off></label> <button>核对 Check</button></form>")


def render_verification_page(verdict: PageVerdict) -> str:
    """The whole HTML page for `verdict`."""
    css, title, zh, en = HEADINGS[verdict.status]
    parts = [f"<h1 class={css}>{title}</h1><p>{_e(zh)}<br>{_e(en)}</p>"]
    if verdict.status in ("invalid", "unknown") and verdict.reason:
        parts.append(f"<p class=bad>{_e(verdict.reason)}</p>")
    if verdict.holder:
        hcss, line = HOLDER_LINES[verdict.holder]
        parts.append(f"<p class={hcss}>{_e(line)}</p>")
    if verdict.document is not None:
        parts.append(registered_content_html(verdict.document))
        if verdict.status == "valid" and verdict.payload is not None:
            parts.append(_holder_form(verdict.payload))
    elif verdict.payload is not None:
        parts.append(_pairs([("编号 Serial", verdict.payload.serial),
                             ("出具日期 Issued on", _date(verdict.payload.issued_on))]).join(("<table>", "</table>")))
    return ("<!doctype html><html lang=zh-CN><head><meta charset=utf-8><meta name=viewport "
            "content='width=device-width,initial-scale=1'><title>证明验证 Certificate verification</title><style>"
            "body{font-family:sans-serif;margin:1.5em;max-width:48em}.ok{color:#17692e}.bad{color:#b3121d}"
            "th{text-align:left;padding-right:1em;vertical-align:top}table.grid{border-collapse:collapse;"
            "font-size:.85em}table.grid td,table.grid th{border:1px solid #bbb;padding:.15em .4em}</style></head>"
            f"<body>{''.join(parts)}</body></html>")
