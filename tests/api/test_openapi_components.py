"""Each OpenAPI component name belongs to one pydantic model.

flask-openapi3 files a model under its schema title (the class name), so two features'
same-named models share one component: the last registered replaces the other, and the docs
(and the fuzz test's schema checks) describe one route with the other's model.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from flask_openapi3.utils import normalize_name
from pydantic import BaseModel

from tests.helpers import make_app


def _subclasses(cls: type[BaseModel]) -> set[type[BaseModel]]:
    found: set[type[BaseModel]] = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _subclasses(sub)
    return found


def _component_name(model: type[BaseModel]) -> str:
    return normalize_name(model.model_config.get("title") or model.__name__)


def test_no_two_models_share_a_component_name(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    documented = set(app.api_doc["components"]["schemas"])
    owners: dict[str, set[str]] = defaultdict(set)
    for model in _subclasses(BaseModel):
        if model.__module__.startswith("tradedeck.") and "[" not in model.__name__:
            owners[_component_name(model)].add(f"{model.__module__}.{model.__qualname__}")
    shared = {name: sorted(o) for name, o in owners.items() if name in documented and len(o) > 1}
    assert not shared, f"rename one of each: {shared}"
