"""Secrets sealed at rest open only with the same SECRET_KEY and purpose."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import make_app
from tradedeck.sealed import seal, unseal


def test_a_sealed_secret_opens_with_its_key_and_purpose_only(tmp_path: Path) -> None:
    app = make_app(tmp_path / "a", SECRET_KEY="k" * 40)
    other = make_app(tmp_path / "b", SECRET_KEY="o" * 40)
    with app.app_context():
        token = seal("tgram://bot-token/chat", "channel")
        assert "bot-token" not in token
        assert unseal(token, "channel") == "tgram://bot-token/chat"
        assert unseal(token, "tradingview-session") is None
        assert unseal(token[:-4], "channel") is None
        assert unseal("", "channel") is None and unseal(None, "channel") is None
    with other.app_context():
        assert unseal(token, "channel") is None
