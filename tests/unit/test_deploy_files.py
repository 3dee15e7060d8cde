"""The deploy files agree with each other and with the settings the code reads."""

from __future__ import annotations

import json
import re
from pathlib import Path

import hiring_bot.config

REPO = Path(__file__).resolve().parents[2]


def _env_example_names() -> set[str]:
    text = (REPO / ".env.example").read_text()
    return set(re.findall(r"^([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))


def _names_read_by_settings() -> set[str]:
    source = Path(hiring_bot.config.__file__).read_text()
    found = re.findall(r'(?:text|_int|_ids|_flag)\((?:env, )?"([A-Z][A-Z0-9_]+)"', source)
    return set(found)


def test_env_example_lists_every_variable_the_settings_read() -> None:
    read = _names_read_by_settings()
    assert {"SLACK_BOT_TOKEN", "DATABASE_URL", "HIRING_TIMEZONE", "PORT"} <= read
    assert read <= _env_example_names()


def test_env_example_holds_no_real_secrets() -> None:
    text = (REPO / ".env.example").read_text()
    assert not re.search(r"xox[bp]-\d", text)
    assert not re.search(r"xapp-\d", text)


def test_app_json_describes_every_variable_and_the_heroku_formation() -> None:
    app = json.loads((REPO / "app.json").read_text())
    described = set(app["env"])
    missing = _env_example_names() - described - {"DATABASE_URL", "PORT"}  # Heroku sets these
    assert not missing
    assert all(spec.get("description") for spec in app["env"].values())
    assert {"web", "clock"} <= set(app["formation"])
    assert any(addon["plan"].startswith("heroku-postgresql") for addon in app["addons"])
    # The clock dyno runs the scheduler, so web must not run a second one.
    assert app["env"]["RUN_SCHEDULER"]["value"] == "0"


def test_readme_configuration_table_names_every_variable() -> None:
    readme = (REPO / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    for name in _env_example_names():
        assert f"`{name}`" in table, name


def test_readme_quickstart_walks_through_doctor_to_a_run() -> None:
    readme = (REPO / "README.md").read_text()
    quickstart = readme.split("## Quickstart", 1)[1].split("```", 2)[1]
    commands = [line.split("#")[0].strip() for line in quickstart.splitlines()[1:] if line.strip()]
    assert commands == ["make run", "make test"]
    # The way to a real deployment: windows first, then doctor until green, then run.
    in_slack = readme.split("### 2. Run it in Slack", 1)[1].split("```", 2)[1]
    steps = [line.split("#")[0].strip() for line in in_slack.splitlines()[1:] if line.strip()]
    assert steps == ["cp .env.example .env", "$EDITOR windows.toml", "make doctor", "make run"]
    makefile = (REPO / "Makefile").read_text()
    assert "\ndoctor: install\n\t$(BIN)/hiring-bot doctor\n" in makefile
