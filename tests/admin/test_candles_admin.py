"""Candle coverage and gaps (venue hours respected), repair and backfill jobs with progress,
the seed's /admin/api/candles/<id>, and bad input."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.admin.market_helpers import ADMIN_SETTINGS, admin_api, admin_web, form_token, mapp
from tests.fakes.binance import FakeBinance, kline
from tests.helpers import make_app
from tests.trading.helpers import Api, add_market
from tradedeck.admin import candles_jobs, candles_stats, dashboard_jobs
from tradedeck.audit.models import AuditEntry
from tradedeck.core.candles import OHLCV
from tradedeck.core.errors import DomainError
from tradedeck.extensions import db
from tradedeck.market import store
from tradedeck.market.models import Candle, Instrument
from tradedeck.worker.queue import get_huey

__all__ = ["admin_api", "admin_web", "mapp"]
# Tue 2026-11-03 and Wed 2026-11-04; New York trades 14:30-21:00 UTC.
TUE = int(datetime(2026, 11, 3, tzinfo=UTC).timestamp())
WED = TUE + 86_400


def _store_hours(app: Flask, instrument_id: int, times: list[int]) -> None:
    t = np.array(times, dtype=np.int64)
    ones = np.full(len(t), 100.0)
    with app.app_context():
        store.upsert_candles(instrument_id, "1h", OHLCV(t, ones, ones, ones, ones, ones))
        db.session.commit()


def _session_hours(day: int) -> list[int]:
    return [day + h * 3600 for h in range(14, 21)]  # buckets 14:00 .. 20:00 overlap 14:30-21:00


def test_night_is_no_gap_but_a_missing_session_hour_is(mapp: Flask) -> None:
    acme = mapp.config["MARKET"]["ACME"]
    hours = _session_hours(TUE) + _session_hours(WED)
    hours.remove(WED + 16 * 3600)
    _store_hours(mapp, acme, hours)
    with mapp.app_context():
        instrument = db.session.get(Instrument, acme)
        gaps = candles_stats.find_gaps(
            instrument, "1h", now=datetime.fromtimestamp(WED + 20 * 3600 + 60, UTC)
        )
    assert [g.to_json() for g in gaps] == [
        {"start": WED + 16 * 3600, "end": WED + 17 * 3600, "missing": 1}
    ]


def test_always_open_venue_counts_every_hole(mapp: Flask) -> None:
    btc = mapp.config["MARKET"]["BTC/USDT"]
    _store_hours(mapp, btc, [TUE, TUE + 3600, TUE + 5 * 3600])
    with mapp.app_context():
        gaps = candles_stats.find_gaps(db.session.get(Instrument, btc), "1h")
    assert [(g.start, g.missing) for g in gaps] == [(TUE + 7200, 3)]


def test_repair_job_fills_the_gap_with_progress(mapp: Flask, admin_api: Api) -> None:
    acme = mapp.config["MARKET"]["ACME"]
    hours = _session_hours(TUE) + _session_hours(WED)
    hours.remove(WED + 16 * 3600)
    hours.remove(TUE + 15 * 3600)
    _store_hours(mapp, acme, hours)
    coverage = admin_api.get(f"/api/v1/admin/instruments/{acme}/candles").get_json()
    one_hour = next(c for c in coverage["intervals"] if c["interval"] == "1h")
    assert one_hour["count"] == 12 and one_hour["first"] == TUE + 14 * 3600
    assert one_hour["gap_count"] >= 2
    before = one_hour["missing"]
    started = admin_api.post(
        f"/api/v1/admin/instruments/{acme}/candles/jobs", {"kind": "repair", "interval": "1h"}
    )
    assert started.status_code == 202, started.get_json()
    job = admin_api.get(f"/api/v1/admin/candles/jobs/{started.get_json()['id']}").get_json()
    assert (
        job["state"] == "done" and job["percent"] == 100 and job["total"] == one_hour["gap_count"]
    )
    assert job["stored"] == before
    with mapp.app_context():
        [entry] = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "candles.repair")
        ).all()
        assert entry.actor == "boss" and entry.target_label == "ACME"
        assert entry.after == {"interval": "1h", "days": None, "job": job["id"]}
    with mapp.app_context():
        stored = db.session.scalar(
            select(func.count()).where(Candle.instrument_id == acme, Candle.interval == "1h")
        )
        assert stored == 12 + before
        instrument = db.session.get(Instrument, acme)
        assert candles_stats.find_gaps(instrument, "1h") == []
        # the stored candles were left as they were
        kept = db.session.get(Candle, (acme, "1h", TUE + 14 * 3600))
        assert kept.open == 100.0


def test_backfill_extends_history(mapp: Flask, admin_api: Api) -> None:
    acme = mapp.config["MARKET"]["ACME"]
    started = admin_api.post(
        f"/api/v1/admin/instruments/{acme}/candles/jobs",
        {"kind": "backfill", "interval": "1d", "days": 10},
    )
    assert started.status_code == 202
    body = admin_api.get(f"/api/v1/admin/candles/jobs/{started.get_json()['id']}").get_json()
    assert body["state"] == "done" and body["stored"] >= 6


def test_bad_job_input(mapp: Flask, admin_api: Api) -> None:
    acme = mapp.config["MARKET"]["ACME"]
    url = f"/api/v1/admin/instruments/{acme}/candles/jobs"
    cases = [
        ({"kind": "nuke", "interval": "1h"}, "kind"),
        ({"kind": "repair", "interval": "7m"}, "interval"),
        ({"kind": "backfill", "interval": "1h", "days": 0}, "days"),
        ({"kind": "backfill", "interval": "1h", "days": "lots"}, "days"),
    ]
    for body, field in cases:
        response = admin_api.post(url, body)
        assert response.status_code == 400, body
        assert response.get_json()["error"]["field"] == field
    assert admin_api.post(
        "/api/v1/admin/instruments/999/candles/jobs", cases[0][0]
    ).status_code in (400, 404)
    assert admin_api.get("/api/v1/admin/candles/jobs/nope").status_code == 404


def test_pages_and_seed_endpoint(mapp: Flask, admin_web) -> None:
    acme = mapp.config["MARKET"]["ACME"]
    _store_hours(mapp, acme, _session_hours(TUE))
    overview = admin_web.get("/admin/candles").get_data(as_text=True)
    assert "ACME" in overview and "BTC/USDT" in overview
    detail = admin_web.get(f"/admin/candles/{acme}").get_data(as_text=True)
    assert 'id="coverage-table"' in detail and "No job has run for ACME yet." in detail
    token = form_token(admin_web, f"/admin/candles/{acme}")
    bad = admin_web.post(
        f"/admin/candles/{acme}/jobs",
        data={"kind": "backfill", "interval": "1h", "days": "0", "csrf_token": token},
    )
    assert bad.status_code == 200 and "days must be a whole number" in bad.get_data(as_text=True)
    ok = admin_web.post(
        f"/admin/candles/{acme}/jobs",
        data={"kind": "repair", "interval": "1h", "days": "", "csrf_token": token},
    )
    assert ok.status_code == 302
    progress = admin_web.get(f"/admin/candles/{acme}/job").get_data(as_text=True)
    assert 'id="job-state">done' in progress and "hx-get" not in progress
    seed = admin_web.get(f"/admin/api/candles/{acme}").get_json()
    assert seed["instrument"]["symbol"] == "ACME" and seed["job"]["state"] == "done"
    assert admin_web.get("/admin/api/candles/999").status_code == 404


def _exchange_app(tmp_path: Path, binance_url: str) -> Flask:
    app = make_app(tmp_path, **ADMIN_SETTINGS, TRADEDECK_BINANCE_URL=binance_url)
    app.config["MARKET"] = add_market(app)
    app.config["MARKET_PROVIDER_BACKOFF"] = 0.01
    get_huey(app).immediate = True
    return app


FEB = 1_706_745_600  # 2024-02-01 00:00 UTC, inside the fake Binance's history


def test_exchange_gap_is_fetched_from_the_provider(tmp_path: Path) -> None:
    with FakeBinance() as fake:
        app = _exchange_app(tmp_path, fake.url)
        btc = app.config["MARKET"]["BTC/USDT"]
        _store_hours(app, btc, [FEB, FEB + 3600, FEB + 5 * 3600])
        with app.app_context():
            instrument = db.session.get(Instrument, btc)
            job = candles_jobs.start_job(instrument, "repair", "1h")
            assert (job.state, job.total, job.stored) == ("done", 1, 3)
            filled = db.session.get(Candle, (btc, "1h", FEB + 2 * 3600))
            assert filled.open == pytest.approx(
                float(kline("BTCUSDT", "1h", (FEB + 7200) * 1000)[1])
            )
            assert db.session.get(Candle, (btc, "1h", FEB)).open == 100.0  # kept as stored
            assert candles_stats.find_gaps(instrument, "1h") == []


def test_failed_job_is_reported_and_counted(tmp_path: Path) -> None:
    app = _exchange_app(tmp_path, "http://127.0.0.1:9")
    btc = app.config["MARKET"]["BTC/USDT"]
    _store_hours(app, btc, [FEB, FEB + 5 * 3600])
    with app.app_context():
        instrument = db.session.get(Instrument, btc)
        job = candles_jobs.start_job(instrument, "repair", "1h")
        assert job.state == "failed" and job.message
        assert dashboard_jobs.queue_stats(get_huey(app))["failed"] == 1
        running = candles_jobs.save(get_huey(app), job.updated(id="other", state="running"))
        get_huey(app).put(candles_jobs.LATEST_KEY + str(btc), running.id)
        with pytest.raises(DomainError) as busy:
            candles_jobs.start_job(instrument, "backfill", "1h", 3)
        assert busy.value.status == 409 and busy.value.code == "busy"
