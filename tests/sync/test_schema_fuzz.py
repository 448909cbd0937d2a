"""A bounded schemathesis run over the district's OpenAPI schema (issue 17, point 6).

Every operation gets valid and invalid requests generated from its schema, signed as an enrolled kiosk (a
`requests` auth hook signs the exact bytes that are sent), and every answer must be: not a 5xx, a status code
the operation documents, of the documented content type, and conforming to the documented schema. The run is
derandomized and capped per operation so that it stays within about a minute on two shared cores.
"""

from __future__ import annotations

import time

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from contract.request_signing import RequestSigner, public_key_hex
from district.kiosk_registry import add_kiosk, enroll
from district.settings import DistrictSettings
from kiosk.link.kiosk_key import load_or_create_key

EXAMPLES_PER_MODE = 12
BUDGET_S = 150.0  # a hard stop far above the usual ~30-60 s: a stuck run fails instead of hanging
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


class SignAsKiosk(requests.auth.AuthBase):
    """Signs each prepared request (method, path with query, the body bytes as sent) as an enrolled kiosk."""

    def __init__(self, signer: RequestSigner) -> None:
        self.signer = signer

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        body = r.body or b""
        if isinstance(body, str):
            body = body.encode()
        r.headers.update(self.signer(r.method or "GET", r.path_url, body))
        return r


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    from district.app import create_app

    folder = tmp_path_factory.mktemp("fuzzed-district")
    # demo: the citizen endpoints answer with data instead of 404, so their whole handlers are exercised
    app = create_app(DistrictSettings(db_url=f"sqlite:///{folder / 'district.db'}", demo=True,
                                      rate_per_s=1e6, rate_burst=1_000_000, public_rate_per_s=1e6,
                                      public_rate_burst=1_000_000))
    key = load_or_create_key(folder / "kiosk")
    enroll(app.state.engine, "FUZZ-01", public_key_hex(key), add_kiosk(app.state.engine, "FUZZ-01"), False)
    session = requests.Session()
    session.auth = SignAsKiosk(RequestSigner("FUZZ-01", key))
    yield app, session
    app.state.engine.dispose()


def test_no_request_generated_from_the_schema_gets_a_500_or_an_undocumented_answer(district):
    app, session = district
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    # The operators' console API is fuzzed with an operator's token in tests/console/test_console_fuzz.py.
    operations = [op for op in operations if not op.path.startswith("/console/")]
    assert len(operations) >= 15
    started = time.monotonic()
    sent = 0
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            assert time.monotonic() - started < BUDGET_S, f"fuzzing exceeded {BUDGET_S} s after {sent} requests"

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES_PER_MODE, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck), phases=(Phase.explicit, Phase.generate))
            def exercise(case) -> None:
                nonlocal sent
                sent += 1
                case.call_and_validate(session=session, checks=CHECKS)

            try:
                exercise()
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE  # an operation without parameters has no invalid input
            except Exception as exc:
                exc.add_note(f"operation {operation.label}, {mode.value} data")
                raise
    assert sent >= 10 * len(operations)  # the cases were really generated and sent
    print(f"schemathesis: {sent} requests over {len(operations)} operations in {time.monotonic() - started:.1f} s")
