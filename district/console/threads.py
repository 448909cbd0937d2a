"""Console pages' work in threads of their own.

FastAPI runs every synchronous endpoint in one shared pool (anyio's default limiter, 40 threads). Under kiosk
traffic that pool fills with heartbeats waiting for the SQLite write lock (each commit is an fsync), and an
operator's page would queue behind them: the fleet page would take seconds exactly when the fleet is busiest.
The pages that read the whole fleet run under a capacity limiter of their own, so they need no token of the
kiosks' pool (and leave the event loop free while they build and render 200 rows).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from fastapi import Request

T = TypeVar("T")
CONSOLE_THREADS = 4  # concurrent page builds: more operators queue here, never behind the kiosks


async def in_console_thread(request: Request, work: Callable[[], T]) -> T:
    """`work()` in a worker thread counted against the console's own limiter (one per app)."""
    state = request.app.state
    limiter = getattr(state, "console_limiter", None)
    if limiter is None:  # created on the event loop it serves
        limiter = state.console_limiter = CapacityLimiter(CONSOLE_THREADS)
    return await anyio.to_thread.run_sync(work, limiter=limiter)
