"""Forging a genuine certificate PDF as a citizen would: change one printed figure (regenerating the PDF, or
patching its text object in place with pdfium), keep the genuine QR code and the genuine embedded record, and ask
`kiosk document verify`. Every printed fact is signed, so every such edit must come out INVALID with the edited
field named (on main before the register, the total, the months in arrears and the period's end said VALID)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

import kiosk.documents.certificate as certificate
from kiosk.documents.certificate import CertificateSpec, embedded_content_text, render_certificate
from kiosk.documents.signing import load_district_document_key
from kiosk.documents.verification import embedded_content, qr_texts_from_pdf, verify_pdf

ITEM = "si-contribution-record"


@pytest.fixture()
def genuine(runner, catalog, citizen):
    """A genuine certificate from the demo district: (pdf bytes, its spec, its QR text, its embedded record)."""
    (cert,) = runner.run(catalog.get(ITEM), citizen, {}).result.documents
    content = embedded_content(cert.pdf)
    (qr,) = qr_texts_from_pdf(cert.pdf)
    return cert.pdf, CertificateSpec.from_content(content), qr, content


def forge(monkeypatch, spec: CertificateSpec, qr: str, genuine_content: dict) -> bytes:
    """Render `spec` with the genuine QR code and the genuine embedded record, as a forger regenerating it would."""
    monkeypatch.setattr(certificate, "embedded_content_text", lambda _c: embedded_content_text(genuine_content))
    return render_certificate(spec, qr)


def _swap_last_digits(money: str) -> str:
    """'¥22,213.96' -> '¥22,213.69' (or another last digit when the two are equal)."""
    a, b = money[-2], money[-1]
    return money[:-2] + (b + a if a != b else a + str((int(b) + 1) % 10))


def _replace_field(fields: tuple[tuple[str, str], ...], label: str, change) -> tuple[tuple[str, str], ...]:
    assert label in dict(fields), label
    return tuple((k, change(v) if k == label else v) for k, v in fields)


TOTAL = "个人缴费合计 Personal contributions in total"
ARREARS = "欠缴月数 Months in arrears"
PERIOD = "缴费期间 Period"


def _edits(spec: CertificateSpec) -> dict[str, tuple[CertificateSpec, str]]:
    """name -> (the forged spec, what the verifier's reason must name)."""
    day_before = (dt.date.fromisoformat(spec.issued_on) - dt.timedelta(days=1)).isoformat()
    return {
        "total": (dataclasses.replace(spec, summary_fields=_replace_field(spec.summary_fields, TOTAL,
                                                                          _swap_last_digits)), f"summary field {TOTAL!r}"),
        "arrears": (dataclasses.replace(spec, summary_fields=_replace_field(spec.summary_fields, ARREARS,
                                                                            lambda v: "9" if v != "9" else "0")),
                    f"summary field {ARREARS!r}"),
        "period end": (dataclasses.replace(spec, holder_fields=_replace_field(
            spec.holder_fields, PERIOD, lambda v: v[:-2] + ("01" if not v.endswith("01") else "02"))),
            f"holder field {PERIOD!r}"),
        "issue date": (dataclasses.replace(spec, issued_on=day_before), "issue date"),
        "holder name": (dataclasses.replace(spec, holder_name=spec.holder_name[:-1] + "丽"),
                        "holder field '姓名 Name'"),
        "a table cell": (dataclasses.replace(spec, rows=(spec.rows[0][:2] + ("0.00",) + spec.rows[0][3:],
                                                         *spec.rows[1:])), "table row 1"),
        "a fact left out": (dataclasses.replace(spec, summary_fields=spec.summary_fields[:1]),
                            f"summary field {ARREARS!r}"),
    }


def test_the_genuine_pdf_shows_exactly_the_signed_content(genuine, data_dir):
    pdf, spec, _qr, _content = genuine
    checked = verify_pdf(pdf, load_district_document_key(data_dir))
    assert checked.result.valid and checked.content == "matches", checked.result.reason
    assert dict(spec.summary_fields)[ARREARS] == "0"  # the demo holder has no arrears: "0 -> 9" is a real edit


@pytest.mark.parametrize("edit", ["total", "arrears", "period end", "issue date", "holder name", "a table cell",
                                  "a fact left out"])
def test_one_edited_printed_fact_is_invalid_and_named(genuine, data_dir, monkeypatch, edit):
    _pdf, spec, qr, content = genuine
    forged_spec, named = _edits(spec)[edit]
    assert forged_spec != spec
    forged = forge(monkeypatch, forged_spec, qr, content)
    checked = verify_pdf(forged, load_district_document_key(data_dir))
    assert not checked.result.valid and checked.content == "altered"
    assert named in checked.result.reason, checked.result.reason


def patch_text(pdf: bytes, old: str, new: str) -> bytes:
    """Edit the genuine PDF in place as a PDF editor would: replace the text object showing `old` by one showing it
    with `old` replaced by `new`, in the same (embedded) font, size and position. Metadata and QR stay as they are."""
    import ctypes
    import io

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    doc = pdfium.PdfDocument(pdf)
    page = doc[0]
    textpage = page.get_textpage()

    def text_of(obj) -> str:
        n = raw.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)
        buf = ctypes.create_string_buffer(n)
        raw.FPDFTextObj_GetText(obj.raw, textpage.raw, ctypes.cast(buf, ctypes.POINTER(raw.FPDF_WCHAR)), n)
        return buf.raw[: n - 2].decode("utf-16-le")

    target = next(o for o in page.get_objects() if o.type == raw.FPDF_PAGEOBJ_TEXT and old in text_of(o))
    size = ctypes.c_float()
    assert raw.FPDFTextObj_GetFontSize(target.raw, ctypes.byref(size))
    forged = raw.FPDFPageObj_CreateTextObj(doc.raw, raw.FPDFTextObj_GetFont(target.raw), size.value)
    text = (text_of(target).replace(old, new) + "\0").encode("utf-16-le")
    assert raw.FPDFText_SetText(forged, ctypes.cast(ctypes.create_string_buffer(text), ctypes.POINTER(raw.FPDF_WCHAR)))
    raw.FPDFPageObj_Transform(forged, *target.get_matrix().get())
    page.remove_obj(target)
    raw.FPDFPage_InsertObject(page.raw, forged)
    page.gen_content()
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@pytest.mark.parametrize("edit", ["total", "arrears"])
def test_a_genuine_pdf_patched_in_place_is_invalid_and_named(genuine, data_dir, edit):
    from kiosk.documents.verification import page_text

    pdf, spec, qr, _content = genuine
    summary = dict(spec.summary_fields)
    label, old, new = {"total": (TOTAL, summary[TOTAL], _swap_last_digits(summary[TOTAL])),
                       "arrears": (ARREARS, f"{ARREARS}: 0", f"{ARREARS}: 9")}[edit]
    patched = patch_text(pdf, old, new)
    assert new in page_text(patched) and qr_texts_from_pdf(patched) == [qr]  # the edit shows; the QR is genuine
    assert embedded_content(patched) == embedded_content(pdf)
    checked = verify_pdf(patched, load_district_document_key(data_dir))
    assert not checked.result.valid and f"summary field {label!r}" in checked.result.reason, checked.result.reason


def test_added_text_is_caught_by_the_whole_page_comparison(genuine, data_dir, monkeypatch):
    _pdf, spec, qr, content = genuine
    forged = forge(monkeypatch, dataclasses.replace(spec, notes=(*spec.notes, "已全部缴清。All contributions paid.")),
                   qr, content)
    checked = verify_pdf(forged, load_district_document_key(data_dir))
    assert not checked.result.valid and "differs from the signed content" in checked.result.reason
    assert "已全部缴清" in checked.result.reason


def test_a_long_value_is_printed_whole(citizen):
    """Nothing printed is cut short (the old renderer truncated long holder values with '…', which is why the old
    check compared only their first 12 characters)."""
    from district import demo_data
    from kiosk.documents.verification import page_text
    from kiosk.services.api import ServiceContext
    from kiosk.services.builtin.social_insurance import SocialInsuranceRecordModule

    long_employer = "杭州市上城区某某某某某某某某某某某某某某某某某某某某科技发展有限公司第一分公司"
    record = {**demo_data.social_insurance_record(citizen.document_number, 36), "employer": long_employer}
    ctx = ServiceContext(identity=citizen, inputs={}, params={}, item_id=ITEM, item_title_zh="", item_title_en="",
                         department="", district=None, clock=lambda: dt.datetime.now().astimezone(),
                         kiosk_id="SC-01", office_name="上城区政务服务中心", district_name="上城区")
    spec = SocialInsuranceRecordModule().certificate_spec(ctx, record, 36)
    text = "".join(page_text(render_certificate(spec)).split())
    assert long_employer in text and "…" not in text


def test_kiosk_document_verify_names_the_edited_field(genuine, data_dir, monkeypatch, tmp_path, capsys):
    from kiosk.cli import main

    pdf, spec, qr, content = genuine
    key = tmp_path / "district.pem"
    key.write_bytes((data_dir / "district" / "document_key.pub").read_bytes())
    (tmp_path / "genuine.pdf").write_bytes(pdf)
    forged_spec, _ = _edits(spec)["total"]
    (tmp_path / "forged.pdf").write_bytes(forge(monkeypatch, forged_spec, qr, content))
    capsys.readouterr()
    assert main(["document", "verify", str(tmp_path / "genuine.pdf"), "--key", str(key)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("VALID") and "the page shows exactly the signed content" in out
    assert main(["document", "verify", str(tmp_path / "forged.pdf"), "--key", str(key)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("INVALID") and f"summary field {TOTAL!r}: the signed text" in out
    assert dict(spec.summary_fields)[TOTAL] in out  # the figure the district signed, to compare with the paper
