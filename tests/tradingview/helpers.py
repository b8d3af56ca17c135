"""TradingView test helpers: script ids, a sleep recorder, and rows an admin would have made."""

from __future__ import annotations

from flask import Flask

from tests.fakes.tradingview import FakeTradingView
from tests.helpers import create_user
from tradedeck.accounts.models import User
from tradedeck.extensions import db
from tradedeck.tradingview.models import PineScript, TradingViewLink, TradingViewSession
from tradedeck.tradingview.session import encrypt

PINE = "PUB;3be120ba74944ca7b32ad644f40aaff2"
OTHER_PINE = "PUB;ryMeUolWwdyo9F3MNleMvPPmoSDpGY4n"


class Sleeps(list[float]):
    """Records the waits a client asked for instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def store_session(app: Flask, fake: FakeTradingView) -> tuple[str, str]:
    """A valid session stored as if an admin had pasted it."""
    sessionid, sign = fake.new_session()
    with app.app_context():
        row = db.session.get(TradingViewSession, 1) or TradingViewSession(id=1)
        row.cookies_encrypted = encrypt({"sessionid": sessionid, "sessionid_sign": sign})
        row.account, row.valid, row.set_by = fake.owner, True, "root"
        db.session.add(row)
        db.session.commit()
    return sessionid, sign


def add_script(app: Flask, pine_id: str = PINE, name: str = "Smart Money") -> int:
    with app.app_context():
        script = PineScript(pine_id=pine_id, name=name, description="")
        db.session.add(script)
        db.session.commit()
        return script.id


def linked_user(app: Flask, username: str, tv_username: str) -> User:
    user = create_user(app, username)
    with app.app_context():
        db.session.add(
            TradingViewLink(user_id=user.id, username=tv_username, username_key=tv_username.lower())
        )
        db.session.commit()
    return user
