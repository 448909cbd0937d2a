"""The fleet page and its refreshing fragment answer while every thread of the shared pool is taken (as when
heartbeats queue for the SQLite write lock): they run under the console's own limiter
(district.console.threads), never behind the kiosks' requests."""

from __future__ import annotations

import threading

import anyio.to_thread

from tests.console.conftest import log_in


def test_the_fleet_page_answers_while_the_shared_pool_is_taken(console):
    app, client = console
    c = client()
    log_in(c, "viewer")
    with c:  # the app's event loop runs in the client's portal: the pool's tokens are taken there
        taken = [object() for _ in range(int(c.portal.call(_total_tokens)))]
        for holder in taken:
            c.portal.call(_borrow, holder)
        try:
            answers: dict[str, int] = {}

            def load(path: str) -> None:
                answers[path] = c.get(path).status_code

            threads = [threading.Thread(target=load, args=(p,), daemon=True)
                       for p in ("/console/fleet", "/console/fleet/table")]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=60)  # generous: it hangs forever if the page needs a token of the full pool
            assert answers == {"/console/fleet": 200, "/console/fleet/table": 200}
        finally:
            for holder in taken:
                c.portal.call(_give_back, holder)


async def _total_tokens() -> float:
    return anyio.to_thread.current_default_thread_limiter().total_tokens


async def _borrow(holder: object) -> None:
    await anyio.to_thread.current_default_thread_limiter().acquire_on_behalf_of(holder)


async def _give_back(holder: object) -> None:
    anyio.to_thread.current_default_thread_limiter().release_on_behalf_of(holder)
