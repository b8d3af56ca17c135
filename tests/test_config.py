from pathlib import Path

import pytest

from tradedeck.app import create_app
from tradedeck.config import ConfigError, load_config


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
    [("TRADEDECK_ENV", "staging"), ("REGISTRATION_MODE", "invite"), ("TICK_INTERVAL_SECS", "x")],
)
def test_invalid_settings_are_named(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(ConfigError):
        load_config(tmp_path, {name: value})


def test_plain_postgresql_url_uses_psycopg3(tmp_path: Path) -> None:
    config = load_config(tmp_path, {"DATABASE_URL": "postgresql://u@127.0.0.1/test"})
    assert config.database_url == "postgresql+psycopg://u@127.0.0.1/test"
    assert config.to_flask()["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True


def test_create_app_refuses_production_without_secret(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        create_app({"TRADEDECK_ENV": "production", "SECRET_KEY": ""}, instance_path=tmp_path)
