"""Schemathesis over /api/v1/openapi.json as the demo customer and the admin.

Every generated request must answer without a server error and as documented: a declared
status code, content type and body schema. `FUZZ_EXAMPLES` (default small, so the suite stays
fast) sets the examples per operation; `make fuzz` runs many more. The app talks to nothing
outside: exchange and Yahoo venues point at a closed port on 127.0.0.1, TradingView at its fake.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from tests.fakes.tradingview import FakeTradingView
from tests.helpers import make_app
from tradedeck.accounts.models import User
from tradedeck.accounts.services import create_api_key
from tradedeck.demo import DEMO_ADMIN, DEMO_CUSTOMER, seed_demo
from tradedeck.extensions import db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
CLOSED_PORT = "http://127.0.0.1:9"  # discard port: nothing listens, connections fail at once
GENEROUS = "100000/minute"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# (METHOD, path) pairs skipped while a finding on them is open: none today.
EXCLUDED: set[tuple[str, str]] = set()


@pytest.fixture(scope="module")
def tradingview() -> Iterator[FakeTradingView]:
    """TradingView calls go to the fake (one user, no scripts): answers stay 4xx, not 503."""
    with FakeTradingView() as fake:
        yield fake


@pytest.fixture(scope="module")
def fuzz_app(
    tmp_path_factory: pytest.TempPathFactory, tradingview: FakeTradingView
) -> Iterator[Flask]:
    app = make_app(
        tmp_path_factory.mktemp("fuzz"),
        TRADEDECK_BINANCE_URL=CLOSED_PORT,
        TRADEDECK_YAHOO_URL=CLOSED_PORT,
        TRADEDECK_TRADINGVIEW_URL=tradingview.url,
        ORDER_RATE_LIMIT=GENEROUS,
        AUTH_RATE_LIMIT=GENEROUS,
        LOGIN_ACCOUNT_RATE_LIMIT=GENEROUS,
        MARKET_DATA_RATE_LIMIT=GENEROUS,
        ANALYTICS_RATE_LIMIT=GENEROUS,
        STREAM_MAX_PER_USER="1000",
        STREAM_MAX_PER_PROCESS="1000",
        NOTIFY_STREAM_MAX_PER_USER="1000",
        NOTIFY_STREAM_MAX_PER_PROCESS="1000",
        SCAN_RATE_LIMIT=GENEROUS,
        FETCH_RATE_LIMIT=GENEROUS,
    )
    app.config.update(MARKET_SSE_MAX_SECS=0.05, MARKET_SSE_HEARTBEAT_SECS=0.01)
    app.config.update(ALERTS_STREAM_MAX_SECS=0.05, ALERTS_STREAM_POLL_SECS=0.01)
    with app.app_context():
        seed_demo()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _token(app: Flask, username: str, password: str) -> str:
    response = app.test_client().post(
        "/api/v1/auth/login", json={"username": username, "password": password}
    )
    assert response.status_code == 200, response.get_json()
    return str(response.get_json()["access_token"])


@pytest.fixture(scope="module")
def customer(fuzz_app: Flask) -> dict[str, str]:
    return {"Authorization": f"Bearer {_token(fuzz_app, DEMO_CUSTOMER[0], DEMO_CUSTOMER[2])}"}


@pytest.fixture(scope="module")
def admin_key(fuzz_app: Flask) -> dict[str, str]:
    """The admin calls with an X-API-Key (the customer with a JWT): both schemes are covered."""
    with fuzz_app.app_context():
        admin = db.session.scalar(select(User).where(User.username == DEMO_ADMIN[0]))
        assert admin is not None
        key = create_api_key(admin, "fuzz")
        db.session.commit()
    return {"X-API-Key": key.clear}


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)


def _fuzz(app: Flask, headers: dict[str, str]) -> None:
    """Every operation of the document; all findings are collected, then reported together.

    (Driven by hand rather than `schemathesis.pytest.from_fixture`, whose lazy loader does not
    run under pytest 9.)
    """
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    # Logout may end a token's life: it goes last, and the credentials are checked before
    # every operation so a revoked token cannot turn the run into a row of documented 401s.
    operations.sort(key=lambda op: op.path.endswith("/auth/logout"))
    client = app.test_client()
    failures: list[str] = []
    for operation in operations:
        if (operation.method.upper(), operation.path) in EXCLUDED:
            continue
        assert client.get("/api/v1/auth/me", headers=headers).status_code == 200, operation.label

        @given(case=operation.as_strategy())
        @FUZZ_SETTINGS
        def run(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except (Exception, FailureGroup) as exc:  # every operation's findings, not the first
            failures.append(f"{operation.label}: {exc}")
    report = "\n\n".join(failures)
    assert not failures, f"{len(failures)} operations failed:\n{report}"


def test_api_answers_the_customer_as_documented(fuzz_app: Flask, customer: dict[str, str]) -> None:
    _fuzz(fuzz_app, customer)


def test_api_answers_the_admin_as_documented(fuzz_app: Flask, admin_key: dict[str, str]) -> None:
    _fuzz(fuzz_app, admin_key)
