"""Persistent database connections that survive the server closing them, without a query more.

App servers keep their connection open between requests (`CONN_MAX_AGE`). Django's health
checks (`CONN_HEALTH_CHECKS`) would send a `SELECT 1` before the first query of every request,
in case the server closed it meanwhile (a restart, a failover, an idle timeout): one more
round trip on every cached page, which otherwise costs one. Instead, the first query of every
request that reads the database runs through `on_live_connection` (the portfolio version,
`PortfolioVersion.stamp`, and `/healthz`), and a connection found closed is replaced there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import InterfaceError, OperationalError, connection

T = TypeVar("T")


def on_live_connection(query: Callable[[], T]) -> T:
    """`query()`, run again once on a new connection if it failed because the connection kept
    open since an earlier request no longer works.

    Any other failure stands: a database that cannot be reached (no connection was open: a
    second attempt would only double the wait), a connection that still works (a timeout),
    work under way in a transaction (it would be lost with the connection). Checking whether
    the connection works costs a query, on that path only.
    """
    kept_open = connection.connection is not None
    try:
        return query()
    except (InterfaceError, OperationalError):
        if (
            not kept_open
            or connection.in_atomic_block
            or not connection.get_autocommit()
            or connection.is_usable()
        ):
            raise
        connection.close()
        return query()
