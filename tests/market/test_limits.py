"""Per-user rate limits of /api/v1/candles, /api/v1/prices and /api/v1/analytics."""

from tests.helpers import create_user, csrf_token, web_login
from tests.market.helpers import add_sim


def _limits(app, **changes: str) -> None:
    app.config["TRADEDECK"] = app.config["TRADEDECK"].model_copy(update=changes)


def _refused(response) -> None:
    assert response.status_code == 429, response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) >= 1
    error = response.get_json()["error"]
    assert error["code"] == "rate_limited" and "2 per 1 minute" in error["message"]


def test_candles_and_prices_are_limited_per_user_and_route(app, member):
    add_sim(app, "ACME", days=0.1)
    _limits(app, market_data_rate_limit="2/minute")
    for _ in range(2):
        assert member.get("/api/v1/candles?symbol=ACME").status_code == 200
    _refused(member.get("/api/v1/candles?symbol=ACME"))
    assert member.get("/api/v1/prices?symbols=ACME").status_code == 200
    headers = {"X-CSRFToken": csrf_token(member, "/")}
    posted = member.post("/api/v1/prices", json={"symbols": ["ACME"]}, headers=headers)
    assert posted.status_code == 200
    _refused(member.get("/api/v1/prices?symbols=ACME"))
    create_user(app, "bob")
    other = app.test_client()
    assert web_login(other, "bob").status_code == 302
    assert other.get("/api/v1/candles?symbol=ACME").status_code == 200


def test_analytics_is_limited_per_user(app, member):
    add_sim(app, "ACME", days=0.1)
    _limits(app, analytics_rate_limit="2/minute")
    for _ in range(2):
        assert member.get("/api/v1/analytics?symbol=ACME&studies=sma").status_code == 200
    _refused(member.get("/api/v1/analytics?symbol=ACME&studies=sma"))
