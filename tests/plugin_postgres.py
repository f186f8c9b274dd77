"""PostgreSQL fixtures: one throw-away cluster per test session (Debian binaries, PostGIS), a
migrated template database, and a fresh database per test cloned from it (about 0.2 s).

If PostgreSQL or PostGIS is missing the fixtures FAIL (they never skip): install them with
``bash .ci/postgres.sh``.
"""

from __future__ import annotations

import itertools
import os

import pytest

TEMPLATE = "tqmap_template"
_n = itertools.count(1)


@pytest.fixture(scope="session")
def pg_cluster(boundaries_gpkg):
    """A running cluster with the roles, PostGIS and the migrated template database."""
    from geo.store.pg_cluster import ClusterError, PgCluster

    try:
        pg = PgCluster()
    except ClusterError as exc:
        pytest.fail(f"PostgreSQL tests need the Debian packages (bash .ci/postgres.sh): {exc}", pytrace=False)
    pg.start()
    try:
        pg.create_app_database(TEMPLATE)
        yield pg
    finally:
        pg.stop()


@pytest.fixture()
def pg_env(pg_cluster, monkeypatch):
    """The app role's password in PGPASSWORD (as a deployment sets it): URLs carry none."""
    monkeypatch.setenv("PGPASSWORD", pg_cluster.app_password)
    return pg_cluster


@pytest.fixture()
def pg_url(pg_env):
    """A fresh database (clone of the migrated template) for one test; dropped afterwards."""
    name = f"t_{os.getpid()}_{next(_n)}"
    url = pg_env.clone_database(TEMPLATE, name)
    yield url
    pg_env.drop_database(name)


@pytest.fixture()
def pg_store(pg_url):
    from geo.store.postgres import PostgresStore

    s = PostgresStore(pg_url)
    yield s
    s.close()


@pytest.fixture()
def postgres_store_factory(pg_env):
    """``factory()`` -> a new, empty PostgresStore; several calls in one test give several stores
    (each its own database); all closed and dropped at the end."""
    from geo.store.postgres import PostgresStore

    made = []

    def factory():
        name = f"t_{os.getpid()}_{next(_n)}"
        s = PostgresStore(pg_env.clone_database(TEMPLATE, name))
        made.append((name, s))
        return s

    yield factory
    for name, s in made:
        s.close()
        pg_env.drop_database(name)
