"""The admin user detail page shows the facts features register (`web.user_facts`): TradingView's
linked username, or nothing at all when no feature registers one; admin imports no feature."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import api_login
from tests.tradingview.helpers import linked_user
from tradedeck.accounts.models import User
from tradedeck.web.user_facts import FACTS_KEY, UserFact, register_user_fact

SRC = Path(__file__).resolve().parents[2] / "src" / "tradedeck"


def _api_detail(app: Flask, user_id: int) -> dict:
    headers = {"Authorization": f"Bearer {api_login(app.test_client(), 'root')}"}
    return app.test_client().get(f"/api/v1/admin/users/{user_id}", headers=headers).get_json()


def test_tradingview_registers_the_linked_username(
    app: Flask, root_web: FlaskClient, alice: User
) -> None:
    bob = linked_user(app, "bob", "BobTV")
    page = root_web.get(f"/admin/users/{bob.id}").get_data(as_text=True)
    assert '<dt class="col-5">TradingView</dt>' in page
    assert '<dd class="col-7" id="tradingview-username">BobTV</dd>' in page
    unlinked = root_web.get(f"/admin/users/{alice.id}").get_data(as_text=True)
    assert '<dd class="col-7" id="tradingview-username">—</dd>' in unlinked
    assert _api_detail(app, bob.id)["tradingview_username"] == "BobTV"


def test_admin_page_works_when_no_feature_registers_facts(
    app: Flask, root_web: FlaskClient, alice: User
) -> None:
    app.extensions[FACTS_KEY] = []
    response = root_web.get(f"/admin/users/{alice.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Login history" in page
    assert "tradingview-username" not in page and "TradingView</dt>" not in page
    assert _api_detail(app, alice.id)["tradingview_username"] is None


def test_registered_facts_show_in_order_with_a_dash_for_none(
    app: Flask, root_web: FlaskClient, alice: User
) -> None:
    app.extensions[FACTS_KEY] = []
    register_user_fact(app, UserFact("fact-a", "Alpha", lambda uid: f"a{uid}"))
    register_user_fact(app, UserFact("fact-b", "Beta <b>", lambda _uid: None))
    page = root_web.get(f"/admin/users/{alice.id}").get_data(as_text=True)
    alpha = page.index(f'<dd class="col-7" id="fact-a">a{alice.id}</dd>')
    beta = page.index('<dt class="col-5">Beta &lt;b&gt;</dt><dd class="col-7" id="fact-b">—</dd>')
    assert alpha < beta < page.index('<dt class="col-5">User id</dt>')


def test_admin_and_tradingview_import_neither_other() -> None:
    """CONTRIBUTING "Architecture": admin and tradingview sit side by side at the top."""
    for here, other in (("admin", "tradingview"), ("tradingview", "admin")):
        imports = re.compile(rf"^\s*(?:from|import) tradedeck\.{other}\b", re.MULTILINE)
        offenders = [p.name for p in (SRC / here).rglob("*.py") if imports.search(p.read_text())]
        assert offenders == [], f"{here} imports {other}: {offenders}"
