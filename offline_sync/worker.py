"""The sync worker: drains the outbox to the city backend, exactly once as far as the backend can tell.

Delivery is at least once; the backend dedupes by the record code (the idempotency key), so a kill -9
between "the backend stored it" and "the outbox row is gone" only costs a replayed upload.

* Records go up in batches, several requests in flight (a thread pool over one keep-alive mTLS client).
  The store is only touched from the worker's own thread.
* A retryable failure (transport fault, 408, 429, 5xx) backs the whole link off with full-jitter
  exponential delay, and each record of the failed request gets a persisted retry time, so a restart
  resumes the backoff instead of hammering a sick backend. 429 honours Retry-After.
* Any other 4xx moves the record to the dead letter with an alert (an ERROR log line and a sync-log line).
* Heartbeats are queued in the store every interval, also while offline, and sent when the link is up.
* `on_tick` is called every loop iteration (the systemd watchdog is fed from it).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from offline_sync.client import DEAD, OK, RETRY, BackendClient, ItemReply, Reply, classify
from offline_sync.protocol import MAX_HEALTH_BYTES, RecordUpload, VisitMetrics, encode_pdf
from offline_sync.protocol.backoff import Backoff
from offline_sync.protocol.errors import StoreError
from offline_sync.store import LocalStore, OutboxItem, StoredRecord
from offline_sync.synclog import SyncLog, make_entry

log = logging.getLogger(__name__)

SHIPPED_CURSOR_KEY = "synclog_last_shipped_id"
# The longest Retry-After the worker honours (parse_retry_after clamps to it).
RETRY_AFTER_LIMIT_S = 3600.0


@dataclass
class WorkerOptions:
    kiosk_id: str
    batch_size: int = 50
    concurrency: int = 4
    batch_max_bytes: int = 8_000_000
    heartbeat_interval_s: float = 60.0
    heartbeat_queue_max: int = 10_000
    ship_log_interval_s: float = 60.0
    retention_days: int = 30
    purge_interval_s: float = 3600.0
    poll_interval_s: float = 1.0


@dataclass
class WorkerCounters:
    synced: int = 0
    replayed: int = 0
    retried: int = 0
    dead: int = 0
    requests: int = 0
    bytes_sent: int = 0
    heartbeats_sent: int = 0
    logs_shipped: int = 0
    link_failures: int = 0
    alerts: list[str] = field(default_factory=list)


@dataclass
class _Upload:
    items: list[OutboxItem]
    reply: Reply
    results: list[ItemReply] | None
    sizes: dict[str, int]
    local_failures: dict[str, str]


def record_json(record: StoredRecord, pdf: bytes) -> bytes:
    """The upload body of one record (the same bytes for the single and the batch endpoint)."""
    if (
        record.holder_id is None
        or record.holder_name is None
        or record.ocr_text is None
        or record.fields is None
    ):
        raise ValueError("the record's personal fields were purged before upload")
    upload = RecordUpload(
        code=record.code,
        kiosk_id=record.kiosk_id,
        created_at=record.created_at,
        doc_type=record.doc_type,
        pages=record.pages,
        pdf_sha256=record.pdf_sha256,
        pdf=encode_pdf(pdf),
        holder_id=record.holder_id,
        holder_name=record.holder_name,
        ocr_text=record.ocr_text,
        fields=record.fields,
        face_match=record.face_match,
        face_distance=record.face_distance,
        liveness=record.liveness,
        language="en" if record.language == "en" else ("vi" if record.language == "vi" else None),
        delivery_email=record.delivery_email,
        retrieval_hash=record.retrieval_hash,
        access_token_sha256=record.access_token_sha256,
        # Absent (None) for a record stored before issue 24: its body and fingerprint stay as they were.
        ocr_fields=record.ocr_fields,
        ocr_low_words=record.ocr_low_words,
        identity_flags=record.identity_flags or None,  # absent when none: the old fingerprint stays
        face_threshold=record.face_threshold,  # None for a record stored before: the fingerprint stays
        retrieval_secret_for_email=record.retrieval_secret_for_email,  # issue 25: only with delivery_email
        visit_metrics=VisitMetrics.model_validate(record.visit_metrics) if record.visit_metrics else None,
        identity_source=(
            "chip" if record.identity_source == "chip" else ("qr" if record.identity_source == "qr" else None)
        ),
    )
    return upload.model_dump_json().encode("utf-8")


def system_health(data_dir: Path | None = None) -> dict[str, Any]:
    """Plain device health for heartbeats when no richer callable is given: disk and load."""
    health: dict[str, Any] = {}
    try:
        usage = shutil.disk_usage(data_dir or Path("/"))
        health["disk_free_bytes"] = usage.free
        health["disk_used_ratio"] = round(usage.used / usage.total, 4) if usage.total else None
    except OSError as exc:
        health["disk_error"] = str(exc)
    try:
        with open("/proc/loadavg", encoding="ascii") as fh:
            health["load1"] = float(fh.read().split()[0])
    except (OSError, ValueError, IndexError):
        pass
    return health


class SyncWorker:
    def __init__(
        self,
        store: LocalStore,
        client: BackendClient,
        synclog: SyncLog,
        options: WorkerOptions,
        *,
        backoff: Backoff | None = None,
        health: Callable[[], dict[str, Any]] | None = None,
        on_tick: Callable[[], None] | None = None,
        on_purge: Callable[[int], None] | None = None,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.client = client
        self.synclog = synclog
        # Told how many records a retention purge emptied, so the kiosk can audit it.
        self._on_purge = on_purge
        self.options = options
        self.backoff = backoff or Backoff()
        self.health = health or system_health
        self.on_tick = on_tick or (lambda: None)
        self.clock = clock
        self.monotonic = monotonic
        self.counters = WorkerCounters()
        self._pool = ThreadPoolExecutor(max_workers=options.concurrency, thread_name_prefix="sync-upload")
        self._inflight: dict[Future[_Upload], list[OutboxItem]] = {}
        self._link_failures = 0
        self._link_retry_at = 0.0  # monotonic
        self._next_heartbeat = 0.0
        self._next_ship = 0.0
        self._next_purge = 0.0
        self._heartbeats_waiting = True
        self._store_failures = 0
        recovered = synclog.recover_unshipped(store.get_meta(SHIPPED_CURSOR_KEY))
        if recovered:
            log.info("sync log: %d line(s) from before the restart still to ship", recovered)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=False)

    # ------------------------------------------------------------------ the loop

    def run(self, stop: threading.Event) -> None:
        """Until `stop` is set: upload, heartbeat, ship logs, purge. In-flight requests finish first."""
        log.info("sync worker started for kiosk %s -> %s", self.options.kiosk_id, self.client.base_url)
        while not stop.is_set():
            busy = self.step()
            if not busy:
                stop.wait(self._idle_wait())
        self._finish_inflight()
        log.info("sync worker stopped")

    def drain(self, *, timeout: float = 600.0) -> bool:
        """Run until the backlog is empty (tests, bench). True when drained within `timeout` seconds."""
        deadline = self.monotonic() + timeout
        while self.monotonic() < deadline:
            busy = self.step()
            if not self._inflight and self.store.status().backlog == 0:
                return True
            if not busy:
                time.sleep(min(self._idle_wait(), max(0.0, deadline - self.monotonic())))
        return False

    def step(self) -> bool:
        """One iteration. Returns True when it did or awaited work (so the caller should not sleep)."""
        self.on_tick()
        mono = self.monotonic()
        if mono >= self._next_heartbeat:
            self._queue_heartbeat()
            self._heartbeats_waiting = True
            self._next_heartbeat = mono + self.options.heartbeat_interval_s
        busy = False
        if mono >= self._link_retry_at:
            busy = self._fill_pipeline()
        if self._inflight:
            done, _ = wait(list(self._inflight), timeout=1.0, return_when=FIRST_COMPLETED)
            for future in done:
                self._apply(future)
            busy = True
        if self.monotonic() >= self._link_retry_at:
            if self._heartbeats_waiting:
                self._flush_heartbeats()
            if self.monotonic() >= self._next_ship or self.synclog.unshipped_count >= 5000:
                self._ship_logs()
                self._next_ship = self.monotonic() + self.options.ship_log_interval_s
        if mono >= self._next_purge:
            self._purge()
            self._next_purge = mono + self.options.purge_interval_s
        return busy

    def _idle_wait(self) -> float:
        mono = self.monotonic()
        waits = [self.options.poll_interval_s, max(0.0, self._next_heartbeat - mono)]
        if self._link_retry_at > mono:
            waits.append(self._link_retry_at - mono)
        return max(0.01, min(waits))

    # ------------------------------------------------------------------ uploads

    def _fill_pipeline(self) -> bool:
        if len(self._inflight) >= self.options.concurrency:
            return False
        busy_codes = {item.code for items in self._inflight.values() for item in items}
        want = self.options.batch_size * (self.options.concurrency - len(self._inflight))
        try:
            due = self.store.due_for_upload(
                want + len(busy_codes), now=self.clock(), max_delay=max(self.backoff.cap, RETRY_AFTER_LIMIT_S)
            )
        except StoreError as exc:
            log.warning("cannot read the outbox: %s", exc)
            return False
        due = [item for item in due if item.code not in busy_codes][:want]
        for chunk in self._batches(due):
            if len(self._inflight) >= self.options.concurrency:
                break
            self._inflight[self._pool.submit(self._upload, chunk)] = chunk
        return bool(due)

    def _batches(self, due: list[OutboxItem]) -> list[list[OutboxItem]]:
        """Split by count and by PDF bytes (sizes from stat; base64 adds a third on the wire)."""
        batches: list[list[OutboxItem]] = []
        current: list[OutboxItem] = []
        size = 0
        for item in due:
            try:
                pdf_size = os.stat(item.record.pdf_path).st_size if item.record.pdf_path else 0
            except OSError:
                pdf_size = 0
            if current and (
                len(current) >= self.options.batch_size or size + pdf_size > self.options.batch_max_bytes
            ):
                batches.append(current)
                current, size = [], 0
            current.append(item)
            size += pdf_size
        if current:
            batches.append(current)
        return batches

    def _upload(self, items: list[OutboxItem]) -> _Upload:
        """In a pool thread: read the PDFs, build the bodies, send (batch, or one by one for a single)."""
        bodies: list[tuple[str, bytes]] = []
        local_failures: dict[str, str] = {}
        for item in items:
            if item.problem:
                local_failures[item.code] = f"record unreadable: {item.problem}"
                continue
            try:
                pdf = Path(item.record.pdf_path or "").read_bytes() if item.record.pdf_path else None
                if pdf is None:
                    raise FileNotFoundError("no local PDF path")
                bodies.append((item.code, record_json(item.record, pdf)))
            except FileNotFoundError as exc:
                local_failures[item.code] = f"local PDF missing: {exc}"
            except (OSError, ValueError) as exc:
                local_failures[item.code] = f"cannot build the upload: {exc}"
        sizes = {code: len(body) for code, body in bodies}
        if not bodies:
            return _Upload(items, Reply(None, None, None, 0.0), [], sizes, local_failures)
        if len(bodies) == 1:
            reply, single = self.client.upload_record(*bodies[0])
            return _Upload(items, reply, [single], sizes, local_failures)
        reply, results = self.client.upload_batch(bodies)
        if results is None and reply.status is not None and classify(reply.status) == DEAD:
            # The batch as a whole was refused (413, 400...): find the culprit by sending one by one.
            results = [self.client.upload_record(code, body)[1] for code, body in bodies]
        return _Upload(items, reply, results, sizes, local_failures)

    def _apply(self, future: Future[_Upload]) -> None:
        items = self._inflight.pop(future)
        try:
            upload = future.result()
        except Exception as exc:  # a bug in a pool thread must not kill the worker
            log.exception("upload thread failed")
            upload = _Upload(items, Reply(None, None, f"internal error: {exc}", 0.0), None, {}, {})
        now_wall = self.clock()
        stamp = datetime.fromtimestamp(now_wall, UTC)
        synced: list[str] = []
        retries: list[tuple[str, float, int | None, str]] = []
        dead: list[tuple[str, int | None, str]] = []
        entries: list[dict[str, Any]] = []
        reply = upload.reply
        sent = bool(upload.sizes)
        if sent:
            self.counters.requests += 1
            self.counters.bytes_sent += reply.sent_bytes
        # A request that failed as a whole (transport fault, 408, 429, 5xx, a garbled answer) is the link's
        # fault: back the link off and give every record of the request the same retry time.
        request_failed = sent and (reply.status is None or classify(reply.status) == RETRY)
        link_delay = self._link_delay(reply) if request_failed else 0.0
        by_code = {r.code: r for r in upload.results or []}
        for item in upload.items:
            code = item.code
            size = upload.sizes.get(code, 0)
            if code in upload.local_failures:
                local_error = upload.local_failures[code]
                dead.append((code, None, local_error))
                entries.append(self._entry(code, "dead_letter", size, None, 0.0, local_error, stamp))
                continue
            result = by_code.get(code)
            status = result.status if result else reply.status
            error = (result.error if result else None) or reply.error
            verdict = classify(status) if result else RETRY
            if verdict == OK:
                synced.append(code)
                outcome = "replayed" if result and result.replayed else "synced"
                entries.append(self._entry(code, outcome, size, status, reply.latency_ms, None, stamp))
            elif verdict == DEAD:
                dead.append((code, status, error or f"HTTP {status}"))
                entries.append(self._entry(code, "dead_letter", size, status, reply.latency_ms, error, stamp))
            else:
                delay = link_delay if request_failed else self._record_delay(item.attempts, reply)
                retries.append((code, now_wall + delay, status, error or f"HTTP {status}"))
                entries.append(self._entry(code, "retry", size, status, reply.latency_ms, error, stamp))

        self._commit_outcomes(synced, retries, dead, stamp, now_wall)
        self.synclog.write(entries)
        if request_failed:
            self._link_failed(reply, link_delay)
        elif synced:
            self._link_failures = 0
        self.counters.replayed += sum(
            1 for r in upload.results or [] if r.replayed and classify(r.status) == OK
        )

    def _entry(self, code: str | None, outcome: str, *args: Any) -> dict[str, Any]:
        """A sync-log line: (code, outcome, bytes, status, latency_ms, error, time)."""
        size, status, latency, error, now = args
        return make_entry(
            self.options.kiosk_id,
            code=code,
            outcome=outcome,
            size=size,
            status=status,
            latency_ms=latency,
            error=error,
            now=now,
        )

    def _commit_outcomes(
        self,
        synced: list[str],
        retries: list[tuple[str, float, int | None, str]],
        dead: list[tuple[str, int | None, str]],
        stamp: datetime,
        now_wall: float,
    ) -> None:
        # If the disk is full these writes fail; the rows stay pending and are uploaded again later,
        # which the backend answers with the original result (a replay), so nothing is lost or doubled.
        try:
            self.store.mark_synced(synced, synced_at=stamp)
            self.counters.synced += len(synced)
            self._store_failures = 0
        except StoreError as exc:
            # Pause uploads too (with the same backoff), or the worker would re-upload the same records
            # in a tight loop for as long as the disk stays full.
            delay = self.backoff.delay(self._store_failures)
            self._store_failures += 1
            self._link_retry_at = max(self._link_retry_at, self.monotonic() + delay)
            log.warning("uploaded %d record(s) but cannot mark them synced: %s", len(synced), exc)
        try:
            self.store.mark_retry(retries, now=now_wall)
            self.counters.retried += len(retries)
        except StoreError as exc:
            log.warning("cannot record %d retry time(s): %s", len(retries), exc)
        if dead:
            try:
                self.store.mark_dead(dead)
            except StoreError as exc:
                log.warning("cannot move %d record(s) to the dead letter: %s", len(dead), exc)
                return
            self.counters.dead += len(dead)
            for code, status, error in dead:
                alert = f"ALERT sync dead letter: record {code} rejected (status {status}): {error}"
                self.counters.alerts.append(alert)
                log.error("%s", alert)

    def _link_delay(self, reply: Reply) -> float:
        if reply.retry_after is not None:
            return reply.retry_after
        return self.backoff.delay(self._link_failures)

    def _record_delay(self, attempts: int, reply: Reply) -> float:
        return reply.retry_after if reply.retry_after is not None else self.backoff.delay(attempts)

    def _link_failed(self, reply: Reply, delay: float) -> None:
        self._link_failures += 1
        self.counters.link_failures += 1
        self._link_retry_at = self.monotonic() + delay
        log.warning("backend link failed (%s); next try in %.1f s", reply.error, delay)
        try:
            self.store.note_error(reply.error or "link failed")
        except StoreError:
            pass

    def _finish_inflight(self) -> None:
        while self._inflight:
            done, _ = wait(list(self._inflight), timeout=5.0, return_when=FIRST_COMPLETED)
            for future in done:
                self._apply(future)

    # ------------------------------------------------------------------ heartbeats, logs, retention

    def _queue_heartbeat(self) -> None:
        try:
            health = dict(self.health())
        except Exception as exc:
            health = {"health_error": f"{type(exc).__name__}: {exc}"[:300]}
        size = len(json.dumps(health, default=str))
        if size > MAX_HEALTH_BYTES:
            health = {"health_error": f"health report too large ({size} bytes of JSON)"}
        try:
            status = self.store.status()
            beat = {
                "id": uuid.uuid4().hex,
                "kiosk_id": self.options.kiosk_id,
                "sent_at": datetime.fromtimestamp(self.clock(), UTC).isoformat(),
                "backlog": status.backlog,
                "dead_letters": status.dead_letters,
                "oldest_unsynced": status.oldest_unsynced.isoformat() if status.oldest_unsynced else None,
                "last_error": status.last_error,
                "health": health,
            }
            self.store.queue_heartbeat(beat, max_queued=self.options.heartbeat_queue_max)
        except StoreError as exc:
            log.warning("cannot queue a heartbeat: %s", exc)

    def _flush_heartbeats(self) -> None:
        while True:
            try:
                queued = self.store.queued_heartbeats(limit=500)
            except StoreError as exc:
                log.warning("cannot read queued heartbeats: %s", exc)
                return
            if not queued:
                self._heartbeats_waiting = False
                return
            reply = self.client.send_heartbeats([payload for _, payload in queued])
            if reply.status == 200:
                self.counters.heartbeats_sent += len(queued)
            elif classify(reply.status) == DEAD:
                log.error(
                    "ALERT backend refused %d heartbeat(s): %s; dropping them", len(queued), reply.error
                )
                entry = self._entry(
                    None,
                    "error",
                    reply.sent_bytes,
                    reply.status,
                    reply.latency_ms,
                    f"heartbeats refused: {reply.error}",
                    datetime.now(UTC),
                )
                self.synclog.write([entry])
            else:
                self._link_failed(reply, self._link_delay(reply))
                return
            try:
                self.store.drop_heartbeats(queued[-1][0])
            except StoreError as exc:
                log.warning("cannot drop sent heartbeats (they will be sent again): %s", exc)
                return

    def _ship_logs(self) -> None:
        while True:
            batch = self.synclog.unshipped(2000)
            if not batch:
                return
            reply = self.client.ship_logs([{**e, "code": e.get("code") or None} for e in batch])
            if reply.status == 200:
                self.synclog.mark_shipped(len(batch))
                self.counters.logs_shipped += len(batch)
                try:
                    self.store.set_meta(SHIPPED_CURSOR_KEY, str(batch[-1]["id"]))
                except StoreError as exc:
                    log.warning("cannot save the sync log cursor: %s", exc)
            elif classify(reply.status) == DEAD:
                log.error(
                    "ALERT backend refused %d sync log line(s): %s; dropping them", len(batch), reply.error
                )
                self.synclog.mark_shipped(len(batch))
            else:
                self._link_failed(reply, self._link_delay(reply))
                return

    def _purge(self) -> None:
        try:
            purged = self.store.purge_synced(self.options.retention_days)
        except StoreError as exc:
            log.warning("retention purge failed: %s", exc)
            return
        if purged and self._on_purge is not None:
            try:
                self._on_purge(purged)
            except Exception:
                log.exception("the purge of %d record(s) could not be reported", purged)
