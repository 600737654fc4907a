"""The local store: one transaction for record + outbox, durable sequence, sealed personal fields,
retention, two processes on one file."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import apsw
import pytest

from offline_sync.personal_data import load_or_create_data_key
from offline_sync.protocol.errors import BadRecordError, DataKeyError
from offline_sync.store import LocalStore, RecordIn


def make_record(
    code: str, *, pdf_path: str = "/nonexistent.pdf", created_at: datetime | None = None
) -> RecordIn:
    return RecordIn(
        code=code,
        created_at=created_at or datetime(2026, 11, 22, 8, 30, tzinfo=UTC),
        kiosk_id="HN-001",
        doc_type="birth_certificate",
        pages=2,
        pdf_path=pdf_path,
        pdf_sha256="ab" * 32,
        holder_id="001090001234",
        holder_name="Nguyễn Văn An",
        ocr_text="GIẤY KHAI SINH\nHọ và tên: Nguyễn Văn An",
        fields={"full_name": "Nguyễn Văn An", "date_of_birth": "1990-01-02"},
        face_match=True,
        face_distance=0.41,
        liveness="blink",
    )


@pytest.fixture
def store(tmp_path: Path):
    key = load_or_create_data_key(tmp_path / "keys" / "data.key")
    s = LocalStore(tmp_path / "kiosk.db", key)
    yield s
    s.close()


def test_data_key_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "k" / "data.key"
    key = load_or_create_data_key(path)
    assert len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_data_key(path) == key
    path.write_bytes(b"short")
    with pytest.raises(DataKeyError, match="32 bytes"):
        load_or_create_data_key(path)


def test_record_roundtrip_and_outbox_row(store: LocalStore) -> None:
    store.add_record(make_record("HN-001-000001-X"))
    got = store.get_record("HN-001-000001-X")
    assert got is not None
    assert got.holder_name == "Nguyễn Văn An"
    assert got.fields == {"full_name": "Nguyễn Văn An", "date_of_birth": "1990-01-02"}
    assert got.sync_state == "pending"
    assert got.created_at == datetime(2026, 11, 22, 8, 30, tzinfo=UTC)
    assert store.get_record("nope") is None
    status = store.status()
    assert status.backlog == 1
    assert status.oldest_unsynced == datetime(2026, 11, 22, 8, 30, tzinfo=UTC)


def test_personal_fields_are_not_on_disk_in_clear(tmp_path: Path, store: LocalStore) -> None:
    store.add_record(make_record("HN-001-000002-X"))
    store.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("kiosk.db*"))
    assert b"001090001234" not in raw
    assert "Nguyễn Văn An".encode() not in raw
    assert b"GI\xe1\xba\xa4Y KHAI SINH" not in raw
    assert b"HN-001-000002-X" in raw  # the index stays readable


def test_wrong_key_or_moved_ciphertext_does_not_decrypt(tmp_path: Path, store: LocalStore) -> None:
    store.add_record(make_record("A-1"))
    store.add_record(make_record("A-2"))
    other = LocalStore(tmp_path / "kiosk.db", os.urandom(32))
    with pytest.raises(DataKeyError, match="wrong data key"):
        other.get_record("A-1")
    other.close()
    db = apsw.Connection(str(tmp_path / "kiosk.db"))
    db.execute(
        "UPDATE records SET personal = (SELECT personal FROM records WHERE code = 'A-2') WHERE code = 'A-1'"
    )
    db.close()
    with pytest.raises(DataKeyError):
        store.get_record("A-1")


def test_duplicate_code_and_bad_input_are_rejected(store: LocalStore) -> None:
    store.add_record(make_record("DUP"))
    with pytest.raises(BadRecordError, match="already exists"):
        store.add_record(make_record("DUP"))
    with pytest.raises(BadRecordError, match="empty"):
        store.add_record(make_record(" "))
    with pytest.raises(BadRecordError, match="timezone"):
        store.add_record(make_record("NAIVE", created_at=datetime(2026, 1, 1)))
    assert store.status().records_total == 1


def test_record_and_outbox_are_one_transaction(store: LocalStore) -> None:
    # A failure after the record insert (here: the outbox table refuses the row) leaves neither row.
    store._exec("CREATE TRIGGER refuse BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'refused'); END")
    with pytest.raises(Exception, match="refused"):
        store.add_record(make_record("ATOMIC"))
    assert store.get_record("ATOMIC") is None
    assert store.status().records_total == 0


def test_sequence_is_durable_across_processes_and_kills(tmp_path: Path) -> None:
    key = load_or_create_data_key(tmp_path / "data.key")
    db = tmp_path / "seq.db"
    script = (
        "import sys, os\n"
        "from pathlib import Path\n"
        "from offline_sync.store import LocalStore\n"
        f"s = LocalStore(Path({str(db)!r}), bytes.fromhex({key.hex()!r}))\n"
        "for _ in range(int(sys.argv[1])):\n"
        "    print(s.next_sequence(), flush=True)\n"
        "os.kill(os.getpid(), 9)\n"
    )
    seen: list[int] = []
    for _ in range(3):
        out = subprocess.run([sys.executable, "-c", script, "5"], capture_output=True, text=True, check=False)
        assert out.returncode == -9, out.stderr
        seen.extend(int(x) for x in out.stdout.split())
    assert seen == list(range(1, 16))
    with LocalStore(db, key) as s:
        assert s.next_sequence() == 16


def test_two_processes_write_one_file(tmp_path: Path) -> None:
    key = load_or_create_data_key(tmp_path / "data.key")
    db = tmp_path / "shared.db"
    LocalStore(db, key).close()
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from tests.sync.test_store import make_record\n"
        "from offline_sync.store import LocalStore\n"
        f"s = LocalStore(Path({str(db)!r}), bytes.fromhex({key.hex()!r}))\n"
        "for i in range(100):\n"
        "    n = s.next_sequence()\n"
        "    s.add_record(make_record(f'{sys.argv[1]}-{n}'))\n"
    )
    root = Path(__file__).resolve().parents[2]
    procs = [subprocess.Popen([sys.executable, "-c", script, tag], cwd=root) for tag in ("a", "b")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    with LocalStore(db, key) as s:
        assert s.status().records_total == 200
        assert s.status().backlog == 200
        numbers = sorted(int(r.code.split("-")[1]) for r in s.list_records(limit=1000))
        assert numbers == list(range(1, 201))  # the sequence never handed out a number twice
        assert s._exec("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert s._exec("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert s._exec("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_retention_purges_synced_only_and_keeps_the_index(tmp_path: Path, store: LocalStore) -> None:
    old_pdf = tmp_path / "old.pdf"
    old_pdf.write_bytes(b"%PDF-old")
    new_pdf = tmp_path / "new.pdf"
    new_pdf.write_bytes(b"%PDF-new")
    unsynced_pdf = tmp_path / "unsynced.pdf"
    unsynced_pdf.write_bytes(b"%PDF-unsynced")
    store.add_record(make_record("OLD", pdf_path=str(old_pdf)))
    store.add_record(make_record("NEW", pdf_path=str(new_pdf)))
    store.add_record(make_record("UNSYNCED", pdf_path=str(unsynced_pdf)))
    now = datetime.now(UTC)
    store.mark_synced(["OLD"], synced_at=now - timedelta(days=40))
    store.mark_synced(["NEW"], synced_at=now - timedelta(days=2))
    store._exec("UPDATE outbox SET enqueued_at = 0")
    assert store.purge_synced(30) == 1
    assert store.purge_synced(30) == 0
    old = store.get_record("OLD")
    assert old is not None
    assert old.purged
    assert old.holder_id is None
    assert old.holder_name is None
    assert old.ocr_text is None
    assert old.fields is None
    assert old.pdf_path is None
    assert not old_pdf.exists()
    assert old.doc_type == "birth_certificate"
    assert old.pages == 2
    assert old.synced_at is not None
    assert new_pdf.exists()
    assert store.get_record("NEW").holder_name == "Nguyễn Văn An"
    assert unsynced_pdf.exists()
    assert not store.get_record("UNSYNCED").purged
    listed = {r.code: r for r in store.list_records()}
    assert set(listed) == {"OLD", "NEW", "UNSYNCED"}
    assert listed["OLD"].purged
    assert listed["OLD"].sync_state == "synced"
    assert listed["UNSYNCED"].sync_state == "pending"
    assert [r.code for r in store.list_records(code_prefix="UN")] == ["UNSYNCED"]


def test_outbox_retry_dead_letter_and_clock_guard(store: LocalStore) -> None:
    for code in ("R1", "R2", "R3"):
        store.add_record(make_record(code))
    assert [i.code for i in store.due_for_upload(10, now=100.0)] == ["R1", "R2", "R3"]
    store.mark_retry(
        [("R1", 200.0, 503, "HTTP 503"), ("R2", 10_000_000.0, None, "connect failed")], now=100.0
    )
    store.mark_dead([("R3", 400, "HTTP 400: bad doc_type")])
    assert [i.code for i in store.due_for_upload(10, now=150.0)] == []
    assert [i.code for i in store.due_for_upload(10, now=250.0)] == ["R1"]
    # R2's retry time is far beyond the backoff cap: the clock was ahead when it was set, so it is due.
    assert [i.code for i in store.due_for_upload(10, now=250.0, max_delay=300.0)] == ["R1", "R2"]
    # The clock went back below the time the retries were scheduled: both are due now.
    assert [i.code for i in store.due_for_upload(10, now=99.0)] == ["R1", "R2"]
    st = store.status()
    assert st.backlog == 2
    assert st.dead_letters == 1
    assert st.last_error == "HTTP 400: bad doc_type"
    assert store.dead_letters() == [("R3", 400, "HTTP 400: bad doc_type")]
    assert store.requeue_dead() == 1
    assert store.status().dead_letters == 0


def test_heartbeat_queue_is_bounded(store: LocalStore) -> None:
    for i in range(12):
        store.queue_heartbeat({"n": i}, max_queued=5)
    queued = store.queued_heartbeats()
    assert [p["n"] for _, p in queued] == [7, 8, 9, 10, 11]
    store.drop_heartbeats(queued[2][0])
    assert [p["n"] for _, p in store.queued_heartbeats()] == [10, 11]


def test_store_from_an_earlier_build_is_migrated(tmp_path: Path) -> None:
    key = load_or_create_data_key(tmp_path / "data.key")
    with LocalStore(tmp_path / "old.db", key) as s:
        s.add_record(make_record("OLD-1"))
        s._exec("ALTER TABLE outbox DROP COLUMN scheduled_at")
    with LocalStore(tmp_path / "old.db", key) as s:
        assert [i.code for i in s.due_for_upload(10)] == ["OLD-1"]


@pytest.mark.slow
def test_kill_minus_9_the_kiosk_writer(tmp_path: Path) -> None:
    """A power cut while the kiosk writes: kill -9 the writer at random points, 30 times. Every record that
    exists has its outbox row, the sequence never repeats, and the file is intact."""
    import random
    import signal
    import time

    key = load_or_create_data_key(tmp_path / "data.key")
    db = tmp_path / "cut.db"
    LocalStore(db, key).close()
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from tests.sync.test_store import make_record\n"
        "from offline_sync.store import LocalStore\n"
        f"s = LocalStore(Path({str(db)!r}), bytes.fromhex({key.hex()!r}))\n"
        "print('ready', flush=True)\n"
        "while True:\n"
        "    n = s.next_sequence()\n"
        "    s.add_record(make_record(f'W-{n:06d}'))\n"
    )
    root = Path(__file__).resolve().parents[2]
    rng = random.Random(3)
    for _ in range(30):
        proc = subprocess.Popen([sys.executable, "-c", script], cwd=root, stdout=subprocess.PIPE)
        assert proc.stdout is not None
        assert proc.stdout.readline() == b"ready\n"
        time.sleep(rng.uniform(0.0, 0.2))  # the fault's timing: a random point in the writer's loop
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    with LocalStore(db, key) as s:
        assert s._exec("PRAGMA integrity_check").fetchone()[0] == "ok"
        orphans = s._exec(
            "SELECT count(*) FROM records r LEFT JOIN outbox o ON o.code = r.code WHERE o.code IS NULL"
        ).fetchone()[0]
        dangling = s._exec(
            "SELECT count(*) FROM outbox o LEFT JOIN records r ON r.code = o.code WHERE r.code IS NULL"
        ).fetchone()[0]
        assert (orphans, dangling) == (0, 0)
        total = s.status().records_total
        assert total > 0
        numbers = [int(r.code.split("-")[1]) for r in s.list_records(limit=100_000)]
        assert len(numbers) == len(set(numbers))
        # A kill between next_sequence() and add_record() may skip a number, never reuse one.
        assert s.next_sequence() > max(numbers)
        assert all(s.get_record(r.code) is not None for r in s.list_records(limit=50))
    print(f"\nFIGURES writer-kill-9: kills=30 records={total}")
