"""`init_admin(app)`: every admin page, API and command. Each part of the console adds its
blueprints to `BLUEPRINTS`/`API_BLUEPRINTS` and its navbar entries to `NAV` below."""

from __future__ import annotations

from flask_openapi3 import APIBlueprint, OpenAPI

from tradedeck.extensions import csrf
from tradedeck.web.nav import NavItem, register_nav


def _parts() -> tuple[list[object], list[APIBlueprint], list[NavItem]]:
    """(page blueprints, API blueprints, nav items); imported here so each module stays small."""
    return [], [], []


def init_admin(app: OpenAPI) -> None:
    pages, apis, nav = _parts()
    for blueprint in pages:
        app.register_blueprint(blueprint)  # type: ignore[arg-type]
    for api in apis:
        app.register_api(api)
        csrf.exempt(api)
    for item in nav:
        register_nav(app, item)
