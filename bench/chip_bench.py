"""Chip bench: reading the simulated CCCD chip (EF.COM, DG1, DG2, DG13, DG15, EF.SOD, Active
Authentication, then passive authentication) over a real pcscd with vsmartcard's virtual reader.

Prints, in one run, median milliseconds and APDU counts of:
1. the kiosk's read: READ BINARY in 0xDF-byte chunks (the largest a short protected response carries),
   against the baseline of 64-byte chunks (what a naive reader, or one capped at 64 bytes, does);
2. a chip that offers PACE (ECDH generic mapping on P-256, AES secure messaging) instead of BAC;
   the same read through the in-process simulated reader (no PC/SC), to show what pcscd costs per APDU;
3. the virtual card answering vpcd with and without TCP quick-ACK (without it, vpcd's two writes per
   message meet Nagle and delayed ACK: ~40 ms per APDU; this is the test harness, not the product).

    .venv/bin/python bench/chip_bench.py            # ~15 s; needs root, pcscd and vsmartcard-vpcd
    .venv/bin/python bench/chip_bench.py --runs 3

The DG2 portrait is the sample portrait at 360x480 JPEG (~30 KB), about a real CCCD's size. A real NFC
reader adds the air interface (106-848 kbit/s and the reader's own latency), which is not measured here.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: bench/ must not shadow the packages
    _here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _here]
    sys.path.insert(0, str(_here.parent))

from tests.chip.pcsc_server import PrivatePcscd, pcscd_usable


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    reason = pcscd_usable()
    if reason:
        print(f"chip bench: {reason}", file=sys.stderr)
        return 3
    with tempfile.TemporaryDirectory() as tmp:
        server = PrivatePcscd(Path(tmp))
        os.environ.update(server.env)
        server.start()
        try:
            return _run(server, args.runs)
        finally:
            server.stop()


def _run(server: PrivatePcscd, runs: int) -> int:
    from drivers.chip_reader import PcscChipReader, SimulatedChipReader
    from kiosk.identity.cccd import CardData
    from kiosk.identity.chip.identity import bac_key_for, read_identity
    from kiosk.identity.chip.issue import issue_chip
    from kiosk.identity.chip.pki import make_chip_pki
    from kiosk.identity.chip.vpicc import VirtualCard
    from kiosk.samples.card import sample_portrait
    from kiosk.samples.glass import DEMO_CITIZEN

    pki = make_chip_pki()
    citizen = CardData(**DEMO_CITIZEN)
    image = issue_chip(citizen, sample_portrait(), pki)
    pace_image = issue_chip(citizen, sample_portrait(), pki, pace=True)
    key = bac_key_for(citizen)
    print(f"chip: {', '.join(f'{fid:04X}={len(raw)} B' for fid, raw in sorted(image.files.items()))}")

    def over_pcsc(chunk: int, *, quick_ack: bool = True, n: int = runs, chip=image) -> tuple[float, int]:  # type: ignore[no-untyped-def]
        times, apdus = [], 0
        with PcscChipReader(server.reader_name, timeout=10) as reader:
            with VirtualCard(chip.chip(), port=server.port, quick_ack=quick_ack):
                for _ in range(n):
                    started = time.perf_counter()
                    identity = read_identity(reader, key, [pki.csca], wait_s=5, chunk=chunk)
                    times.append(time.perf_counter() - started)
                    if not (identity.passive.valid and identity.chip_authentication == "valid"):
                        raise RuntimeError(f"the bench chip did not authenticate: {identity!r}")
                    apdus = identity.read.apdus
            _wait_empty(reader)
        return statistics.median(times) * 1000, apdus

    def in_process(chunk: int) -> tuple[float, int]:
        reader = SimulatedChipReader(card=image.chip())
        times, apdus = [], 0
        with reader:
            for _ in range(runs):
                started = time.perf_counter()
                identity = read_identity(reader, key, [pki.csca], chunk=chunk)
                times.append(time.perf_counter() - started)
                apdus = identity.read.apdus
        return statistics.median(times) * 1000, apdus

    over_pcsc(0xDF, n=1)  # warm-up: imports, pcscd's first card
    rows = [
        ("pcscd+vpcd, 0xDF chunks (kiosk)", over_pcsc(0xDF)),
        ("pcscd+vpcd, 64 B chunks (baseline)", over_pcsc(64)),
        ("pcscd+vpcd, PACE + AES instead of BAC", over_pcsc(0xDF, chip=pace_image)),
        ("in-process, 0xDF chunks", in_process(0xDF)),
        ("in-process, 64 B chunks", in_process(64)),
        ("pcscd+vpcd, 0xDF, no quick-ACK (harness)", over_pcsc(0xDF, quick_ack=False, n=1)),
    ]
    print(f"\n{'read (median of ' + str(runs) + ')':<44}{'ms':>9}{'APDUs':>7}{'ms/APDU':>9}")
    for label, (ms, apdus) in rows:
        print(f"{label:<44}{ms:9.1f}{apdus:7d}{ms / apdus:9.2f}")
    kiosk, baseline = rows[0][1], rows[1][1]
    print(
        f"\n0xDF vs 64-byte chunks over pcscd: {baseline[0] / kiosk[0]:.2f}x faster, "
        f"{baseline[1] / kiosk[1]:.2f}x fewer APDUs"
    )
    print(f"pcscd+vpcd vs in-process: {kiosk[0] / rows[3][1][0]:.2f}x the time")
    print(f"PACE vs BAC: {rows[2][1][0] / kiosk[0]:.2f}x the time")
    print(f"quick-ACK in the virtual card: {rows[5][1][0] / kiosk[0]:.1f}x faster test harness")
    return 0


def _wait_empty(reader) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 10
    while "no card" not in reader.status().detail and time.monotonic() < deadline:
        time.sleep(0.05)


if __name__ == "__main__":
    sys.exit(main())
