"""Migrations are the schema: one head, and upgrading a fresh database matches the models."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import upgrade

from tests.helpers import app_overrides
from tradedeck.app import MIGRATIONS_DIR, create_app
from tradedeck.extensions import db


def test_single_head() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_upgrade_fresh_sqlite_matches_models(tmp_path: Path) -> None:
    overrides = app_overrides(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'migrated.db'}")
    app = create_app(overrides, instance_path=tmp_path / "instance")
    with app.app_context():
        upgrade(directory=str(MIGRATIONS_DIR))
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert diff == []


def test_every_table_has_created_and_updated_at() -> None:
    missing = [
        table.name
        for table in db.metadata.sorted_tables
        if not {"created_at", "updated_at"} <= set(table.columns.keys())
    ]
    assert missing == []
