"""The sources file: every mistake an operator can make is refused at start-up with the file and key named."""

from __future__ import annotations

from pathlib import Path

import pytest

from district.data_sources.gateway import CitizenDataGateway
from district.data_sources.registry import SourcesConfigError, load_sources
from tests.data_sources.conftest import write_sources

SI_CERT_LINE = 'client_cert = "certs/district-client.pem"   # the district\'s certificate, issued by the bureau\n'


@pytest.mark.parametrize(("old", "new", "message"), [
    ('[sources.si-bureau]\nadapter = "http-json"', '[sources.si-bureau]\nadapter = "soap"',
     r"sources.si-bureau.adapter: 'soap' is not an installed adapter \(installed: demo, http-json"),
    ('client_cert = "certs/district-client.pem"   #', 'client_cert = "certs/missing.pem"   #',
     r"sources.si-bureau.client_cert: no file .*missing.pem"),
    (SI_CERT_LINE, "", "sources.si-bureau: client_cert and client_key go together"),
    ("timeout_s = 1.5", "timeout_s = 0", "sources.si-bureau.timeout_s: expected seconds between 0 and 30"),
    ("attempts = 3", "attempts = 3\njitter = true", r"sources.si-bureau.retry: unknown keys \['jitter'\]"),
    ("attempts = 3", "attempts = 0", "sources.si-bureau.retry: retry.attempts must be between 1 and 10"),
    ('type = "date"', 'type = "datum"', "sources.si-bureau.records.social-insurance.map.insured_since: type must"),
    ('path = "/contribution-records"', 'path = "contribution-records"',
     "sources.si-bureau.records.social-insurance.path: expected a path starting with /"),
    ("[sources.housing-fund]", "[sources.Housing]", "a source name is 1-64 of a-z 0-9 - _"),
])
def test_mistakes_are_named(tmp_path, pki, old, new, message):
    sources = write_sources(tmp_path, pki, "https://127.0.0.1:9", **{old: new})
    with pytest.raises(SourcesConfigError, match=message):
        load_sources(sources)


def test_not_toml_and_no_sources(tmp_path):
    (tmp_path / "bad.toml").write_text("[sources.x\n", encoding="utf-8")
    with pytest.raises(SourcesConfigError, match="not valid TOML"):
        load_sources(tmp_path / "bad.toml")
    (tmp_path / "empty.toml").write_text("", encoding="utf-8")
    with pytest.raises(SourcesConfigError, match=r"no \[sources.NAME\] table"):
        load_sources(tmp_path / "empty.toml")
    with pytest.raises(SourcesConfigError, match="missing.toml"):
        load_sources(tmp_path / "missing.toml")


def test_two_sources_for_one_kind_are_refused(tmp_path, pki, engine):
    sources = write_sources(tmp_path, pki, "https://127.0.0.1:9")
    text = sources.read_text(encoding="utf-8") + '\n[sources.demo-too]\nadapter = "demo"\nrecords = ["social-insurance"]\n'
    sources.write_text(text, encoding="utf-8")
    with pytest.raises(SourcesConfigError, match="'social-insurance' is served by both 'si-bureau' and 'demo-too'"):
        CitizenDataGateway(load_sources(sources), engine, lambda: b"x" * 32)


def test_serve_refuses_a_bad_sources_file(tmp_path, capsys):
    from district.cli import main

    bad = tmp_path / "sources.toml"
    bad.write_text('[sources.si]\nadapter = "http-json"\nbase_url = "ftp://x"\n', encoding="utf-8")
    status = main(["serve", "--db", f"sqlite:///{tmp_path / 'd.db'}", "--keys", str(tmp_path / "keys"),
                   "--sources", str(bad), "--port", "9"])
    assert status == 2
    assert f"--sources: {bad}: sources.si.base_url: expected an http:// or https:// URL" in capsys.readouterr().err


def test_the_documented_example_loads(tmp_path, pki):
    built = load_sources(write_sources(tmp_path, pki, "https://127.0.0.1:9"))
    assert {s.source.name: s.source.kinds() for s in built} == {
        "si-bureau": frozenset({"social-insurance"}), "housing-fund": frozenset({"housing-fund-deposit"})}
    assert Path(built[0].source.config.client_cert).name == "district-client.pem"  # resolved beside the file
    for s in built:
        s.source.close()
