"""The one composition root: builds the kiosk's devices and services from its config.

Everything is built lazily, on first use, so `kiosk ocr` never loads the face models and the UI reaches
its attract screen before the heavy parts are warm. Nothing else in the code base constructs a device,
an engine, a signer or a store: they all come from here.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric import ec

from drivers.build import Devices, build_devices
from kiosk.audit import AuditLog
from kiosk.config import KioskConfig
from kiosk.errors import UnavailableError
from kiosk.identity import FaceVerifier
from kiosk.identity.cccd import CardData
from kiosk.identity.chip.kiosk_chip import load_trust, simulated_chip_factory
from kiosk.identity.chip.pki import ChipPki, make_chip_pki
from kiosk.identity.liveness import Challenge
from kiosk.identity.simulated_subject import FRAMES_PER_STEP, SimulatedSubject
from kiosk.pipeline.store import KioskStore, data_key_path
from kiosk.pipeline.visit_pipeline import VisitPipeline
from kiosk.runtime.fleet_health import DEVICES_FILE, watch_devices
from kiosk.runtime.kiosk_keys import data_folder, ensure_dev_keys, kiosk_trust
from kiosk.runtime.memory import tune_malloc
from kiosk.runtime.seal_renewal import ScreenSealRenewal, renewal_lock_path
from kiosk.runtime.security import check_private_dir, check_private_file
from kiosk.samples.card import sample_portrait
from kiosk.samples.glass import DEMO_CITIZEN, SampleGlass
from kiosk.samples.held_copy import held_copy_photo
from ocr import OcrEngine
from offline_sync.runner import open_client, open_store
from signing.errors import SigningError
from signing.keys import load_seal_signer
from signing.signer import SealSigner
from signing.trust import TrustStore

if TYPE_CHECKING:
    from cryptography import x509

    from kiosk.identity.chip.applet import VirtualChip

log = logging.getLogger(__name__)


class KioskApp:
    """The services of one kiosk process, composed from one config."""

    def __init__(self, config: KioskConfig, *, check_secrets: bool | None = None) -> None:
        tune_malloc()  # few malloc arenas: worker threads' visits do not each keep a heap (kiosk.runtime.memory)
        self.config = config
        # Signers a renewed certificate replaced (reload_seal_certificate); closed with the app.
        self._retired_signers: list[SealSigner] = []
        # A real kiosk refuses to start with a config or key file other users could read or change.
        # The simulated profile (development, demo, tests) only warns through `kiosk keys show`.
        if check_secrets if check_secrets is not None else config.profile == "hardware":
            self.check_secrets()

    def check_secrets(self) -> None:
        """Raise InsecureFileError naming the file and the fix for a loose config, key folder or key."""
        if self.config.source not in ("", "<defaults>"):
            check_private_file(self.config.source)
        keys_dir = self.config.path(self.config.signing.keys_dir)
        check_private_dir(keys_dir)
        secrets = {self.config.path(self.config.signing.passphrase_file), data_key_path(self.config)}
        if keys_dir.is_dir():
            secrets.update(p for p in keys_dir.iterdir() if p.name.endswith((".key", ".key.pem", ".p8")))
        for path in sorted(secrets):
            check_private_file(path)

    # -- folders ---------------------------------------------------------------------------------
    @cached_property
    def data_dir(self) -> Path:
        return data_folder(self.config)

    def folder(self, name: str) -> Path:
        """A private sub-folder of the data folder (copies, tmp, ...), created on demand."""
        path = self.data_dir / name
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        return path

    # -- services --------------------------------------------------------------------------------
    @cached_property
    def ocr(self) -> OcrEngine:
        return OcrEngine(self.config.ocr)

    @cached_property
    def face(self) -> FaceVerifier:
        return FaceVerifier(self.config.identity)

    def _ensure_dev_keys(self) -> None:
        ensure_dev_keys(self.config)

    @cached_property
    def signer(self) -> SealSigner:
        self._ensure_dev_keys()
        try:
            return load_seal_signer(self.config.signing, self.data_dir)
        except SigningError as exc:
            raise UnavailableError(
                f"the kiosk seal key cannot be used: {exc} (run `kiosk keys init-dev` for a development key)",
                key="error.signing_unavailable",
            ) from None

    @cached_property
    def seal_renewal(self) -> ScreenSealRenewal:
        """Issue 22: the screen process holds the seal key, so it renews the seal certificate itself over its
        own mTLS client, once a day with the sync worker (kiosk.runtime.seal_renewal); `kiosk run` starts it."""
        config, sync = self.config, self.config.sync
        return ScreenSealRenewal(
            config.signing,
            self.data_dir,
            kiosk_id=config.kiosk.id,
            open_client=(lambda: open_client(sync, config.path)) if sync.backend_url else None,
            open_store=lambda: open_store(sync, config.path, data_key_path(config)),
            lock_path=renewal_lock_path(config.path(sync.database)),
            in_use=lambda: self.__dict__.get("signer"),
            load_signer=lambda: load_seal_signer(config.signing, self.data_dir),
        )

    def start_seal_renewal(self) -> None:
        """Start the screen's daily seal certificate check on its own thread (never the GUI thread)."""
        self.seal_renewal.start()

    def reload_seal_certificate(self) -> bool:
        """Seal with a renewed certificate from now on, when one is loaded and waiting. Call it only between
        visits (the screen does, on the attract screen with no task running): a visit never changes signer
        midway. Cheap, safe on the GUI thread. The signer it replaces stays open until close(): a task of a
        visit already reset may still hold it."""
        renewal = self.__dict__.get("seal_renewal")
        fresh = renewal.take_pending() if renewal is not None else None
        if fresh is None:
            return False
        previous = self.__dict__.get("signer")
        self.__dict__["signer"] = fresh
        if previous is not None:
            self._retired_signers.append(previous)
        log.info("sealing with seal certificate serial %x from this visit on", fresh.cert.serial_number)
        return True

    @cached_property
    def trust(self) -> TrustStore:
        return kiosk_trust(self.config)

    @cached_property
    def audit(self) -> AuditLog:
        """The tamper-evident audit log; its checkpoints are signed with the kiosk seal key when it loads."""
        audit_config = self.config.audit
        path = self.config.path(audit_config.log_file)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            signer = self.signer
        except UnavailableError:
            log.warning("audit checkpoints are not signed: the kiosk key is unavailable")
            audit = AuditLog(path, checkpoint_every=audit_config.checkpoint_every, actor="kiosk")
        else:
            seal_key = signer.cert.public_key()
            audit = AuditLog(
                path,
                sign=signer.sign_es256,
                verify_key=seal_key if isinstance(seal_key, ec.EllipticCurvePublicKey) else None,
                checkpoint_every=audit_config.checkpoint_every,
                actor="kiosk",
            )
        if self.config.source not in ("", "<defaults>"):
            audit.note_config(self.config.source, Path(self.config.source).read_bytes())
        return audit

    @cached_property
    def store(self) -> KioskStore:
        return KioskStore.open(self.config)

    @cached_property
    def glass(self) -> SampleGlass | None:
        """What lies on the simulated scanner's glass; None when the scanner is real."""
        if self.config.devices.scanner.type != "simulated":
            return None
        return SampleGlass(copies_dir=self.data_dir / "copies")

    @cached_property
    def devices(self) -> Devices:
        glass, subject = self.glass, self.simulated_subject
        devices = build_devices(
            self.config.devices,
            self.data_dir,
            sample_pages=glass.next_image if glass else None,
            sample_frames=subject.next_frame if subject else None,
            sample_chip=self._simulated_chip(),
        )
        watch_devices(devices.health, self.config.path(DEVICES_FILE))  # for the sync worker's heartbeat
        return devices

    @cached_property
    def simulated_subject(self) -> SimulatedSubject | None:
        """The person in front of the simulated camera; None when the camera is real."""
        if self.config.devices.camera.type != "simulated":
            return None
        return SimulatedSubject()

    @cached_property
    def pipeline(self) -> VisitPipeline:
        return VisitPipeline(
            settings=self.config,
            devices=self.devices,
            ocr=self.ocr,
            face=lambda: self.face,
            signer=lambda: self.signer,
            trust=lambda: self.trust,
            store=self.store,
            audit=self.audit,
            copies_dir=self.data_dir / "copies",
            stage=self,
            chip_trust=lambda: self.chip_trust,
        )

    # -- the ID card's chip ----------------------------------------------------------------------
    @cached_property
    def chip_pki(self) -> ChipPki | None:
        """The simulated chip's test CSCA and Document Signer, made at run time; None with a real reader."""
        if self.config.devices.chip_reader.type != "simulated":
            return None
        return make_chip_pki()

    @cached_property
    def chip_trust(self) -> list[x509.Certificate]:
        """The CSCA certificates a chip's Document Signer must chain to (identity.chip_csca)."""
        return load_trust(self.config.identity, self.data_dir, self.chip_pki)

    def _simulated_chip(self) -> Callable[[], VirtualChip] | None:
        """The simulated reader's card: the chip of the citizen whose card lies on the simulated glass."""
        if self.chip_pki is None:
            return None
        return simulated_chip_factory(self.chip_pki, CardData(**DEMO_CITIZEN), sample_portrait)

    def prompted(self, item: str) -> None:
        """The kiosk asked the citizen to lay `item` ("card", "document" or "copy") on the glass.

        A real scanner sees whatever the citizen lays down; the simulated glass lays a sample of that kind.
        "copy_photo" is a printed copy held up to the camera: the simulated citizen holds the newest one.
        """
        if item == "copy_photo":
            if self.glass is not None and self.simulated_subject is not None:
                self.glass.expect("copy")
                self.simulated_subject.hold(held_copy_photo(self.glass.next_image()))
            return
        if self.glass is not None:
            self.glass.expect(item)

    def challenged(self, challenge: str) -> int | None:
        """The screen asked the citizen to perform a liveness challenge; a simulated one does it.

        Returns the frames the simulated performance takes (None for a real citizen, who takes their time).
        """
        if self.simulated_subject is None:
            return None
        self.simulated_subject.perform(challenge)
        return len(Challenge.parse(challenge).steps) * FRAMES_PER_STEP

    def close(self) -> None:
        """Close what was opened, explicitly (never in __del__)."""
        renewal = self.__dict__.pop("seal_renewal", None)
        if renewal is not None:  # briefly: systemd stops the screen within 15 s; a cut attempt is the day's
            renewal.stop(timeout=5.0)
        for retired in self._retired_signers:
            retired.close()
        self._retired_signers.clear()
        for name in ("devices", "store", "audit"):
            service = self.__dict__.pop(name, None)
            closer = getattr(service, "close", None)
            if closer is not None:
                try:
                    closer()
                except Exception:
                    log.exception("closing %s failed", name)

    def __enter__(self) -> KioskApp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def private_tmp_dir(app: KioskApp) -> Path:
    """The folder for a visit's temporary files, wiped at reset; private to the kiosk user."""
    path = app.folder("tmp")
    os.chmod(path, 0o700)
    return path
