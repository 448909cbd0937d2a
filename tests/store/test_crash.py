"""SIGKILL in the middle of committing: every transaction is whole (with its outbox row) or absent."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import text

from contract.durable_sqlite import integrity_ok, open_engine, sqlite_url

REPO = Path(__file__).resolve().parents[2]


def test_sigkill_mid_commit_leaves_whole_transactions_only(tmp_path):
    data = tmp_path / "kiosk"
    rng = random.Random(20261126)
    acknowledged: dict[str, int] = {}
    for _round in range(8):
        proc = subprocess.Popen([sys.executable, "-m", "tests.store.crash_writer", str(data)], cwd=REPO,
                                stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        # let it migrate and start committing, then kill it at a random moment
        first = proc.stdout.readline()
        assert first, "writer produced nothing"
        time.sleep(rng.uniform(0.01, 0.25))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        for line in [first, *out.splitlines()]:
            if line.strip():
                tx_id, seq = line.split()
                acknowledged[tx_id] = int(seq)
    engine = open_engine(sqlite_url(data / "kiosk.db"))
    assert integrity_ok(engine)
    with engine.connect() as c:
        tx = dict(c.execute(text("select id, seq from transactions")).all())
        outbox = dict(c.execute(text("select transaction_id, seq from outbox")).all())
        orphans = c.execute(text("select count(*) from outbox o left join transactions t "
                                 "on t.id = o.transaction_id where t.id is null")).scalar()
    assert tx == outbox, "every transaction has exactly its outbox row, with the same sequence number"
    assert orphans == 0
    # everything the writer saw committed survived the kill (synchronous=FULL)
    missing = {k for k in acknowledged if k not in tx}
    assert not missing
    seqs = sorted(tx.values())
    assert seqs == list(range(1, len(seqs) + 1)), "the sequence is monotonic without gaps or repeats"
    assert len(tx) >= 8
