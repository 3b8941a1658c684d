"""Today's statistics are computed when the data changes, not when a visitor asks for them.

All of today's figures take a few hundred milliseconds at 100 times the real portfolio
(bench/RESULTS.md): too long for the first visitor after an edit. A request that changed
the portfolio (an admin edit) or began a new day takes note of it (`portfolio_changed`);
once its answer is sent (`request_finished`: the WSGI server has written the response and
closes it), the same thread computes today's figures into the shared cache, where every app
server finds them. The answer is not delayed; the editor's next request, when their browser
sends it on the same connection, waits for them (14 ms for the generated 1x portfolio,
290 ms at 100 times). A writer outside a request (the import) calls
`prepare_todays_figures` itself. Should preparing fail, the failure is logged
and the first visitor computes the figures, as any visitor of a past date does.
"""

import logging
from contextvars import ContextVar

from django.core.signals import request_finished, request_started

from startups.signals import portfolio_changed
from stats.figures import prepare_todays_figures

logger = logging.getLogger(__name__)

# Whether the request this thread is answering changed the portfolio.
_changed: ContextVar[bool] = ContextVar("portfolio_changed", default=False)


def forget_changes(sender, **kwargs) -> None:
    """A request begins: what the thread wrote before (a script, a test) is not its doing."""
    _changed.set(False)


def note_change(sender, **kwargs) -> None:
    _changed.set(True)


def prepare_after_change(sender, **kwargs) -> None:
    """At the end of a request that changed the portfolio, prepare today's figures."""
    if not _changed.get():
        return
    _changed.set(False)
    try:
        prepare_todays_figures()
    except Exception:
        # The answer is sent: nobody to show an error to. The figures will be computed
        # when asked for.
        logger.exception("Today's statistics could not be prepared after a change")


def connect() -> None:
    request_started.connect(forget_changes, dispatch_uid="stats-forget-changes")
    portfolio_changed.connect(note_change, dispatch_uid="stats-note-change")
    request_finished.connect(prepare_after_change, dispatch_uid="stats-prepare-after-change")
