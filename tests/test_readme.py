from pathlib import Path

from tradedeck.config import SETTINGS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_readme_documents_every_setting_and_both_commands() -> None:
    for setting in SETTINGS:
        assert f"`{setting.env}`" in README, setting.env
    assert "make run" in README and "make test" in README
