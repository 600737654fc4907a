"""`kiosk sync run | status | log | retry-dead`: the sync worker, its backlog, its log for central IT."""

from __future__ import annotations

import argparse
import logging
from datetime import UTC, datetime
from typing import Any

from kiosk.audit import AuditLog, Events
from kiosk.commands._common import CommandContext, add_common_options, check_output_file, write_output_file
from kiosk.config import KioskConfig
from kiosk.errors import BadInputError, NegativeVerdict
from kiosk.pipeline.store import data_key_path
from kiosk.runtime import notify
from kiosk.runtime.fleet_health import DEVICES_FILE, heartbeat_health
from kiosk.runtime.seal_renewal import SealRenewalLoop, renew_if_due, renewal_lock_path, seal_key_unreachable
from offline_sync.protocol.uncollected import HEALTH_KEY as UNCOLLECTED_KEY
from offline_sync.runner import (
    build_worker,
    open_client,
    open_store,
    open_synclog,
    run_until_signalled,
    worker_running,
)
from offline_sync.uncollected import UncollectedBook
from offline_sync.worker import system_health


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("sync", help="sync with the city backend: run the worker, status, log")
    nested = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND")

    run = nested.add_parser("run", help="run the sync worker (its own process; systemd keeps it up)")
    add_common_options(run)
    run.add_argument("--drain", action="store_true", help="exit once the backlog is empty")
    run.add_argument("--timeout", type=float, default=600.0, help="with --drain: give up after SECONDS")
    run.set_defaults(handler=run_worker)

    status = nested.add_parser("status", help="backlog, oldest unsynced record, last error")
    add_common_options(status)
    status.set_defaults(handler=show_status)

    log = nested.add_parser("log", help="the sync log (one JSON line per upload attempt)")
    add_common_options(log)
    log.add_argument("--limit", type=int, default=50, help="how many lines (newest last); default 50")
    log.add_argument("--code", help="only lines for this record code")
    log.add_argument("--outcome", help="only lines with this outcome (synced, replayed, retry, dead_letter)")
    log.set_defaults(handler=show_log)

    lookup = nested.add_parser("lookup", help="ask the backend about a code; --pdf saves its signed PDF")
    add_common_options(lookup)
    lookup.add_argument("code", help="the identity code printed on the copy")
    lookup.add_argument("--pdf", metavar="FILE", help="also save the backend's signed PDF here (reprint)")
    lookup.set_defaults(handler=lookup_code)

    retry = nested.add_parser("retry-dead", help="give dead-lettered records another try")
    add_common_options(retry)
    retry.set_defaults(handler=retry_dead)

    parser.set_defaults(handler=_usage(parser))


def _usage(parser: argparse.ArgumentParser) -> Any:
    def handler(args: argparse.Namespace, ctx: CommandContext) -> int:
        parser.print_help()
        return 2

    return handler


def _open_store(config: KioskConfig) -> Any:
    return open_store(config.sync, config.path, data_key_path(config))


def uncollected_health(store: Any) -> dict[str, Any]:
    """The heartbeat's ``uncollected`` list (offline_sync.protocol.uncollected): every paid copy this kiosk
    still owes, so the city's back office lists it. Never raises: a heartbeat still goes without it."""
    try:
        return {UNCOLLECTED_KEY: UncollectedBook(store).heartbeat_entries()}
    except Exception as exc:
        logging.getLogger(__name__).warning("the paid copies to collect cannot be listed: %s", exc)
        return {}


def run_worker(args: argparse.Namespace, ctx: CommandContext) -> int:
    config = ctx.config
    data_dir = config.data_dir
    # httpx logs every request at INFO: thousands of lines per backlog drain. The sync log has them.
    logging.getLogger("httpx").setLevel(logging.WARNING)

    def health() -> dict[str, Any]:
        fleet = heartbeat_health(config.path(DEVICES_FILE), ward=config.sync.ward)
        beat = {**system_health(data_dir), **fleet, "kiosk_id": config.kiosk.id, "profile": config.profile}
        beat.update(uncollected_health(parts.store))  # issue 25: the paid copies still to collect
        return beat

    def audit_purge(count: int) -> None:
        # The worker holds no kiosk key: its entries are chained, and the screen's next checkpoint signs them.
        AuditLog(config.path(config.audit.log_file), actor="sync").record(
            Events.RECORDS_PURGED, count=count, retention_days=config.sync.retention_days
        )

    # Issue 22: the seal certificate is renewed over this link when due, checked at most once a day from the
    # loop; the attempt runs in its own thread, so uploads never wait for it. The day's check is shared with
    # the screen (the store's record, taken under the lock next to it); a worker without the seal key (the
    # packaged unit hides keys/) leaves it to the screen, which holds the key.
    def renewal_attempt() -> Any:
        assert parts.client is not None  # build_worker always opens the client
        return renew_if_due(config.signing, data_dir, parts.client, kiosk_id=config.kiosk.id)

    renewal = SealRenewalLoop(
        renewal_attempt,
        lambda: parts.store,
        lock_path=renewal_lock_path(config.path(config.sync.database)),
        can_renew=lambda: seal_key_unreachable(config.signing, data_dir),
    )
    watchdog = notify.watchdog_ticker()

    def on_tick() -> None:
        watchdog()
        renewal.tick()

    worker, parts = build_worker(
        config.sync,
        config.path,
        kiosk_id=config.kiosk.id,
        health=health,
        on_tick=on_tick,
        on_purge=audit_purge,
        data_key_path=data_key_path(config),
    )
    try:
        if args.drain:
            drained = worker.drain(timeout=args.timeout)
            worker.close()
            status = parts.store.status()
            ctx.emit(
                {"drained": drained, **status.to_json(), "synced": worker.counters.synced},
                f"{'drained' if drained else 'NOT drained'}: {worker.counters.synced} uploaded,"
                f" backlog {status.backlog}, dead letters {status.dead_letters}",
            )
            return 0 if drained else 3
        notify.ready("sync worker running")
        run_until_signalled(worker)
        notify.stopping("sync worker stopping")
        return 0
    finally:
        renewal.close(timeout=parts.client.control_timeout + 5 if parts.client else 5)
        parts.close()


def _age(when: datetime | None) -> str:
    if when is None:
        return "none"
    seconds = int((datetime.now(UTC) - when).total_seconds())
    if seconds < 120:
        return f"{when.isoformat()} ({seconds} s ago)"
    if seconds < 7200:
        return f"{when.isoformat()} ({seconds // 60} min ago)"
    return f"{when.isoformat()} ({seconds // 3600} h ago)"


def show_status(args: argparse.Namespace, ctx: CommandContext) -> int:
    store = _open_store(ctx.config)
    try:
        status = store.status()
        dead = store.dead_letters(limit=20)
    finally:
        store.close()
    running = worker_running(ctx.config.path(ctx.config.sync.database))
    payload = {
        **status.to_json(),
        "worker_running": running,
        "backend_url": ctx.config.sync.backend_url or None,
        "dead_letter_records": [{"code": c, "status": st, "error": err} for c, st, err in dead],
    }
    lines = [
        f"backend:          {ctx.config.sync.backend_url or '(not configured)'}",
        f"sync worker:      {'running' if running else 'NOT running'}",
        f"backlog:          {status.backlog} record(s) waiting",
        f"oldest unsynced:  {_age(status.oldest_unsynced)}",
        f"dead letters:     {status.dead_letters}",
        f"last error:       {status.last_error or 'none'}"
        + (f" at {status.last_error_at}" if status.last_error else ""),
        f"last success:     {status.last_success_at or 'never'}",
        f"queued heartbeats: {status.queued_heartbeats}",
        f"records stored:   {status.records_total}",
    ]
    lines += [f"  dead: {c} (status {st}): {err}" for c, st, err in dead]
    if dead:
        lines.append("  fix the cause, then: kiosk sync retry-dead")
    ctx.emit(payload, "\n".join(lines))
    return 0


def show_log(args: argparse.Namespace, ctx: CommandContext) -> int:
    if not 1 <= args.limit <= 100_000:
        raise BadInputError("--limit must be from 1 to 100000", subject="--limit")
    synclog = open_synclog(ctx.config.sync, ctx.config.path)
    entries = synclog.tail(args.limit, code=args.code, outcome=args.outcome)
    human = [
        f"{e.get('time', '?')}  {e.get('code') or '-':<24} {e.get('outcome', '?'):<11} "
        f"{e.get('status') if e.get('status') is not None else '-':>4} {e.get('bytes', 0):>8} B "
        f"{e.get('latency_ms', 0):>8.1f} ms  {e.get('error') or ''}"
        for e in entries
    ]
    if not human:
        human = [f"(no sync log lines in {synclog.path})"]
    ctx.emit({"path": str(synclog.path), "entries": entries}, "\n".join(human))
    return 0


def retry_dead(args: argparse.Namespace, ctx: CommandContext) -> int:
    store = _open_store(ctx.config)
    try:
        count = store.requeue_dead()
    finally:
        store.close()
    ctx.emit({"requeued": count}, f"{count} dead-lettered record(s) queued for another try")
    return 0


def lookup_code(args: argparse.Namespace, ctx: CommandContext) -> int:
    if args.pdf:
        check_output_file(args.pdf, "--pdf")  # before the network: a bad path is one line, exit 2
    with open_client(ctx.config.sync, ctx.config.path) as client:
        found = client.lookup(args.code)
        if found is None:
            raise NegativeVerdict("the city backend has no record with this code", subject=args.code)
        saved = None
        if args.pdf:
            data = client.fetch_pdf(args.code)
            if data is None:
                raise NegativeVerdict("the city backend has no PDF for this code", subject=args.code)
            write_output_file(args.pdf, data, "--pdf")
            saved = str(args.pdf)
    human = (
        f"{found.get('code')}: {found.get('doc_type')}, {found.get('pages')} page(s), kiosk {found.get('kiosk_id')},"
        f" issued {found.get('created_at')}, received {found.get('received_at')}"
    )
    ctx.emit({**found, "pdf": saved}, human + (f"\nPDF saved to {saved}" if saved else ""))
    return 0
