from pathlib import Path

from tradedeck.config import SETTINGS, settings_table

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_readme_settings_table_is_generated_from_config() -> None:
    """Each setting's row (variable, default, meaning) as `python -m tradedeck.config` prints it."""
    rows = set(README.splitlines())
    missing = [line for line in settings_table().splitlines() if line not in rows]
    assert not missing, "README settings rows differ from config.py:\n" + "\n".join(missing)


def test_readme_documents_every_setting_and_both_commands() -> None:
    for setting in SETTINGS:
        assert f"`{setting.env}`" in README, setting.env
    assert "make run" in README and "make test" in README
