import csv
import io

from flask import Flask
from flask.testing import FlaskClient

from tests.admin.core_helpers import post_form
from tests.helpers import web_login
from tradedeck.accounts.models import User
from tradedeck.audit.services import Target, record
from tradedeck.extensions import db


def _seed(app: Flask) -> None:
    with app.app_context():
        record(
            "user.update",
            Target("user", 7, "bob"),
            {"role": "customer"},
            {"role": "admin"},
            actor="cli",
        )
        record(
            "access_key.create",
            Target("access_key", 3, '=HYPERLINK("x")'),
            after={"note": "n"},
            actor="cli",
        )
        record("instrument.halt", Target("instrument", 9, "ACME"), actor="system")
        db.session.commit()


def test_audit_page_filters_by_actor_action_target_and_date(
    app: Flask, root_web: FlaskClient
) -> None:
    _seed(app)
    page = root_web.get("/admin/audit").get_data(as_text=True)
    assert page.count("data-action=") == 3
    assert (
        root_web.get("/admin/audit?action=user.").get_data(as_text=True).count("data-action=") == 1
    )
    assert (
        root_web.get("/admin/audit?actor=system").get_data(as_text=True).count("data-action=") == 1
    )
    assert (
        root_web.get("/admin/audit?target=instrument:9")
        .get_data(as_text=True)
        .count("data-action=")
        == 1
    )
    assert root_web.get("/admin/audit?target=acm").get_data(as_text=True).count("data-action=") == 1
    assert (
        root_web.get("/admin/audit?since=2000-01-01&until=2000-01-02")
        .get_data(as_text=True)
        .count("data-action=")
        == 0
    )
    assert 'data-field="since"' in root_web.get("/admin/audit?since=31/12/2026").get_data(
        as_text=True
    )
    partial = root_web.get("/admin/audit?actor=cli", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert "<html" not in partial and partial.count("data-action=") == 2


def test_audit_csv_exports_the_filtered_rows_formula_safe(
    app: Flask, root_web: FlaskClient
) -> None:
    _seed(app)
    response = root_web.get("/admin/audit.csv?actor=cli")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["action"] for r in rows] == ["access_key.create", "user.update"]
    assert rows[0]["target_label"] == '\'=HYPERLINK("x")'
    assert rows[1]["before"] == '{"role":"customer"}' and rows[1]["after"] == '{"role":"admin"}'
    assert root_web.get("/admin/audit.csv?until=nope").status_code == 400


def test_access_page_and_csv(app: Flask, root_web: FlaskClient, alice: User) -> None:
    web_login(app.test_client(), "alice", "bad-guess-1")
    page = root_web.get("/admin/access?event=login.failure").get_data(as_text=True)
    assert page.count('data-event="login.failure"') == 1 and "wrong password" in page
    assert root_web.get("/admin/access?user=alice").get_data(as_text=True).count("data-event=") == 1
    assert (
        root_web.get(f"/admin/access?user={alice.id}").get_data(as_text=True).count("data-event=")
        == 1
    )
    assert 'data-field="event"' in root_web.get("/admin/access?event=hack").get_data(as_text=True)
    rows = list(
        csv.DictReader(io.StringIO(root_web.get("/admin/access.csv").get_data(as_text=True)))
    )
    assert {r["event"] for r in rows} == {"login.success", "login.failure"}


def test_no_route_edits_or_deletes_audit_rows(app: Flask, root_web: FlaskClient) -> None:
    _seed(app)
    for rule in app.url_map.iter_rules():
        if "audit" in rule.rule or "access" in rule.rule:
            assert rule.methods is not None
            assert not rule.methods & {"PUT", "PATCH", "DELETE"}, rule.rule
            if "POST" in rule.methods:
                assert "venues" in rule.rule or "access-keys" in rule.rule or "keys" in rule.rule, (
                    rule.rule
                )
    assert post_form(root_web, "/admin/audit").status_code == 405


def test_targets_link_to_their_admin_pages(app: Flask, root_web: FlaskClient) -> None:
    _seed(app)
    with app.app_context():
        record("venue.hours.set", Target("venue", 1, "SIM"), actor="cli")
        record("tradingview.grant", Target("tradingview", "3:PUB;x", "bob → script"), actor="cli")
        db.session.commit()
    page = root_web.get("/admin/audit").get_data(as_text=True)
    assert '<a href="/admin/users/7">bob</a>' in page
    assert '<a href="/admin/instruments/9/edit">ACME</a>' in page
    assert '<a href="/admin/venues/SIM">SIM</a>' in page
    assert '<a href="/admin/keys">' in page
    assert "bob → script" in page and 'href="/admin/tradingview' not in page
