"""A persistent connection the database server closed is replaced by the next request."""

from types import SimpleNamespace

import psycopg
import pytest
from django.db import OperationalError, connection

from betagouv import database
from betagouv.database import on_live_connection
from startups.models import PortfolioVersion


def failing_once(result: str):
    calls = []

    def query() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return result

    return query, calls


# As between two requests: no transaction around the test.
outside_a_transaction = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def closed_by_the_server(monkeypatch):
    """The connection kept open no longer works, as after a restart of the server."""
    connection.ensure_connection()
    monkeypatch.setattr(connection, "is_usable", lambda: False)


@outside_a_transaction
def test_a_query_on_a_connection_the_server_closed_runs_again_on_a_new_one(closed_by_the_server):
    query, calls = failing_once("answer")
    assert on_live_connection(query) == "answer"
    assert len(calls) == 2


@outside_a_transaction
def test_a_connection_that_still_works_is_kept_and_the_error_stands():
    connection.ensure_connection()
    query, calls = failing_once("answer")
    with pytest.raises(OperationalError):
        on_live_connection(query)
    assert len(calls) == 1


@pytest.mark.django_db
def test_inside_a_transaction_the_error_stands(closed_by_the_server):
    query, calls = failing_once("answer")
    with pytest.raises(OperationalError):
        on_live_connection(query)
    assert len(calls) == 1


def test_a_database_that_cannot_be_reached_is_tried_once(monkeypatch):
    # No connection was open: this process has not reached the database yet.
    monkeypatch.setattr(database, "connection", SimpleNamespace(connection=None))
    query, calls = failing_once("answer")
    with pytest.raises(OperationalError):
        on_live_connection(query)
    assert len(calls) == 1


@pytest.fixture
def server_closes_the_connection():
    """A function that makes the server end this process's connection (a restart would)."""

    def close() -> None:
        connection.ensure_connection()
        backend = connection.connection.info.backend_pid
        with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s)", [backend])

    return close


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="connections are kept open on PostgreSQL only (SQLite: CONN_MAX_AGE = 0)",
)
@outside_a_transaction
@pytest.mark.parametrize("path", ["/startups/", "/healthz"])
def test_the_next_request_after_the_server_closed_the_connection_succeeds(
    client, server_closes_the_connection, path
):
    PortfolioVersion.bump()
    server_closes_the_connection()
    response = client.get(path)
    assert response.status_code == 200
