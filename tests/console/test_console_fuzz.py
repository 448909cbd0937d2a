"""A bounded schemathesis run over the console's JSON API (/console/api), as an admin with a bearer token: no
generated request may get a 5xx or an answer its operation does not document (status, content type, schema)."""

from __future__ import annotations

import time

import requests
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis import openapi as schemathesis_openapi

from district.console import accounts
from district.settings import DistrictSettings
from tests.sync.test_schema_fuzz import CHECKS

STATUSES: list[int] = []


def _record_status(ctx, response, case) -> bool:
    STATUSES.append(response.status_code)
    return True

EXAMPLES_PER_MODE = 8
BUDGET_S = 240.0  # a hard stop far above the usual run: a stuck run fails instead of hanging


class Bearer(requests.auth.AuthBase):
    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = f"Bearer {self.token}"
        return r


def test_no_console_api_request_gets_a_500_or_an_undocumented_answer(tmp_path):
    from district.app import create_app

    app = create_app(DistrictSettings(db_url=f"sqlite:///{tmp_path / 'district.db'}", rate_per_s=1e6,
                                      rate_burst=1_000_000))
    accounts.add_operator(app.state.engine, "fuzz-admin", "admin", "a fuzzing passphrase")
    session = requests.Session()
    session.auth = Bearer(accounts.issue_api_token(app.state.engine, "fuzz-admin"))
    schema = schemathesis_openapi.from_asgi("/openapi.json", app)
    operations = [r.ok() for r in schema.get_all_operations()]
    operations = [op for op in operations if op.path.startswith("/console/api/")]
    assert len(operations) >= 15
    started = time.monotonic()
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            assert time.monotonic() - started < BUDGET_S, "fuzzing exceeded its budget"

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES_PER_MODE, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck), phases=(Phase.explicit, Phase.generate))
            def exercise(case) -> None:
                case.call_and_validate(session=session, checks=[*CHECKS, _record_status])

            try:
                exercise()
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE
    app.state.engine.dispose()
    assert STATUSES.count(200) >= 20 and 401 not in STATUSES, "the token must get the requests through"
