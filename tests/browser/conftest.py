"""Browser tests: the sandbox page in Debian's headless Chromium, driven by Playwright.

Chromium comes from `scripts/install-browser.sh` (`make test` runs it), never from
`playwright install`. Without it the tests are skipped with the reason, except in CI (CI=true),
where that is a failure. Screenshots go to test-artefacts/ at the repository root.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from hiring_bot.sandbox.server import Sandbox, SandboxOptions
from tests.conftest import REPO

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTEFACTS = REPO / "test-artefacts"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"the browser tests need Chromium in CI: {reason}")
    pytest.skip(f"{reason}; run scripts/install-browser.sh")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[dev]')")
    if not CHROMIUM.is_file() and shutil.which("chromium") is None:
        _unavailable(f"no Chromium at {CHROMIUM}")
    executable = str(CHROMIUM) if CHROMIUM.is_file() else str(shutil.which("chromium"))
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """A fresh sandbox (demo data and all) on an ephemeral port, for the tests of one module."""
    box = Sandbox(SandboxOptions(port=0, data_dir=tmp_path_factory.mktemp("sandbox"), reset=True))
    box.start()
    try:
        yield box
    finally:
        box.stop()


@pytest.fixture
def page(browser: object, sandbox: Sandbox, request: pytest.FixtureRequest) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(sandbox.url)
    try:
        yield page
    finally:
        ARTEFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTEFACTS / f"{request.node.name}-last.png"))
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def shot(page: object, name: str) -> Path:
    ARTEFACTS.mkdir(exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    page.screenshot(path=str(path))  # type: ignore[attr-defined]
    return path
