"""Every TradeDeck setting: its environment variable, default and meaning.

Settings are read once per `create_app()` from the process environment (after `.env` is loaded),
so tests and several app instances in one process never share hidden global state.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

KNOWN_WEAK_SECRETS = frozenset(
    {"", "change_me", "changeme", "secret", "dev", "development", "please-change-me", "supersecret"}
)
MIN_SECRET_LENGTH = 32
MONEY_COLUMN_MAX = Decimal(92233720368)  # (2**63 - 1) * 1e-8, whole units (database.Money)


class ConfigError(RuntimeError):
    """Raised when the settings make a safe start impossible (e.g. weak secret in production)."""


@dataclass(frozen=True)
class Setting:
    """One documented setting; the README table is generated from these."""

    env: str
    default: str
    meaning: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "TRADEDECK_ENV",
        "development",
        "`development` or `production` (strict checks, no demo data).",
    ),
    Setting(
        "SECRET_KEY",
        "(random per start in development)",
        "Signs sessions, CSRF and JWT; required and strong (≥ 32 chars) in production.",
    ),
    Setting(
        "DATABASE_URL",
        "sqlite:///<instance>/tradedeck.db",
        "SQLAlchemy URL; `postgresql+psycopg://…` for PostgreSQL.",
    ),
    Setting(
        "REDIS_URL",
        "(unset: embedded mode)",
        "Redis for rate limits, job queue and pub/sub across processes.",
    ),
    Setting("LOG_LEVEL", "INFO", "Python logging level."),
    Setting(
        "REGISTRATION_MODE",
        "open",
        "`open` or `key` (a one-time access key is needed to register).",
    ),
    Setting("TICK_INTERVAL_SECS", "2", "Seconds between simulated price ticks."),
    Setting("DEFAULT_DRIFT", "0.0001", "Default daily drift of simulated instruments."),
    Setting("DEFAULT_VOLATILITY", "0.02", "Default daily volatility of simulated instruments."),
    Setting("MAX_TICK_PCT", "0.05", "Largest move of one simulated tick (fraction)."),
    Setting(
        "CANDLE_BACKFILL_DAYS",
        "30",
        "Days of history generated for simulated instruments on first start (only the"
        " minutes their venue trades: SIM has no weekend candles).",
    ),
    Setting(
        "CANDLE_CACHE_MB",
        "64",
        "Per-process cache of closed candles' JSON for `/api/v1/candles`, in MiB (0 = off).",
    ),
    Setting("TICK_RETENTION_DAYS", "7", "Days of engine ticks kept before they are pruned."),
    Setting(
        "QUOTE_MAX_AGE_SECS",
        "15",
        "Seconds an exchange/Yahoo quote counts as fresh; older ones are fetched again before "
        "`/api/v1/prices` answers, and flagged `stale` when the provider fails.",
    ),
    Setting(
        "QUOTE_POLL_SECS",
        "10",
        "Seconds between the worker's quote refreshes of exchange/Yahoo instruments with open "
        "positions or working orders (0 disables).",
    ),
    Setting("MARKET_TIMEZONE", "America/New_York", "Time zone of the SIM venue's trading hours."),
    Setting("ORDER_RATE_LIMIT", "10/minute", "Orders a user may place per period."),
    Setting("FEE_BPS", "5", "Commission per fill in basis points of its notional."),
    Setting("SLIPPAGE_BPS", "5", "Market and stop fills move this many bps against the trader."),
    Setting("ALLOW_SHORT", "false", "Allow selling more than is held (opens a short)."),
    Setting("DEPOSIT_LIMIT", "1000000", "Largest single cash deposit."),
    Setting("WITHDRAW_LIMIT", "1000000", "Largest single cash withdrawal."),
    Setting(
        "EXPORT_MAX_ROWS",
        "100000",
        "Rows in one CSV export (trades, cash): the newest are kept and the response carries"
        " `X-Export-Truncated: true` when older rows were left out.",
    ),
    Setting(
        "MONEY_CEILING",
        "10000000000",
        "Largest cash balance, order notional or position value an account may reach (400"
        " beyond); at most 92233720368, the SQLite money column's range.",
    ),
    Setting("EQUITY_SAMPLE_SECS", "300", "Seconds between equity history samples by the worker."),
    Setting("AUTH_RATE_LIMIT", "5/minute", "Login and registration attempts per IP per period."),
    Setting(
        "LOGIN_ACCOUNT_RATE_LIMIT",
        "10/minute",
        "Login attempts at one account (username or email) per period, from any IP.",
    ),
    Setting(
        "MAX_CONTENT_BYTES",
        "1048576",
        "Largest request body in bytes (413 beyond); routes that need more raise it themselves.",
    ),
    Setting(
        "TRUSTED_PROXIES",
        "0",
        "Reverse proxies in front of TradeDeck whose X-Forwarded-For/-Proto/-Host are trusted"
        " (0: none, the socket address is the client).",
    ),
    Setting(
        "TRADEDECK_BINANCE_URL",
        "https://api.binance.com",
        "Base URL of the Binance REST API (tests point it at a fake).",
    ),
    Setting(
        "TRADEDECK_YAHOO_URL",
        "https://query1.finance.yahoo.com",
        "Base URL of the Yahoo Finance API (tests point it at a fake).",
    ),
    Setting("JWT_EXPIRES_MINUTES", "60", "Lifetime of API access tokens."),
    Setting(
        "ANALYTICS_MAX_BARS",
        "20000",
        "Largest window `/api/v1/analytics` computes on stored candles, in bars (400 beyond).",
    ),
    Setting(
        "ANALYTICS_MAX_WARMUP_BARS",
        "5000",
        "Most bars of history before the window an analytics request reads or fetches for its "
        "studies' warm-up (longer warm-ups are cut here).",
    ),
    Setting(
        "MARKET_DATA_RATE_LIMIT",
        "120/minute",
        "Requests a user may make per period to each of `/api/v1/candles` and `/api/v1/prices`.",
    ),
    Setting(
        "ANALYTICS_RATE_LIMIT",
        "60/minute",
        "Requests a user may make to `/api/v1/analytics` per period.",
    ),
    Setting(
        "STREAM_MAX_PER_USER",
        "4",
        "Open `/api/v1/stream` connections per user in one process (429 beyond).",
    ),
    Setting(
        "STREAM_MAX_PER_PROCESS",
        "6",
        "Open `/api/v1/stream` connections per web process (keep below `GUNICORN_THREADS`).",
    ),
    Setting(
        "PROVIDER_WEB_TIMEOUT_SECS",
        "5",
        "HTTP timeout of exchange/Yahoo calls made inside a web request (the worker uses 10).",
    ),
    Setting(
        "PROVIDER_WEB_RETRIES",
        "1",
        "Retries of a failed exchange/Yahoo call inside a web request (the worker: 4).",
    ),
)


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


@dataclass(frozen=True)
class Config:
    """Typed settings of one app instance."""

    env: str
    secret_key: str
    database_url: str
    redis_url: str | None
    log_level: str
    registration_mode: str
    tick_interval_secs: float
    default_drift: Decimal
    default_volatility: Decimal
    max_tick_pct: Decimal
    candle_backfill_days: int
    candle_cache_mb: float
    tick_retention_days: int
    quote_max_age_secs: float
    quote_poll_secs: float
    market_timezone: str
    order_rate_limit: str
    fee_bps: Decimal
    slippage_bps: Decimal
    allow_short: bool
    deposit_limit: Decimal
    withdraw_limit: Decimal
    export_max_rows: int
    money_ceiling: Decimal
    equity_sample_secs: float
    auth_rate_limit: str
    login_account_rate_limit: str
    max_content_bytes: int
    trusted_proxies: int
    binance_url: str
    yahoo_url: str
    jwt_expires_minutes: int
    analytics_max_bars: int
    analytics_max_warmup_bars: int
    market_data_rate_limit: str
    analytics_rate_limit: str
    stream_max_per_user: int
    stream_max_per_process: int
    provider_web_timeout_secs: float
    provider_web_retries: int
    instance_path: Path = field(default=Path("instance"))

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    def to_flask(self) -> dict[str, object]:
        """Translate into the keys Flask and its extensions read."""
        secure = self.is_production
        flask_config: dict[str, object] = {
            "TRADEDECK": self,
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": engine_options(self.database_url),
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": secure,
            "REMEMBER_COOKIE_HTTPONLY": True,
            "REMEMBER_COOKIE_SAMESITE": "Lax",
            "REMEMBER_COOKIE_SECURE": secure,
            "WTF_CSRF_TIME_LIMIT": None,
            "RATELIMIT_STORAGE_URI": self.redis_url or "memory://",
            "RATELIMIT_HEADERS_ENABLED": True,
            "RATELIMIT_KEY_PREFIX": "tradedeck",
            "JWT_SECRET_KEY": self.secret_key,
            "JWT_TOKEN_LOCATION": ["headers", "cookies"],
            "JWT_COOKIE_SECURE": secure,
            "JWT_COOKIE_SAMESITE": "Lax",
            "JWT_COOKIE_CSRF_PROTECT": True,
            "MAX_CONTENT_LENGTH": self.max_content_bytes,
            "JWT_ACCESS_COOKIE_PATH": "/",
            "JWT_ACCESS_TOKEN_EXPIRES": self.jwt_expires_minutes * 60,
            "JSON_SORT_KEYS": False,
        }
        return flask_config


def engine_options(database_url: str) -> dict[str, object]:
    """Pool settings: pre-ping and recycle keep PostgreSQL connections healthy across restarts;
    READ COMMITTED is stated, not assumed, because the account lock relies on it."""
    if database_url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    return {
        "pool_pre_ping": True,
        "pool_recycle": 1800,
        "pool_size": 10,
        "max_overflow": 20,
        "isolation_level": "READ COMMITTED",
    }


def _non_negative(name: str, value: str) -> float:
    number = float(value)
    if not number >= 0:  # also refuses NaN
        raise ValueError(f"{name} must be a number of seconds >= 0, not {value!r}")
    return number


def _megabytes(name: str, value: str) -> float:
    number = float(value)
    if not 0 <= number < 1024 * 1024:  # also refuses NaN and infinity
        raise ValueError(f"{name} must be a number of MiB >= 0, not {value!r}")
    return number


def _money_ceiling(value: str) -> Decimal:
    """Below the money columns' range: SQLite keeps amounts as 64-bit integers of 1e-8."""
    try:
        ceiling = Decimal(value)
    except ArithmeticError:
        raise ValueError(f"MONEY_CEILING must be a number, not {value!r}") from None
    if not 0 < ceiling <= MONEY_COLUMN_MAX:
        raise ValueError(f"MONEY_CEILING must be above 0 and at most {MONEY_COLUMN_MAX}")
    return ceiling


def _count(name: str, value: str, *, minimum: int = 1) -> int:
    number = int(value)
    if number < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, not {value!r}")
    return number


def load_config(instance_path: Path, overrides: dict[str, str] | None = None) -> Config:
    """Read settings from the environment (plus explicit overrides) and validate them."""
    values = {s.env: _env(s.env, "") for s in SETTINGS}
    values.update(overrides or {})

    def get(name: str, default: str) -> str:
        value = values.get(name)
        return default if value in (None, "") else str(value)

    env = get("TRADEDECK_ENV", "development")
    if env not in ("development", "production"):
        raise ConfigError(f"TRADEDECK_ENV must be 'development' or 'production', not {env!r}")
    secret = get("SECRET_KEY", "")
    if env == "production" and (
        secret.lower() in KNOWN_WEAK_SECRETS or len(secret) < MIN_SECRET_LENGTH
    ):
        raise ConfigError(
            f"SECRET_KEY must be a random value of at least {MIN_SECRET_LENGTH} characters in "
            "production (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
        )
    if not secret:
        secret = secrets.token_urlsafe(48)
    registration_mode = get("REGISTRATION_MODE", "open")
    if registration_mode not in ("open", "key"):
        raise ConfigError(f"REGISTRATION_MODE must be 'open' or 'key', not {registration_mode!r}")
    database_url = get("DATABASE_URL", f"sqlite:///{instance_path / 'tradedeck.db'}")
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    try:
        return Config(
            env=env,
            secret_key=secret,
            database_url=database_url,
            redis_url=get("REDIS_URL", "") or None,
            log_level=get("LOG_LEVEL", "INFO").upper(),
            registration_mode=registration_mode,
            tick_interval_secs=float(get("TICK_INTERVAL_SECS", "2")),
            default_drift=Decimal(get("DEFAULT_DRIFT", "0.0001")),
            default_volatility=Decimal(get("DEFAULT_VOLATILITY", "0.02")),
            max_tick_pct=Decimal(get("MAX_TICK_PCT", "0.05")),
            candle_backfill_days=int(get("CANDLE_BACKFILL_DAYS", "30")),
            candle_cache_mb=_megabytes("CANDLE_CACHE_MB", get("CANDLE_CACHE_MB", "64")),
            tick_retention_days=int(get("TICK_RETENTION_DAYS", "7")),
            quote_max_age_secs=_non_negative("QUOTE_MAX_AGE_SECS", get("QUOTE_MAX_AGE_SECS", "15")),
            quote_poll_secs=_non_negative("QUOTE_POLL_SECS", get("QUOTE_POLL_SECS", "10")),
            market_timezone=get("MARKET_TIMEZONE", "America/New_York"),
            order_rate_limit=get("ORDER_RATE_LIMIT", "10/minute"),
            fee_bps=Decimal(get("FEE_BPS", "5")),
            slippage_bps=Decimal(get("SLIPPAGE_BPS", "5")),
            allow_short=get("ALLOW_SHORT", "false").lower() in ("1", "true", "yes", "on"),
            deposit_limit=Decimal(get("DEPOSIT_LIMIT", "1000000")),
            withdraw_limit=Decimal(get("WITHDRAW_LIMIT", "1000000")),
            export_max_rows=_count("EXPORT_MAX_ROWS", get("EXPORT_MAX_ROWS", "100000")),
            money_ceiling=_money_ceiling(get("MONEY_CEILING", "10000000000")),
            equity_sample_secs=float(get("EQUITY_SAMPLE_SECS", "300")),
            auth_rate_limit=get("AUTH_RATE_LIMIT", "5/minute"),
            login_account_rate_limit=get("LOGIN_ACCOUNT_RATE_LIMIT", "10/minute"),
            max_content_bytes=_count("MAX_CONTENT_BYTES", get("MAX_CONTENT_BYTES", "1048576")),
            trusted_proxies=_count("TRUSTED_PROXIES", get("TRUSTED_PROXIES", "0"), minimum=0),
            binance_url=get("TRADEDECK_BINANCE_URL", "https://api.binance.com").rstrip("/"),
            yahoo_url=get("TRADEDECK_YAHOO_URL", "https://query1.finance.yahoo.com").rstrip("/"),
            jwt_expires_minutes=int(get("JWT_EXPIRES_MINUTES", "60")),
            analytics_max_bars=_count("ANALYTICS_MAX_BARS", get("ANALYTICS_MAX_BARS", "20000")),
            analytics_max_warmup_bars=_count(
                "ANALYTICS_MAX_WARMUP_BARS", get("ANALYTICS_MAX_WARMUP_BARS", "5000"), minimum=0
            ),
            market_data_rate_limit=get("MARKET_DATA_RATE_LIMIT", "120/minute"),
            analytics_rate_limit=get("ANALYTICS_RATE_LIMIT", "60/minute"),
            stream_max_per_user=_count("STREAM_MAX_PER_USER", get("STREAM_MAX_PER_USER", "4")),
            stream_max_per_process=_count(
                "STREAM_MAX_PER_PROCESS", get("STREAM_MAX_PER_PROCESS", "6")
            ),
            provider_web_timeout_secs=_non_negative(
                "PROVIDER_WEB_TIMEOUT_SECS", get("PROVIDER_WEB_TIMEOUT_SECS", "5")
            ),
            provider_web_retries=_count(
                "PROVIDER_WEB_RETRIES", get("PROVIDER_WEB_RETRIES", "1"), minimum=0
            ),
            instance_path=instance_path,
        )
    except (ValueError, ArithmeticError) as exc:
        raise ConfigError(f"invalid setting: {exc}") from exc
