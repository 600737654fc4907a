"""A Hypothesis state machine over the store's outbox: whatever the interleaving of adds, uploads, retries,
dead letters, requeues, purges and reopenings, every record is in exactly one state and the counts agree
with a plain model."""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from offline_sync.personal_data import load_or_create_data_key
from offline_sync.store import LocalStore
from tests.sync.test_store import make_record


class OutboxMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="outbox-model-"))
        self.key = load_or_create_data_key(self.folder / "data.key")
        self.store = LocalStore(self.folder / "kiosk.db", self.key)
        self.model: dict[str, str] = {}  # code -> pending | dead | synced | purged
        self.now = 1_000.0

    def teardown(self) -> None:
        self.store.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _codes(self, state: str) -> list[str]:
        return sorted(c for c, s in self.model.items() if s == state)

    @rule()
    def add(self) -> None:
        code = f"M-{self.store.next_sequence():05d}"
        self.store.add_record(make_record(code, created_at=datetime(2026, 1, 1, tzinfo=UTC)))
        self.model[code] = "pending"

    @precondition(lambda self: any(s == "pending" for s in self.model.values()))
    @rule(data=st.data())
    def upload_ok(self, data: st.DataObject) -> None:
        due = [i.code for i in self.store.due_for_upload(1000, now=self.now)]
        if due:
            chosen = data.draw(st.lists(st.sampled_from(due), unique=True, min_size=1))
            self.store.mark_synced(chosen, synced_at=datetime.now(UTC) - timedelta(days=90))
            for code in chosen:
                self.model[code] = "synced"

    @precondition(lambda self: any(s == "pending" for s in self.model.values()))
    @rule(data=st.data(), delay=st.floats(0, 100))
    def upload_fails(self, data: st.DataObject, delay: float) -> None:
        code = data.draw(st.sampled_from(self._codes("pending")))
        self.store.mark_retry([(code, self.now + delay, 503, "HTTP 503")], now=self.now)

    @precondition(lambda self: any(s == "pending" for s in self.model.values()))
    @rule(data=st.data())
    def rejected(self, data: st.DataObject) -> None:
        code = data.draw(st.sampled_from(self._codes("pending")))
        self.store.mark_dead([(code, 400, "HTTP 400")])
        self.model[code] = "dead"

    @rule()
    def requeue(self) -> None:
        assert self.store.requeue_dead() == len(self._codes("dead"))
        for code in self._codes("dead"):
            self.model[code] = "pending"

    @rule()
    def purge(self) -> None:
        assert self.store.purge_synced(30) == len(self._codes("synced"))
        for code in self._codes("synced"):
            self.model[code] = "purged"

    @rule(step=st.floats(0, 200))
    def time_passes(self, step: float) -> None:
        self.now += step

    @rule()
    def reopen(self) -> None:
        self.store.close()
        self.store = LocalStore(self.folder / "kiosk.db", self.key)

    @invariant()
    def states_agree(self) -> None:
        status = self.store.status()
        assert status.backlog == len(self._codes("pending"))
        assert status.dead_letters == len(self._codes("dead"))
        assert status.records_total == len(self.model)
        listed = {r.code: r for r in self.store.list_records(limit=10_000)}
        assert set(listed) == set(self.model)
        for code, state in self.model.items():
            summary = listed[code]
            expected = "synced" if state == "purged" else state
            assert summary.sync_state == expected, (code, state, summary)
            assert summary.purged == (state == "purged")
        # Far in the future every pending record is due, and nothing else is.
        due = {i.code for i in self.store.due_for_upload(10_000, now=self.now + 1e6)}
        assert due == set(self._codes("pending"))


OutboxMachine.TestCase.settings = settings(max_examples=25, stateful_step_count=25, deadline=None)
TestOutboxModel = OutboxMachine.TestCase
