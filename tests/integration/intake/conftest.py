"""Fixtures for the intake tests; defined in fixtures.py so tests/imap can share them."""

from tests.integration.intake.fixtures import (  # noqa: F401
    _background_deliveries_finish,
    windows,
)
