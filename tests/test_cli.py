from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.helpers import app_overrides
from tradedeck.cli import main


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The real `tradedeck` command on a fresh SQLite database in a temp working directory."""
    monkeypatch.chdir(tmp_path)
    for name, value in app_overrides(
        tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}"
    ).items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    return CliRunner()


def test_create_admin_and_bad_input(runner: CliRunner) -> None:
    args = [
        "create-admin",
        "--username",
        "boss",
        "--email",
        "boss@example.com",
        "--password",
        "Adm1n-pass",
    ]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "Created admin boss" in result.output
    again = runner.invoke(main, args)
    assert again.exit_code == 1 and "already registered" in again.output
    weak = runner.invoke(
        main,
        ["create-admin", "--username", "boss2", "--email", "b2@example.com", "--password", "short"],
    )
    assert weak.exit_code == 1 and "password" in weak.output


def test_access_key_create_prints_usable_keys(runner: CliRunner) -> None:
    result = runner.invoke(
        main, ["access-key", "create", "--count", "2", "--note", "beta", "--days", "7"]
    )
    assert result.exit_code == 0, result.output
    keys = result.output.split()
    assert len(keys) == 2 and len(set(keys)) == 2
    bad = runner.invoke(main, ["access-key", "create", "--days", "0"])
    assert bad.exit_code == 2
    listed = runner.invoke(main, ["access-key", "list", "--state", "unused"])
    assert listed.exit_code == 0 and listed.output.count("\tunused\tbeta") == 2
    first_id = listed.output.split("\t")[0]
    assert runner.invoke(main, ["access-key", "revoke", first_id]).exit_code == 0
    again = runner.invoke(main, ["access-key", "revoke", first_id])
    assert again.exit_code == 1 and "already revoked" in again.output
    audit = runner.invoke(main, ["audit", "list", "--actor", "cli"])
    assert audit.output.count('"access_key.create"') == 2
    assert audit.output.count('"access_key.revoke"') == 1


def test_seed_demo_once_and_never_in_production(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = runner.invoke(main, ["seed-demo"])
    assert first.exit_code == 0 and "Seeded demo data." in first.output, first.output
    second = runner.invoke(main, ["seed-demo"])
    assert "nothing seeded" in second.output
    monkeypatch.setenv("TRADEDECK_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "p" * 48)
    refused = runner.invoke(main, ["seed-demo"])
    assert refused.exit_code == 1 and "never seeded in production" in refused.output


def test_production_without_secret_is_a_clear_error(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRADEDECK_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "")
    result = runner.invoke(main, ["seed-demo"])
    assert result.exit_code == 2
    assert "SECRET_KEY" in result.output
