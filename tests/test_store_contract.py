"""The store contract (tests/store_contract.py) on the SQLite backend: real files in tmp_path."""

from __future__ import annotations

import itertools

import pytest

from geo.store import open_store
from tests.store_contract import *  # noqa: F401,F403  (the contract's tests and fixtures)


@pytest.fixture()
def store_factory(tmp_path, boundaries_gpkg):
    n = itertools.count()
    return lambda: open_store(tmp_path / f"contract-{next(n)}.db")
