"""The store contract (tests/store_contract.py) on the PostgreSQL backend: each store is a new
database cloned from the migrated template of a real throw-away PostgreSQL + PostGIS cluster,
reached as the app role (password from PGPASSWORD, as in a deployment)."""

from __future__ import annotations

import pytest

from tests.store_contract import *  # noqa: F401,F403  (the contract's tests and fixtures)


@pytest.fixture()
def store_factory(postgres_store_factory):
    return postgres_store_factory
