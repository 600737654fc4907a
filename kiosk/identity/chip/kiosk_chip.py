"""The chip as the kiosk uses it: the CSCA trust list from config, the simulated profile's chip, and
the visit's chip step (:func:`check_chip`): read, authenticate, cross-check with the QR, or go on from the
QR with a flag when there is no reader or no chip.

A CCCD chip without DG13 (Vietnam's data group) is still a chip identity: DG1 (the MRZ) and DG2 (the
portrait) are signed, so the ID number, birth date, sex and the name (in MRZ letters) are checked against
the QR, and the face against DG2. The QR then gives what only DG13 would have (the name as written, the
issue date, the address); the check carries the flag ``dg13_absent`` and the log says so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from drivers.chip_reader import ChipReader
from drivers.errors import DeviceAbsent, DeviceError
from kiosk.errors import ConfigError
from kiosk.identity.cccd import CardData
from kiosk.identity.chip.errors import ChipError, ChipRefused, chip_error
from kiosk.identity.chip.identity import ChipIdentity, bac_key_for, cross_check, read_identity
from kiosk.identity.chip.issue import issue_chip
from kiosk.identity.chip.pki import ChipPki
from kiosk.identity.chip.sod import load_csca

if TYPE_CHECKING:
    from cryptography import x509

    from kiosk.identity.chip.applet import VirtualChip
    from kiosk.identity.config import IdentityConfig

log = logging.getLogger(__name__)

SOURCE_CHIP, SOURCE_QR = "chip", "qr"
# Why a visit went on from the QR: the post-check queue shows it.
QR_ONLY_REASONS = ("no_reader", "reader_absent", "reader_error", "no_chip", "bac_key_unknown")


def load_trust(identity: IdentityConfig, data_dir: Path, simulated: ChipPki | None) -> list[x509.Certificate]:
    """The configured CSCA certificates; the simulated chip's test CSCA when none is configured and the
    reader is the simulated one (``simulated``)."""
    paths = [p if Path(p).expanduser().is_absolute() else data_dir / p for p in identity.chip_csca]
    try:
        cscas = load_csca(paths)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"identity.chip_csca: cannot load a CSCA certificate: {exc}") from None
    if not cscas and simulated is not None:
        cscas = [simulated.csca]
    return cscas


def simulated_chip_factory(
    pki: ChipPki, card: CardData, portrait: Callable[[], np.ndarray]
) -> Callable[[], VirtualChip]:
    """Makes the sample citizen's chip on first use (issuing it encodes the portrait and signs the SOD)."""

    def make() -> VirtualChip:
        return issue_chip(card, portrait(), pki).chip()

    return make


@dataclass(frozen=True)
class ChipCheck:
    """The visit's chip step: where the identity came from, the portrait to check the face against (DG2,
    decoded in memory; None when the chip was not read) and, for a QR-only visit, why."""

    identity_source: str
    portrait: np.ndarray | None = None
    qr_only_reason: str = ""
    identity: ChipIdentity | None = None
    flags: tuple[str, ...] = ()  # "dg13_absent": the chip had no DG13, the QR gave the rest

    def __repr__(self) -> str:
        extra = [self.qr_only_reason] if self.qr_only_reason else []
        return f"ChipCheck({', '.join([self.identity_source, *extra, *self.flags])})"


def check_chip(
    reader: ChipReader | None,
    card: CardData,
    trust: Callable[[], list[x509.Certificate]],
    settings: IdentityConfig,
) -> ChipCheck:
    """Read the chip of the card whose QR gave ``card``.

    Goes on from the QR (``identity_source`` "qr" and a reason) when there is no reader, the reader is
    gone, or no chip answers. Raises ChipRefused (a negative verdict: nothing is certified) when passive or
    active authentication fails or the QR does not match the chip (``qr_mismatch``), and ChipError when
    the read must be tried again (card moved away, wrong access key, time out).
    """
    if reader is None:
        return ChipCheck(SOURCE_QR, qr_only_reason="no_reader")
    try:
        key = bac_key_for(card)
        identity = read_identity(
            reader, key, trust(), time_limit_s=settings.chip_time_limit_s, wait_s=settings.chip_wait_s
        )
    except ChipError as exc:
        if exc.reason in ("no_chip", "bac_key_unknown"):
            log.info("chip step: going on from the QR (%s)", exc.reason)
            return ChipCheck(SOURCE_QR, qr_only_reason=exc.reason)
        log.warning("chip step failed: %s: %s", exc.reason, exc.detail)
        raise
    except DeviceAbsent as exc:
        log.warning("chip step: reader absent, going on from the QR: %s", exc.detail)
        return ChipCheck(SOURCE_QR, qr_only_reason="reader_absent")
    except DeviceError as exc:
        log.warning("chip step: reader error, going on from the QR: %s", exc.detail)
        return ChipCheck(SOURCE_QR, qr_only_reason="reader_error")
    identity.refuse()
    mismatches = cross_check(identity.holder, card)
    if mismatches:
        log.warning("chip step: the card's QR disagrees with the chip on %s", ", ".join(mismatches))
        source = "DG13" if identity.dg13_status == "present" else "the chip's MRZ"
        raise ChipRefused(
            "the card's QR does not match its chip",
            reason="qr_mismatch",
            detail=f"QR and {source} differ on: {', '.join(mismatches)}",
        )
    if identity.flags:
        log.warning(
            "chip step: %s: identity from DG1 and DG2, the rest from the QR", ", ".join(identity.flags)
        )
    portrait = identity.portrait_bgr()
    if portrait is None:  # the face is checked against the chip's portrait, never the printed one then
        raise chip_error("dg2_malformed", "the chip's portrait (DG2) cannot be decoded")
    return ChipCheck(SOURCE_CHIP, portrait, identity=identity, flags=tuple(identity.flags))
