"""Fixtures for the end-to-end tests: upstream client instances bound to a server."""

from __future__ import annotations

import pytest

from mrtest.clients import make_client


@pytest.fixture(scope="session")
def client(registry):
    """model-registry 0.3.18 on the session server."""
    return make_client(registry)


@pytest.fixture
def fresh_client(fresh_registry):
    """model-registry 0.3.18 on a server of its own with an empty database."""
    return make_client(fresh_registry)
