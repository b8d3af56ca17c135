"""Benchmark: alert evaluation on every tick with 10,000 level/line rules (issue 15).

Run: .venv/bin/python bench/alerts_eval.py
A throwaway app (SQLite in a temporary folder) holds 10,000 enabled cross rules on 100
instruments; each engine tick of the 100 instruments goes through the real `market.tick`
receiver (`alerts.evaluator.on_ticks`: version check query + vectorised comparison). CPU per
tick is divided by the tick interval (TICK_INTERVAL_SECS, 2 s) for the share of one core;
the reference in the same run is the same rules checked one by one in Python.
Target: < 5% of one core.
"""

from __future__ import annotations

import random
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from tradedeck.accounts.models import User
from tradedeck.alerts import evaluator
from tradedeck.alerts.models import AlertRule
from tradedeck.app import create_app
from tradedeck.extensions import db
from tradedeck.market.engine import TickEvent
from tradedeck.market.models import Instrument, Venue

RULES, INSTRUMENTS, TICKS = 10_000, 100, 200
TICK_SECS = 2.0


def setup(folder: Path):
    app = create_app(
        {
            "SECRET_KEY": "x" * 40,
            "DATABASE_URL": f"sqlite:///{folder / 'b.db'}",
            "LOG_LEVEL": "ERROR",
        },
        instance_path=folder / "instance",
    )
    with app.app_context():
        db.create_all()
        user = User(username="b", username_key="b", email="b@example.com", password_hash="x")
        venue = Venue(code="SIM", name="Simulated", kind="simulated", always_open=True)
        db.session.add_all([user, venue])
        db.session.flush()
        ids = []
        for i in range(INSTRUMENTS):
            instrument = Instrument(venue_id=venue.id, symbol=f"S{i}", name=f"S{i}")
            db.session.add(instrument)
            db.session.flush()
            ids.append(instrument.id)
        rng = random.Random(1)
        db.session.execute(
            AlertRule.__table__.insert(),
            [
                {
                    "user_id": user.id,
                    "kind": "price_cross",
                    "name": f"r{n}",
                    "instrument_id": ids[n % INSTRUMENTS],
                    "level": Decimal(rng.choice([50, 150]) + rng.randint(0, 40)),
                    "enabled": True,
                    "armed": True,
                }
                for n in range(RULES)
            ],
        )
        db.session.commit()
    return app, ids


def ticks(ids: list[int], n: int) -> list[TickEvent]:
    price = Decimal("100") + Decimal(n % 7) / 10
    return [TickEvent(i, f"S{i}", "SIM", price, None, 1_790_000_000 + 2 * n, {}) for i in ids]


def one_by_one(rules: list[tuple[int, float]], batch: list[TickEvent], sides: dict) -> int:
    prices = {t.instrument_id: float(t.price) for t in batch}
    fired = 0
    for rule_id, (instrument_id, level) in enumerate(rules):
        price = prices.get(instrument_id)
        if price is None:
            continue
        side = 1 if price > level else -1
        fired += sides.get(rule_id, side) != side
        sides[rule_id] = side
    return fired


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app, ids = setup(Path(tmp))
        with app.app_context():
            evaluator.on_ticks(app, ticks(ids, 0))  # load the rules once
            start = time.process_time()
            for n in range(1, TICKS + 1):
                evaluator.on_ticks(app, ticks(ids, n))
            ours = (time.process_time() - start) / TICKS
            rows = db.session.execute(
                db.select(AlertRule.instrument_id, AlertRule.level).order_by(AlertRule.id)
            ).all()
        rules = [(i, float(level)) for i, level in rows]
        sides: dict = {}
        start = time.process_time()
        for n in range(1, TICKS + 1):
            one_by_one(rules, ticks(ids, n), sides)
        reference = (time.process_time() - start) / TICKS
    print(f"{RULES:,} cross rules on {INSTRUMENTS} instruments, {TICKS} ticks")
    print(f"per tick: {ours * 1e3:.2f} ms CPU = {ours / TICK_SECS:.2%} of one core (target < 5%)")
    print(f"reference, rules checked one by one in Python: {reference * 1e3:.2f} ms per tick")


if __name__ == "__main__":
    main()
