"""The dashboard's parts on their own: SVG escaping, CSV cells, KPI arithmetic, log search across time
zones, and the growing-backlog rule. Real SQLite database, no server."""

from __future__ import annotations

import csv
import io
import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from backoffice.services.operations import KpiRow, LogQuery, csv_cell, kpi_csv, search_logs, summarise
from backoffice.storage.db import BackendDB
from backoffice.web.ops_svg import bar_chart
from offline_sync.protocol import SyncLogEntry


def test_the_svg_escapes_every_label_and_parses() -> None:
    evil = '<script>alert(1)</script>"&'
    svg = str(bar_chart(evil, [evil, "ok"], [3, 1], rates=[0.5, None], rate_label=evil))
    assert "<script>" not in svg
    root = ET.fromstring(svg)  # well-formed XML: no label broke out of its element
    assert root.tag.endswith("svg")
    texts = [t.text for t in root.iter() if t.tag.endswith("text") and t.text]
    assert evil in texts
    assert len([e for e in root.iter() if e.tag.endswith("rect")]) == 2
    assert len([e for e in root.iter() if e.tag.endswith("circle")]) == 1


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Phường 1", "Phường 1"),
        (0.25, "0.25"),
        (None, ""),
    ],
)
def test_csv_cells_never_start_a_formula(value: object, cell: str) -> None:
    assert csv_cell(value) == cell


def test_kpi_csv_round_trips() -> None:
    rows = [
        summarise("=evil", [KpiRow("2026-12-01", "=evil", "HN-001", 2, 250.0, 3, 1, 2, 1, 1, 0, "issued")])
    ]
    parsed = list(csv.reader(io.StringIO(kpi_csv(rows, "ward"))))
    assert parsed[1][:4] == ["'=evil", "1", "2", "1.0"]


def test_summarise_counts_on_time_and_late_only_over_timed_visits() -> None:
    rows = [
        KpiRow("d", "w", "k", 1, 300.0, 1, 0, 1, 0, 1, 0, "issued"),  # exactly 5 minutes: on time
        KpiRow("d", "w", "k", 1, 301.0, 2, 1, 2, 1, 2, 1, "revoked"),
        KpiRow("d", "w", "k", 1, None, 1, 0, 0, 0, 0, 0, "post_checked"),  # no metrics: counted, not timed
    ]
    s = summarise("k", rows)
    assert (s["copies"], s["on_time_rate"], s["late_rate"], s["median_visit_s"]) == (3, 0.5, 0.5, 300.5)
    assert (s["post_check_backlog"], s["revocations"]) == (1, 1)
    assert summarise("none", [])["on_time_rate"] is None


def test_log_search_compares_times_across_time_zones(tmp_path: Path) -> None:
    db = BackendDB(str(tmp_path / "b.sqlite3"), tmp_path / "blobs")
    ict = timezone(timedelta(hours=7))
    base = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    entries = [
        SyncLogEntry(id=uuid.uuid4().hex, time=base, kiosk="HN-001", outcome="synced", code="A"),
        # 08:30 in Hanoi is 01:30 UTC: earlier, although its text sorts later.
        SyncLogEntry(
            id=uuid.uuid4().hex,
            time=datetime(2026, 12, 1, 8, 30, tzinfo=ict),
            kiosk="HN-001",
            outcome="retry",
            code="B",
        ),
        SyncLogEntry(id=uuid.uuid4().hex, time=base + timedelta(hours=1), kiosk="HN-002", outcome="synced"),
    ]
    db.add_log_entries(entries)
    since = datetime(2026, 12, 1, 1, 45, tzinfo=UTC)
    found = search_logs(db, LogQuery(kiosk="HN-001", since=since))
    assert [e["code"] for e in found] == ["A"]
    everything = search_logs(db, LogQuery())
    assert [e.get("code") for e in everything] == [None, "A", "B"]  # newest first, by the real instant
    assert search_logs(db, LogQuery(outcome="retry", code="B"))[0]["kiosk"] == "HN-001"
    assert search_logs(db, LogQuery(kiosk="'; DROP TABLE sync_log; --")) == []
    assert len(search_logs(db, LogQuery())) == 3
    db.close()
