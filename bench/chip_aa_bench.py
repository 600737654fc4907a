"""Active Authentication bench: what checking the chip's answer costs the kiosk.

Prints, in one run, median microseconds of:
1. the kiosk's RSA check (kiosk.identity.chip.aa.verify: ISO/IEC 9796-2 scheme 1, SIG^e mod n in Python's
   integers, then the header, trailer and hash) for RSA-1024/SHA-1 and RSA-2048/SHA-256, side by side
   with the obvious baseline, OpenSSL's RSA PKCS#1 v1.5 verification (cryptography) of the same key size;
2. the ECDSA P-256 check (OpenSSL), the other form of AA;
3. the simulated chip's signing (not on the kiosk's path: a real chip signs).

    .venv/bin/python bench/chip_aa_bench.py            # ~5 s
    .venv/bin/python bench/chip_aa_bench.py --runs 2000
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):  # run as a script: bench/ must not shadow the packages
    _here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _here]
    sys.path.insert(0, str(_here.parent))

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from kiosk.identity.chip import aa


def _median_us(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=500)
    args = parser.parse_args()
    challenge = os.urandom(8)
    print(f"{'check':44} {'kiosk µs':>10} {'baseline µs':>12} {'ratio':>7}")
    for bits, hash_name in ((1024, "sha1"), (2048, "sha256")):
        chip = aa.ChipAaKey.generate("rsa", hash_name, bits=bits)
        assert isinstance(chip.key, rsa.RSAPrivateKey)
        info, answer = chip.public_key_info(), chip.sign(challenge)
        assert aa.verify(info, challenge, answer).verdict == aa.VALID
        ours = _median_us(lambda info=info, answer=answer: aa.verify(info, challenge, answer), args.runs)
        digest = hashes.SHA1() if hash_name == "sha1" else hashes.SHA256()
        pkcs1 = chip.key.sign(challenge, padding.PKCS1v15(), digest)
        public = chip.key.public_key()
        base = _median_us(
            lambda public=public, pkcs1=pkcs1, digest=digest: public.verify(
                pkcs1, challenge, padding.PKCS1v15(), digest
            ),
            args.runs,
        )
        label = f"RSA-{bits} ISO 9796-2/{hash_name} vs OpenSSL PKCS#1"
        print(f"{label:44} {ours:10.0f} {base:12.0f} {ours / base:7.2f}")
        sign = _median_us(lambda chip=chip: chip.sign(challenge), max(20, args.runs // 10))
        print(f"{'  the simulated chip signing (RSA-' + str(bits) + ')':44} {sign:10.0f}")
    ecdsa = aa.ChipAaKey.generate("ecdsa", "sha256")
    info, answer = ecdsa.public_key_info(), ecdsa.sign(challenge)
    ours = _median_us(lambda: aa.verify(info, challenge, answer), args.runs)
    print(f"{'ECDSA P-256/sha256 (OpenSSL)':44} {ours:10.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
