from decimal import Decimal
from pathlib import Path

import pytest

from tradedeck.app import create_app
from tradedeck.config import SETTINGS, Config, ConfigError, load_config


def test_defaults_give_embedded_sqlite_in_instance_folder(tmp_path: Path) -> None:
    config = load_config(tmp_path, {"SECRET_KEY": "", "DATABASE_URL": "", "REDIS_URL": ""})
    assert config.database_url == f"sqlite:///{tmp_path / 'tradedeck.db'}"
    assert config.redis_url is None
    assert config.tick_interval_secs == 2
    assert config.order_rate_limit == "10/minute"
    assert len(config.secret_key) >= 32


@pytest.mark.parametrize("secret", ["", "change_me", "short-secret"])
def test_production_refuses_weak_secret(tmp_path: Path, secret: str) -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(tmp_path, {"TRADEDECK_ENV": "production", "SECRET_KEY": secret})


def test_production_with_strong_secret_sets_secure_cookies(tmp_path: Path) -> None:
    config = load_config(tmp_path, {"TRADEDECK_ENV": "production", "SECRET_KEY": "x" * 48})
    flask_config = config.to_flask()
    assert flask_config["SESSION_COOKIE_SECURE"] is True
    assert flask_config["JWT_COOKIE_SECURE"] is True


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TRADEDECK_ENV", "staging"),
        ("REGISTRATION_MODE", "invite"),
        ("TICK_INTERVAL_SECS", "x"),
        ("QUOTE_POLL_SECS", "nan"),
        ("ALLOW_SHORT", "maybe"),
        ("ORDER_RATE_LIMIT", "ten a minute"),
        ("LOG_LEVEL", "chatty"),
        ("MONEY_CEILING", "1e20"),
    ],
)
def test_invalid_settings_are_named(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=f"{name}={value!r}"):
        load_config(tmp_path, {name: value})


def test_environment_and_dotenv_are_read_overrides_win(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("FEE_BPS=7\nALLOW_SHORT=yes\nLOG_LEVEL=debug\nUNRELATED=1\n")
    monkeypatch.setenv("FEE_BPS", "8")
    monkeypatch.setenv("TRADEDECK_BINANCE_URL", "http://127.0.0.1:9/")
    monkeypatch.setenv("SLIPPAGE_BPS", "")  # empty means the default
    config = load_config(tmp_path, {"ALLOW_SHORT": "false"})
    assert config.fee_bps == Decimal(8)  # the environment beats .env
    assert config.allow_short is False  # an override beats both
    assert config.log_level == "DEBUG"  # from .env
    assert config.binance_url == "http://127.0.0.1:9"
    assert config.slippage_bps == Decimal(5)
    assert config.instance_path == tmp_path
    assert load_config(tmp_path, {"FEE_BPS": "9"}).fee_bps == Decimal(9)


def test_every_setting_has_a_meaning_and_its_variable(tmp_path: Path) -> None:
    assert len({s.env for s in SETTINGS}) == len(SETTINGS)
    for field_name, info in Config.model_fields.items():
        assert info.description, field_name
    assert "TRADEDECK_ENV" in {s.env for s in SETTINGS}
    assert load_config(tmp_path, {"TRADEDECK_ENV": "production", "SECRET_KEY": "k" * 40}).env == (
        "production"
    )


def test_plain_postgresql_url_uses_psycopg3(tmp_path: Path) -> None:
    config = load_config(tmp_path, {"DATABASE_URL": "postgresql://u@127.0.0.1/test"})
    assert config.database_url == "postgresql+psycopg://u@127.0.0.1/test"
    assert config.to_flask()["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True


def test_create_app_refuses_production_without_secret(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        create_app({"TRADEDECK_ENV": "production", "SECRET_KEY": ""}, instance_path=tmp_path)
