"""Every TradeDeck setting, declared once: its environment variable, default, type and meaning.

`Config` is a pydantic-settings model: each field is one setting, read from the process
environment or a `.env` file in the working directory (the environment wins), and validated by
its type and bounds. The variable is the field name in capitals unless the field names another
(`validation_alias`). Settings are read once per `create_app()`, so tests and several app
instances in one process never share hidden global state. The README settings table is
generated from these fields (`python -m tradedeck.config`; tests/test_readme.py checks it).

Add a setting as one field, e.g.
`export_max_rows: int = setting(100000, "Rows in one CSV export.", ge=1)`, then paste its README
row from `python -m tradedeck.config`.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from limits import parse_many
from pydantic import AfterValidator, AliasGenerator, Field, PrivateAttr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

KNOWN_WEAK_SECRETS = frozenset(
    {"", "change_me", "changeme", "secret", "dev", "development", "please-change-me", "supersecret"}
)
MIN_SECRET_LENGTH = 32
MONEY_COLUMN_MAX = Decimal(92233720368)  # (2**63 - 1) * 1e-8, whole units (database.Money)
SHOWN_DEFAULT = "shown_default"  # README text for a default computed at start


class ConfigError(RuntimeError):
    """Raised when the settings make a safe start impossible (e.g. weak secret in production)."""


def setting(
    default: Any, meaning: str, *, env: str | None = None, shown: str | None = None, **bounds: Any
) -> Any:
    """One setting's default, meaning and bounds (`ge`, `lt`, …); `env` when the variable is not
    the field name in capitals, `shown` when the README shows a default computed at start."""
    return Field(
        default,
        description=meaning,
        validation_alias=env,
        json_schema_extra={SHOWN_DEFAULT: shown} if shown else None,
        **bounds,
    )


def _rate(value: str) -> str:
    """Refuse a rate limit the limiter could not parse at the first request (e.g. `10/minute`)."""
    parse_many(value)
    return value


def _log_level(value: str) -> str:
    level = value.upper()
    if level not in logging.getLevelNamesMapping():
        raise ValueError(f"not a logging level: {value!r}")
    return level


RateLimit = Annotated[str, AfterValidator(_rate)]
LogLevel = Annotated[str, AfterValidator(_log_level)]
BaseUrl = Annotated[str, AfterValidator(lambda url: url.rstrip("/"))]
Seconds = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=1)]
Bps = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]


class Config(BaseSettings):
    """Typed settings of one app instance (one field per environment variable)."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_ignore_empty=True,  # VAR= in the environment or `.env` means "use the default"
        case_sensitive=True,
        extra="ignore",
        frozen=True,
        validate_default=True,
        alias_generator=AliasGenerator(validation_alias=str.upper),
    )

    env: Literal["development", "production"] = setting(
        "development",
        "`development` or `production` (strict checks, no demo data).",
        env="TRADEDECK_ENV",
    )
    secret_key: str = setting(
        "",
        "Signs sessions, CSRF and JWT; required and strong (≥ 32 chars) in production.",
        shown="(random per start in development)",
    )
    database_url: str = setting(
        "",
        "SQLAlchemy URL; `postgresql+psycopg://…` for PostgreSQL.",
        shown="sqlite:///<instance>/tradedeck.db",
    )
    redis_url: str | None = setting(
        None,
        "Redis for rate limits, job queue and pub/sub across processes.",
        shown="(unset: embedded mode)",
    )
    log_level: LogLevel = setting("INFO", "Python logging level.")
    registration_mode: Literal["open", "key"] = setting(
        "open", "`open` or `key` (a one-time access key is needed to register)."
    )
    tick_interval_secs: Seconds = setting(2, "Seconds between simulated price ticks.")
    default_drift: Decimal = setting(
        Decimal("0.0001"), "Default daily drift of simulated instruments.", allow_inf_nan=False
    )
    default_volatility: Decimal = setting(
        Decimal("0.02"), "Default daily volatility of simulated instruments.", ge=0
    )
    max_tick_pct: Decimal = setting(
        Decimal("0.05"), "Largest move of one simulated tick (fraction).", gt=0, lt=1
    )
    candle_backfill_days: int = setting(
        30,
        "Days of history generated for simulated instruments on first start (only the"
        " minutes their venue trades: SIM has no weekend candles).",
        ge=0,
    )
    candle_cache_mb: float = setting(
        64,
        "Per-process cache of closed candles' JSON for `/api/v1/candles`, in MiB (0 = off).",
        ge=0,
        lt=1024 * 1024,
    )
    tick_retention_days: int = setting(7, "Days of engine ticks kept before they are pruned.", ge=0)
    quote_max_age_secs: Seconds = setting(
        15,
        "Seconds an exchange/Yahoo quote counts as fresh; older ones are fetched again before "
        "`/api/v1/prices` answers, and flagged `stale` when the provider fails.",
    )
    quote_poll_secs: Seconds = setting(
        10,
        "Seconds between the worker's quote refreshes of exchange/Yahoo instruments with open "
        "positions or working orders (0 disables).",
    )
    market_timezone: str = setting(
        "America/New_York", "Time zone of the SIM venue's trading hours."
    )
    order_rate_limit: RateLimit = setting("10/minute", "Orders a user may place per period.")
    fee_bps: Bps = setting(Decimal(5), "Commission per fill in basis points of its notional.")
    slippage_bps: Bps = setting(
        Decimal(5), "Market and stop fills move this many bps against the trader."
    )
    allow_short: bool = setting(False, "Allow selling more than is held (opens a short).")
    deposit_limit: Decimal = setting(Decimal(1000000), "Largest single cash deposit.", gt=0)
    withdraw_limit: Decimal = setting(Decimal(1000000), "Largest single cash withdrawal.", gt=0)
    export_max_rows: Count = setting(
        100000,
        "Rows in one CSV export (trades, cash): the newest are kept and the response carries"
        " `X-Export-Truncated: true` when older rows were left out.",
    )
    money_ceiling: Decimal = setting(
        Decimal(10000000000),
        "Largest cash balance, order notional or position value an account may reach (400"
        " beyond); at most 92233720368, the SQLite money column's range.",
        gt=0,
        le=MONEY_COLUMN_MAX,
    )
    equity_sample_secs: Seconds = setting(
        300, "Seconds between equity history samples by the worker."
    )
    equity_sample_retention_days: Count = setting(
        90,
        "Days of equity history samples kept; older ones are pruned as the worker samples (the"
        " portfolio chart shows the last 90 days).",
    )
    auth_rate_limit: RateLimit = setting(
        "5/minute", "Login and registration attempts per IP per period."
    )
    login_account_rate_limit: RateLimit = setting(
        "10/minute", "Login attempts at one account (username or email) per period, from any IP."
    )
    max_content_bytes: Count = setting(
        1048576,
        "Largest request body in bytes (413 beyond); routes that need more raise it themselves.",
    )
    trusted_proxies: int = setting(
        0,
        "Reverse proxies in front of TradeDeck whose X-Forwarded-For/-Proto/-Host are trusted"
        " (0: none, the socket address is the client).",
        ge=0,
    )
    binance_url: BaseUrl = setting(
        "https://api.binance.com",
        "Base URL of the Binance REST API (tests point it at a fake).",
        env="TRADEDECK_BINANCE_URL",
    )
    yahoo_url: BaseUrl = setting(
        "https://query1.finance.yahoo.com",
        "Base URL of the Yahoo Finance API (tests point it at a fake).",
        env="TRADEDECK_YAHOO_URL",
    )
    tradingview_url: BaseUrl = setting(
        "https://www.tradingview.com",
        "Base URL of TradingView's Pine script access endpoints (tests point it at a fake).",
        env="TRADEDECK_TRADINGVIEW_URL",
    )
    tradingview_signin_cooldown_secs: Seconds = setting(
        600,
        "Seconds between two password sign-ins to TradingView (repeated logins bring captchas"
        " and account blocks; pasting cookies is not limited).",
    )
    tradingview_bulk_concurrency: Count = setting(
        4, "TradingView calls one bulk grant/remove job makes at the same time.", le=16
    )
    tradingview_breaker_failures: Count = setting(
        3, "Consecutive failed items after which a bulk job stops (circuit breaker)."
    )
    tradingview_expiry_secs: Seconds = setting(
        300, "Seconds between the worker's TradingView expiry and reconcile passes (0 disables)."
    )
    jwt_expires_minutes: Count = setting(60, "Lifetime of API access tokens.")
    analytics_max_bars: Count = setting(
        20000,
        "Largest window `/api/v1/analytics` computes on stored candles, in bars (400 beyond).",
    )
    analytics_max_warmup_bars: int = setting(
        5000,
        "Most bars of history before the window an analytics request reads or fetches for its "
        "studies' warm-up (longer warm-ups are cut here).",
        ge=0,
    )
    backtest_max_bars: Count = setting(
        50000, "Most candles one backtest reads (a longer range is a 400 naming `start`)."
    )
    backtest_max_runs: Count = setting(
        200, "Saved backtests per user; a new run beyond it is a 409 until old ones are deleted."
    )
    market_data_rate_limit: RateLimit = setting(
        "120/minute",
        "Requests a user may make per period to each of `/api/v1/candles` and `/api/v1/prices`.",
    )
    analytics_rate_limit: RateLimit = setting(
        "60/minute", "Requests a user may make to `/api/v1/analytics` per period."
    )
    stream_max_per_user: Count = setting(
        4, "Open `/api/v1/stream` connections per user in one process (429 beyond)."
    )
    stream_max_per_process: Count = setting(
        6, "Open `/api/v1/stream` connections per web process (keep below `GUNICORN_THREADS`)."
    )
    provider_web_timeout_secs: Seconds = setting(
        5, "HTTP timeout of exchange/Yahoo calls made inside a web request (the worker uses 10)."
    )
    provider_web_retries: int = setting(
        1, "Retries of a failed exchange/Yahoo call inside a web request (the worker: 4).", ge=0
    )
    backup_dir: Path | None = setting(
        None,
        "Folder of `tradedeck db backup` files (`tradedeck-<UTC time>.sqlite3` / `.pgdump`).",
        shown="<instance>/backups",
    )
    backup_keep: Count = setting(
        14, "Backups kept by `tradedeck db backup`; older ones are deleted."
    )
    log_format: Literal["text", "json"] = setting(
        "text",
        "`text` or `json` (one JSON object per line, with the request id, for log shippers).",
    )
    metrics_token: str | None = setting(
        None,
        "Bearer token Prometheus sends to `/metrics`; without it only 127.0.0.1/::1 may read it.",
        shown="(unset: loopback clients only)",
    )
    stream_server_max_clients: Count = setting(
        10000,
        "Open streams one `tradedeck stream` process serves (429 beyond); per user"
        " `STREAM_MAX_PER_USER` applies too.",
    )
    scan_rate_limit: RateLimit = setting(
        "1/minute", "Pattern scans a user may start with `POST /api/v1/scan` per period."
    )
    fetch_rate_limit: RateLimit = setting(
        "5/minute", "Candle refreshes a user may start with `POST /api/v1/fetch` per period."
    )
    scan_remote_secs: Seconds = setting(
        30,
        "Seconds between the worker's checks for closed candles of watched exchange/Yahoo"
        " series (fetched and scanned once per close; 0 disables).",
    )
    alert_delivery_secs: Seconds = setting(
        5, "Seconds between the worker's passes over pending notification deliveries."
    )
    alert_max_attempts: Count = setting(
        5, "Attempts to deliver a notification to a channel before it is logged as failed."
    )
    alert_retry_secs: Seconds = setting(
        30, "First retry delay of a failed delivery; doubles with every further attempt."
    )
    public_base_url: BaseUrl = setting(
        "",
        "Address of this TradeDeck (e.g. `https://trade.example.com`) put in front of the links"
        " in notifications sent to channels (unset: links are paths).",
        shown="(unset)",
    )
    notify_stream_max_per_user: Count = setting(
        4, "Open `/api/v1/notifications/stream` connections per user in one process (429 beyond)."
    )
    notify_stream_max_per_process: Count = setting(
        8,
        "Open `/api/v1/notifications/stream` connections per web process (each holds a server"
        " thread while open; the bell polls every 30 s when refused).",
    )
    use_aws: bool = setting(
        False, "Publish executed trades to SNS and mirror users and trades to DynamoDB."
    )
    aws_region: str = setting("us-east-1", "AWS region of the SNS topic and DynamoDB tables.")
    aws_endpoint_url: str | None = setting(
        None,
        "Endpoint of SNS and DynamoDB (tests: a local moto server).",
        shown="(unset: AWS)",
    )
    dynamodb_table_users: str = setting("UsersTable", "DynamoDB table mirroring users.")
    dynamodb_table_trades: str = setting("TradesTable", "DynamoDB table mirroring trades.")
    sns_topic_arn: str | None = setting(
        None,
        "SNS topic executed trades are published to (required with `USE_AWS`).",
        shown="(unset)",
    )

    _instance_path: Path = PrivateAttr(default=Path("instance"))

    @property
    def instance_path(self) -> Path:
        """The app's instance folder (create_app's argument, not an environment setting)."""
        return self._instance_path

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


@dataclass(frozen=True)
class Setting:
    """One row of the README settings table."""

    env: str
    default: str
    meaning: str


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _settings() -> tuple[Setting, ...]:
    rows = []
    for name, info in Config.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        shown = extra.get(SHOWN_DEFAULT)
        rows.append(
            Setting(
                env=str(info.validation_alias or name.upper()),
                default=str(shown) if shown else _shown(info.default),
                meaning=info.description or "",
            )
        )
    return tuple(rows)


SETTINGS: tuple[Setting, ...] = _settings()


def settings_table() -> str:
    """The README's settings table, one row per `Config` field."""
    lines = ["| Variable | Default | Meaning |", "|---|---|---|"]
    lines += [f"| `{s.env}` | `{s.default}` | {s.meaning} |" for s in SETTINGS]
    return "\n".join(lines)


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


def _describe(error: ValidationError) -> str:
    problems = []
    for item in error.errors(include_url=False):
        name = ".".join(str(part) for part in item["loc"]) or "settings"
        problems.append(f"{name}={item.get('input')!r}: {item['msg']}")
    return "invalid setting " + "; ".join(problems)


def load_config(instance_path: Path, overrides: dict[str, Any] | None = None) -> Config:
    """Read settings from explicit overrides, the environment and `.env` (in that order of
    precedence) and validate them; an empty value means the default."""
    given = {name: value for name, value in (overrides or {}).items() if value not in (None, "")}
    try:
        config = Config(**given)
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None
    secret = config.secret_key
    if config.is_production and (
        secret.lower() in KNOWN_WEAK_SECRETS or len(secret) < MIN_SECRET_LENGTH
    ):
        raise ConfigError(
            f"SECRET_KEY must be a random value of at least {MIN_SECRET_LENGTH} characters in "
            "production (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
        )
    database_url = config.database_url or f"sqlite:///{instance_path / 'tradedeck.db'}"
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    config = config.model_copy(
        update={
            "secret_key": secret or secrets.token_urlsafe(48),
            "database_url": database_url,
            "backup_dir": config.backup_dir or instance_path / "backups",
        }
    )
    config._instance_path = instance_path
    return config


if __name__ == "__main__":
    print(settings_table())
