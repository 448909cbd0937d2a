"""A short soak (the bench runs 2,000 sessions: bench/bench_soak.py): a hundred citizen sessions through the
real shell and terminal with the real sync daemon; nothing grows without bound and every row settles."""

from __future__ import annotations

from pathlib import Path

from tests.maintenance.soak import run_soak


def test_a_hundred_sessions_leave_no_leak_and_no_half_settled_row(tmp_path: Path, qapp):
    result = run_soak(tmp_path, sessions=100, warmup=20)
    assert result.transactions == 100
    assert result.half_settled == 0
    assert result.district_transactions == 100  # exactly once at the district
    # the terminal's worker pool (3 threads) starts its workers when work first needs them: bounded, not a leak
    assert all(name.startswith("kiosk-work") for name in result.new_threads), result.new_threads
    assert result.threads_end - result.threads_start <= 2
    # generous: SQLite's connection pool may open a further connection to the same file under load
    assert result.fds_end - result.fds_start <= 3, result.new_fds
    assert all("kiosk.db" in fd or fd.startswith("socket:") for fd in result.new_fds), result.new_fds
    assert result.rss_growth_mb <= 30, f"{result.rss_growth_mb:.1f} MB over 80 sessions"
