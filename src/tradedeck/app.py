"""`create_app()`: settings, extensions, blueprints, error handling and security headers."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask, Response, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from flask_openapi3 import Info, OpenAPI
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from werkzeug.exceptions import HTTPException

import tradedeck.models  # noqa: F401  (registers every table)
from tradedeck import __version__
from tradedeck.accounts.api import bp as auth_api
from tradedeck.accounts.models import Visitor
from tradedeck.accounts.views import bp as accounts_web
from tradedeck.admin.dashboard_setup import init_admin_jobs
from tradedeck.admin.setup import init_admin
from tradedeck.alerts.setup import init_alerts
from tradedeck.analysis.setup import init_analysis
from tradedeck.api.auth import enforce_api_access, load_user_from_request, load_user_from_session
from tradedeck.api.docs import bp as docs_web
from tradedeck.api.docs import install_docs
from tradedeck.api.errors import (
    error_response,
    is_api_request,
    register_error_handler,
    validation_error_response,
)
from tradedeck.audit.setup import init_audit
from tradedeck.backtests.setup import init_backtests
from tradedeck.charts.setup import init_charts
from tradedeck.config import Config, load_config
from tradedeck.extensions import csrf, db, jwt, limiter, login_manager, migrate
from tradedeck.health import bp as health_bp
from tradedeck.journal.setup import init_journal
from tradedeck.json_provider import OrjsonProvider
from tradedeck.logging_setup import configure_logging, install_request_logging
from tradedeck.market.setup import init_market
from tradedeck.metrics import install_metrics
from tradedeck.security import install_proxy_fix, install_security_headers
from tradedeck.signals.setup import init_signals
from tradedeck.sinks.setup import init_sinks
from tradedeck.trading.setup import init_trading
from tradedeck.tradingview.setup import init_tradingview
from tradedeck.venues.setup import init_venues
from tradedeck.web.nav import NavItem, nav_items, nav_menus, register_nav
from tradedeck.web.views import bp as web_bp
from tradedeck.worker.queue import init_queue

PACKAGE_DIR = Path(__file__).resolve().parent
MIGRATIONS_DIR = PACKAGE_DIR / "migrations"
log = logging.getLogger(__name__)

SECURITY_SCHEMES: dict[str, Any] = {
    "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
    "cookie": {"type": "apiKey", "in": "cookie", "name": "access_token_cookie"},
    "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
}


def create_app(
    overrides: dict[str, str] | None = None, instance_path: str | Path | None = None
) -> OpenAPI:
    """Build one TradeDeck app; nothing is shared between two apps but the process."""
    instance = Path(instance_path or Path.cwd() / "instance").resolve()
    instance.mkdir(parents=True, exist_ok=True)
    config = load_config(instance, overrides)
    configure_logging(config.log_level, config.log_format)

    app = OpenAPI(
        __name__,
        info=Info(title="TradeDeck API", version=__version__),
        security_schemes=SECURITY_SCHEMES,
        validation_error_status=400,
        validation_error_callback=validation_error_response,
        doc_prefix="/api/docs",
        doc_url="/openapi.json",
        instance_path=str(instance),
        template_folder=str(PACKAGE_DIR / "web" / "templates"),
        static_folder=str(PACKAGE_DIR / "web" / "static"),
    )
    app.json = OrjsonProvider(app)
    app.config.update(config.to_flask())

    _init_extensions(app, config)
    _register_blueprints(app)
    _register_error_handlers(app)
    install_security_headers(app, config.is_production)
    install_proxy_fix(app, config.trusted_proxies)
    install_request_logging(app)
    install_metrics(app)
    install_docs(app)
    init_queue(app, config)
    init_admin_jobs(app)  # after the queue: candle jobs are huey tasks
    init_tradingview(app)  # after the queue: its bulk job is a huey task
    init_backtests(app)  # after the queue: a run is a huey task

    @app.context_processor
    def _template_globals() -> dict[str, Any]:
        theme = current_user.theme if current_user.is_authenticated else None
        return {
            "theme": theme or request.cookies.get("theme", "dark"),
            "app_version": __version__,
            "registration_mode": config.registration_mode,
            "nav_items": nav_items,
            "nav_menus": nav_menus,
        }

    return app


def _init_extensions(app: Flask, config: Config) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    jwt.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.anonymous_user = Visitor
    login_manager.login_message_category = "warning"
    login_manager.request_loader(load_user_from_request)

    login_manager.user_loader(load_user_from_session)

    @login_manager.unauthorized_handler
    def _unauthorized() -> Any:
        if is_api_request():
            return error_response(401, "unauthorized", "Authentication is required.")
        flash("Please log in to see that page.", "warning")
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))

    for loader, code, message in (
        (jwt.expired_token_loader, "token_expired", "The access token has expired."),
        (jwt.invalid_token_loader, "invalid_token", "The access token is invalid."),
        (jwt.revoked_token_loader, "token_revoked", "The access token has been revoked."),
    ):
        loader(_jwt_error(code, message))
    jwt.unauthorized_loader(lambda reason: error_response(401, "unauthorized", reason))

    app.before_request(enforce_api_access)
    with app.app_context():
        _tune_sqlite()


def _jwt_error(code: str, message: str) -> Any:
    def handler(*_args: Any) -> Response:
        return error_response(401, code, message)

    return handler


def _tune_sqlite() -> None:
    """WAL + busy timeout: the web server and the worker share one SQLite file safely."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def _register_blueprints(app: OpenAPI) -> None:
    app.register_blueprint(web_bp)
    register_nav(app, NavItem("web.index", "Dashboard", "speedometer2"))
    app.register_blueprint(accounts_web)
    app.register_blueprint(health_bp)
    app.register_blueprint(docs_web)
    app.register_api(auth_api)
    csrf.exempt(auth_api)
    init_market(app)
    init_trading(app)
    init_journal(app)
    init_venues(app)
    init_analysis(app)
    init_charts(app)
    init_signals(app)
    init_alerts(app)
    init_sinks(app)
    init_audit(app)
    init_admin(app)


def _register_error_handlers(app: Flask) -> None:
    register_error_handler(app)  # every DomainError (ApiError included): status + error body

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError) -> Any:
        message = "The form expired or its security token is missing. Please try again."
        if is_api_request():
            return error_response(400, "csrf_failed", exc.description or message)
        return render_template(
            "errors/error.html", code=400, title="Bad request", message=message
        ), 400

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        code = exc.code or 500
        if is_api_request():
            if code == 429:
                response = error_response(
                    429,
                    "rate_limited",
                    f"Too many requests: limit is {exc.description}. Slow down.",
                )
            else:
                response = error_response(
                    code,
                    (exc.name or "error").lower().replace(" ", "_"),
                    exc.description or exc.name,
                )
        else:
            template = f"errors/{code}.html" if code in (403, 404, 429) else "errors/error.html"
            page = render_template(template, code=code, title=exc.name, message=exc.description)
            response = make_response(page, code)
        retry_after = dict(exc.get_headers()).get("Retry-After")
        if retry_after:
            response.headers["Retry-After"] = retry_after
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if is_api_request():
            return error_response(500, "internal_error", "Something went wrong on our side.")
        return render_template(
            "errors/500.html",
            code=500,
            title="Server error",
            message="Something went wrong on our side.",
        ), 500
