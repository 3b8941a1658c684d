"""Today's statistics are computed when the data changes, not when a visitor asks for them.

All of today's figures take a few hundred milliseconds at 100 times the real portfolio
(bench/RESULTS.md): too long for the first visitor after an edit. A request that changed
the portfolio (an admin edit) or began a new day takes note of it (`portfolio_changed`);
once its answer is sent (`request_finished`: the WSGI server has written the response and
closes it), the same thread computes today's figures into the shared cache, where every app
server finds them. The answer itself is not delayed, but the thread is busy meanwhile:
the next request on that connection (the editor's browser following the redirect, or
another visitor's behind a proxy that reuses connections) waits for it, as long as
computing the figures takes (`make bench` times it). A writer outside a request (the
import) calls `prepare_todays_figures` itself.
"""

from contextvars import ContextVar

from django.core.signals import request_finished, request_started
from django.db import connection

from startups.signals import portfolio_changed
from stats.figures import prepare_todays_figures

# Whether the request this thread is answering changed the portfolio.
_changed: ContextVar[bool] = ContextVar("portfolio_changed", default=False)


def forget_changes(sender, **kwargs) -> None:
    """A request begins: what the thread wrote before (a script, a test) is not its doing."""
    _changed.set(False)


def note_change(sender, **kwargs) -> None:
    """The portfolio changed during this request (`portfolio_changed`)."""
    _changed.set(True)


def prepare_after_change(sender, **kwargs) -> None:
    """At the end of a request that changed the portfolio, prepare today's figures.

    Django has already let go of the request's database connection if it was not to be
    kept (`close_old_connections` runs first): one opened here is closed here, or it would
    stay open, idle, until the thread's next request.
    """
    if not _changed.get():
        return
    _changed.set(False)
    opened_here = connection.connection is None
    try:
        prepare_todays_figures()
    finally:
        if opened_here:
            connection.close()


def connect() -> None:
    request_started.connect(forget_changes, dispatch_uid="stats-forget-changes")
    portfolio_changed.connect(note_change, dispatch_uid="stats-note-change")
    request_finished.connect(prepare_after_change, dispatch_uid="stats-prepare-after-change")
