"""Resident memory over many visits in a row: every kiosk process (the UI and its face process), after each
batch of visits, side by side with the baseline of the first batch.

N visits (default 200) are driven through the real window (Qt offscreen) on the real kiosk core with
simulated devices, as a citizen would click through them: service, card, face, one page, review, confirm,
done. After the warm-up and after every `--every` visits (default 20) it prints, for the UI process and
for each of its child processes (the face process; the multiprocessing helpers), the resident set (RSS,
from /proc/PID/status) and the proportional set (PSS, from /proc/PID/smaps_rollup, which counts shared
pages once across processes), the total, and the total's ratio to the first batch's. It ends with the
trend of the total PSS (least squares, MB per 100 visits) over the batches after the first, and the
verdicts for the budget (total <= 600 MB) and for "no upward trend" (< 5 MB per 100 visits).

Run: .venv/bin/python bench/memory_bench.py [--visits 200] [--every 20]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
BUDGET_MB = 600.0
TREND_LIMIT_MB_PER_100 = 5.0


def _status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _pss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (read from /proc: no extra dependency)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return sorted(out)


def _name(pid: int) -> str:
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        text = b" ".join(cmd).decode(errors="replace")
    except OSError:
        return "?"
    if "resource_tracker" in text:
        return "mp-tracker"
    if "forkserver" in text:
        return "mp-forkserver"
    return "face" if "multiprocessing" in text or "spawn" in text else Path(cmd[0].decode()).name


def measure() -> list[tuple[str, int, float, float | None]]:
    """(role, pid, RSS MB, PSS MB) of the UI process and each of its descendants."""
    me = os.getpid()
    rows = []
    for role, pid in [("ui", me), *((_name(p), p) for p in descendants(me))]:
        pss = _pss_kb(pid)
        rows.append((role, pid, _status_kb(pid, "VmRSS") / 1024, None if pss is None else pss / 1024))
    return rows


def slope_per_100(points: list[tuple[int, float]]) -> float:
    if len(points) < 2:
        return 0.0
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    var = sum((x - mx) ** 2 for x, _ in points)
    return 100 * sum((x - mx) * (y - my) for x, y in points) / var if var else 0.0


def run(visits: int, every: int) -> int:
    from kiosk.app import KioskApp
    from kiosk.config import parse_config
    from kiosk.flow import Screen
    from ui.app import build_kiosk, warm_up

    data = tempfile.mkdtemp(prefix="memory-bench-")
    app = KioskApp(parse_config({"kiosk": {"data_dir": data}}))
    kiosk = build_kiosk(app.config, kiosk_app=app, audit=lambda e, d: None, use_face_process=True)
    w, flow, qt = kiosk.window, kiosk.flow, kiosk.qt
    w.show()
    warm_up(kiosk, app)
    kiosk.runner.wait_all(120000)
    face_process = getattr(kiosk.services, "face_process", None)
    if face_process is not None:
        face_process.warm_up().result(timeout=120)
    qt.processEvents()

    def wait(*screens: Screen, limit: float = 180.0) -> None:
        end = time.monotonic() + limit
        while not (flow.screen in screens and not flow.busy):
            qt.processEvents()
            if time.monotonic() > end:
                raise SystemExit(f"visit stuck at {flow.screen} ({flow.visit.error})")
            time.sleep(0.002)

    def visit() -> str:
        steps = [
            (w.screens[Screen.attract].certify, (Screen.card,)),
            (w.screens[Screen.card].go, (Screen.face, Screen.error)),
            (w.screens[Screen.face].go, (Screen.scan, Screen.error)),
            (w.screens[Screen.scan].add, (Screen.scan, Screen.error)),
            (w.screens[Screen.scan].go, (Screen.review, Screen.error)),
            (w.screens[Screen.review].go, (Screen.done, Screen.error)),
            (w.screens[Screen.done].go, (Screen.attract,)),
        ]
        for button, targets in steps:
            enabled_by = time.monotonic() + 30  # e.g. "Start" waits for a face in the preview
            while not button.isEnabled() and time.monotonic() < enabled_by:
                qt.processEvents()
                time.sleep(0.002)
            button.click()
            wait(*targets)
            qt.processEvents()
            if flow.screen == Screen.error:
                error = str(flow.visit.error)
                flow.reset(reason="bench")
                wait(Screen.attract)
                return f"error {error}"
        return "done"

    header = f"{'visits':>6} {'process':<14}{'pid':>8}{'RSS MB':>9}{'PSS MB':>9}"
    print(header)
    table: list[tuple[int, float, float]] = []  # visits, total RSS, total PSS

    def report(done: int) -> None:
        rows = measure()
        for role, pid, rss, pss in rows:
            print(
                f"{done:>6} {role:<14}{pid:>8}{rss:>9.1f}{(pss if pss is not None else float('nan')):>9.1f}"
            )
        total_rss = sum(r[2] for r in rows)
        total_pss = sum(r[3] or r[2] for r in rows)
        table.append((done, total_rss, total_pss))
        base = next((t for t in table if t[0] >= every), table[0])
        print(
            f"{done:>6} {'TOTAL':<14}{'':>8}{total_rss:>9.1f}{total_pss:>9.1f}"
            f"   x{total_pss / base[2]:.2f} of the first batch's PSS ({base[0]} visits)",
            flush=True,
        )

    report(0)
    outcomes: dict[str, int] = {}
    started = time.perf_counter()
    for n in range(1, visits + 1):
        outcome = visit()
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if n % every == 0 or n == visits:
            report(n)
    elapsed = time.perf_counter() - started
    kiosk.close()
    app.close()

    print(f"\n{visits} visits in {elapsed:.0f} s ({elapsed / visits:.1f} s each): {outcomes}")
    first = next((t for t in table if t[0] >= every), table[-1])
    later = [t for t in table if t[0] >= first[0]]
    trend_rss = slope_per_100([(v, rss) for v, rss, _ in later])
    trend_pss = slope_per_100([(v, pss) for v, _, pss in later])
    peak_rss = max(rss for _, rss, _ in table)
    peak_pss = max(pss for _, _, pss in table)
    print(f"{'':<8}{'total PSS MB':>14}{'total RSS MB':>14}")
    print(f"{'start':<8}{table[0][2]:>14.1f}{table[0][1]:>14.1f}")
    print(f"{'first':<8}{first[2]:>14.1f}{first[1]:>14.1f}   (baseline: after {first[0]} visits)")
    print(
        f"{'last':<8}{table[-1][2]:>14.1f}{table[-1][1]:>14.1f}"
        f"   x{table[-1][2] / first[2]:.2f} PSS, x{table[-1][1] / first[1]:.2f} RSS of the baseline"
    )
    print(f"{'peak':<8}{peak_pss:>14.1f}{peak_rss:>14.1f}")
    print(
        f"trend after the first batch (least squares): RSS {trend_rss:+.1f}, PSS {trend_pss:+.1f} MB per 100 visits"
    )
    # PSS counts each shared page once across processes (the honest total); RSS counts the shared
    # libraries (Qt, numpy, OpenCV) once per process. Both verdicts are printed.
    for label, peak, trend in (("PSS", peak_pss, trend_pss), ("RSS", peak_rss, trend_rss)):
        budget = "OK" if peak <= BUDGET_MB else "OVER BUDGET"
        flat = "flat" if trend < TREND_LIMIT_MB_PER_100 else "GROWING"
        print(f"  {label}: peak {peak:.0f} MB vs budget {BUDGET_MB:.0f} MB: {budget}; trend: {flat}")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=200)
    parser.add_argument("--every", type=int, default=20)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    raise SystemExit(run(args.visits, args.every))


if __name__ == "__main__":
    main()
