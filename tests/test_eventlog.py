"""Structured logs: declared events only, personal data masked or dropped, floods coalesced."""

from __future__ import annotations

import io
import json

from contract.eventlog import EventLog, scrub
from contract.log_events import Event, markdown_table


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_event_ids_are_unique_and_documented():
    ids = [e.event_id for e in Event]
    assert len(ids) == len(set(ids))
    table = markdown_table()
    assert all(f"`{i}`" in table for i in ids)


def test_document_numbers_are_masked_and_biometrics_dropped():
    out = io.StringIO()
    log = EventLog(stream=out, clock=lambda: 1.0)
    log.log(Event.DOCUMENT_READ_COMPLETE, document_number="330102195803151234", photo=b"\xff\xd8" * 10,
            surname="王", detail="card 330102195803151234 read", encoding=[0.1, 0.2])
    (rec,) = lines(out)
    assert rec["event"] == "document-read-complete" and rec["kind"] == "system-action"
    assert rec["document_number"] == "330***********1234"
    assert rec["photo"] == rec["surname"] == rec["encoding"] == "<redacted>"
    assert "330102195803151234" not in out.getvalue()
    assert "330***********1234" in rec["detail"]


def test_repeated_lines_are_coalesced_with_a_count():
    out = io.StringIO()
    log = EventLog(stream=out, clock=lambda: 2.0)
    for _ in range(50):
        log.log(Event.READER_STATE, reader="r0", change="reader-removed")
    log.log(Event.READER_STATE, reader="r0", change="reader-added")
    log.close()
    recs = lines(out)
    assert len(recs) == 3
    assert recs[1]["repeat"] == 49 and recs[1]["change"] == "reader-removed"


def test_log_file_is_private(tmp_path):
    path = tmp_path / "logs" / "k.jsonl"
    log = EventLog(path=path)
    log.log(Event.APP_START)
    log.close()
    assert path.stat().st_mode & 0o077 == 0
    assert json.loads(path.read_text())["event"] == "app-start"


def test_scrub_walks_nested_values():
    assert scrub({"a": [{"document_number": "E12345678"}]}) == {"a": [{"document_number": "E****5678"}]}


def test_log_events_doc_is_current():
    from pathlib import Path

    doc = Path(__file__).resolve().parents[1] / "docs" / "log-events.md"
    assert doc.read_text(encoding="utf-8") == markdown_table(), "regenerate with `make log-events`"
