"""The back office under test: two kiosks with seal certificates from one dev city root, a SoftHSM2 token
with an officer's key, and the backend (mTLS API + public listener) in threads of the test process."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives import serialization

from backoffice import BackendDB, BackgroundServer, make_server
from backoffice.server import make_public_server
from backoffice.services.auth import add_user
from backoffice.services.seals import OfficerTokens, SealChecker, load_trust, make_dev_officer_key
from backoffice.storage.at_rest import load_or_create_key
from backoffice.web.public import RateLimit, build_public_app
from signing.certify import issue_certified_copy
from signing.code import make_code
from signing.config import SigningConfig
from signing.keys import init_dev_keys, load_cert, load_private_key, load_seal_signer, make_seal_cert
from tests.signing.sign_helpers import AUTHORITY, copy_meta, copy_page
from tests.softhsm import shared_token_conf
from tests.sync.helpers import Pki, free_port

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
OFFICER_TOKEN = "officer"
OFFICER_PIN = "135792"
OFFICER = "hoa.nt"
OFFICER_NAME = "Nguyễn Thị Hoa"
PASSWORD = "correct horse battery"
KIOSKS = ("HN-001", "HN-002")
HOLDER_ID, HOLDER_MASKED = "001090001234", "001******234"  # the requester record_body names, as sealed
# When each copy Kiosks.issue made was sealed: record_body's created_at must be the seal's (issue 24).
SEALED_AT: dict[str, str] = {}
WARD = "Phường Hàng Bạc"  # the ward both test kiosks serve (issue 24: a copy's ward is its kiosk's)


@dataclass
class Kiosks:
    """Seal keys of HN-001 and HN-002 under one dev root; ``issue`` makes a real certified copy."""

    root: Path
    config: SigningConfig = field(default_factory=lambda: SigningConfig(passphrase_env="KIOSK_TEST_UNSET_PP"))
    _seq: dict[str, int] = field(default_factory=dict)

    def data(self, kiosk: str) -> Path:
        return self.root / kiosk

    @property
    def root_cert(self) -> Path:
        return self.data(KIOSKS[0]) / "keys" / "city-root-ca.pem"

    @property
    def root_key(self) -> Path:
        return self.data(KIOSKS[0]) / "keys" / "city-root-ca.key.pem"

    def passphrase(self) -> str:
        return (self.data(KIOSKS[0]) / "keys" / "passphrase").read_text().strip()

    def issue(
        self,
        kiosk: str = "HN-001",
        *,
        pages: int = 1,
        doc_type: str = "birth_certificate",
        issued_at: datetime | None = None,
        **sealed: Any,
    ) -> tuple[str, bytes]:
        """A certified copy for the requester record_body names; ``sealed``: more CopyMeta values."""
        seq = self._seq.get(kiosk, 0) + 1
        self._seq[kiosk] = seq
        extra: dict[str, Any] = {"holder_masked_id": HOLDER_MASKED, **sealed}
        if issued_at is not None:
            extra["issued_at"] = issued_at.astimezone(UTC).replace(microsecond=0)
        meta = copy_meta(seq, code=make_code("HN", kiosk, seq), kiosk_id=kiosk, doc_type=doc_type, **extra)
        SEALED_AT[meta.code] = meta.issued_at.isoformat()
        page_list = [copy_page(seq * 10 + i, size=(1240, 1754), lines=12) for i in range(pages)]
        with load_seal_signer(self.config, self.data(kiosk)) as signer:
            copy = issue_certified_copy(page_list, meta, signer)
        return meta.code, copy.pdf


def make_kiosks(root: Path) -> Kiosks:
    kiosks = Kiosks(root)
    first = kiosks.data(KIOSKS[0])
    init_dev_keys(kiosks.config, first, authority=AUTHORITY, kiosk_id=KIOSKS[0])
    for kiosk in KIOSKS[1:]:
        keys = kiosks.data(kiosk) / "keys"
        keys.mkdir(parents=True)
        for name in ("city-root-ca.pem", "city-root-ca.key.pem", "passphrase"):
            shutil.copy2(first / "keys" / name, keys / name)
        init_dev_keys(kiosks.config, kiosks.data(kiosk), authority=AUTHORITY, kiosk_id=kiosk)
    for kiosk in KIOSKS:
        _backdate_seal_cert(kiosks, kiosk)
    return kiosks


def _backdate_seal_cert(kiosks: Kiosks, kiosk: str, days: int = 60) -> None:
    """The kiosk's seal certificate issued ``days`` ago (a kiosk in service for a while), so that a test
    can seal a copy issued days ago: ingest holds the record's issue time to the sealed one (issue 24)."""
    keys = kiosks.data(kiosk) / "keys"
    passphrase = kiosks.passphrase().encode()
    root_key = load_private_key(keys / "city-root-ca.key.pem", passphrase)
    seal_key = load_private_key(keys / "kiosk-seal.key.pem", passphrase)
    now = datetime.now(UTC).replace(microsecond=0)
    cert = make_seal_cert(
        seal_key.public_key(),
        root_key,
        load_cert(keys / "city-root-ca.pem"),
        authority=AUTHORITY,
        kiosk_id=kiosk,
        not_before=now - timedelta(days=days),
        not_after=now + timedelta(days=365),
    )
    (keys / "kiosk-seal.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))


class SoftHsm:
    """A fresh SoftHSM2 token for the officer, in the run's shared token folder (tests/softhsm.py)."""

    def __init__(self) -> None:
        self.conf = shared_token_conf()  # SoftHSM2 reads its config once a process: one folder a run
        os.environ["KIOSK_OFFICER_PIN"] = OFFICER_PIN
        subprocess.run(
            [
                "softhsm2-util",
                "--init-token",
                "--free",
                "--label",
                OFFICER_TOKEN,
                "--so-pin",
                "87654321",
                "--pin",
                OFFICER_PIN,
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def close(self) -> None:
        os.environ.pop("KIOSK_OFFICER_PIN", None)
        subprocess.run(
            ["softhsm2-util", "--delete-token", "--token", OFFICER_TOKEN],
            capture_output=True,
            timeout=60,
            check=False,
        )


def record_body(
    code: str, pdf: bytes, *, kiosk: str = "HN-001", pages: int = 1, **over: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": code,
        "kiosk_id": kiosk,
        "created_at": SEALED_AT.get(code, "2026-11-22T08:30:00+00:00"),
        "doc_type": "birth_certificate",
        "pages": pages,
        "pdf_sha256": hashlib.sha256(pdf).hexdigest(),
        "pdf": base64.b64encode(pdf).decode(),
        "holder_id": HOLDER_ID,
        "holder_name": "Nguyễn Văn An",
        "ocr_text": "GIẤY KHAI SINH",
        "fields": {"full_name": "Nguyễn Văn An", "date_of_birth": "1990-02-03"},
        "face_match": True,
        "face_distance": 0.41,
        "liveness": "blink",
    }
    body.update(over)
    return body


class BackOffice:
    """The backend as `kiosk-backend serve --public-port` runs it, in this process's threads."""

    def __init__(
        self, pki: Pki, kiosks: Kiosks, data: Path, *, db_url: str = "", rate: RateLimit | None = None
    ) -> None:
        self.pki, self.kiosks, self.data = pki, kiosks, data
        self.db_url = db_url or str(data / "backend.sqlite3")
        self.port, self.public_port = free_port(), free_port()
        self.rate = rate or RateLimit(lookup_rate=50, lookup_burst=500, page_rate=200, page_burst=2000)
        self.db: BackendDB | None = None
        self._servers: list[BackgroundServer] = []

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def public_url(self) -> str:
        return f"http://127.0.0.1:{self.public_port}"

    def start(self) -> BackOffice:
        checker = SealChecker(load_trust([self.kiosks.root_cert]))
        self.db = BackendDB(
            self.db_url, self.data / "blobs", data_key=load_or_create_key(self.data), seal_checker=checker
        )
        tokens = OfficerTokens(self.data, module=MODULE, token_label=OFFICER_TOKEN)
        for kiosk in KIOSKS:
            self.db.set_kiosk_ward(kiosk, WARD, by="tests")
        app = build_public_app(self.db, approver=tokens, rate=self.rate)
        self._servers = [
            BackgroundServer(make_server(self.db, self.pki.tls, port=self.port)).start(),
            BackgroundServer(make_public_server(app, port=self.public_port)).start(),
        ]
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.stop()
        self._servers = []
        if self.db is not None:
            self.db.close()
            self.db = None

    def kiosk(self, kiosk: str = "HN-001") -> httpx.Client:
        return httpx.Client(base_url=self.url, verify=self.pki.ssl_context(kiosk), timeout=30)

    def upload(self, body: dict[str, Any], kiosk: str = "HN-001") -> httpx.Response:
        with self.kiosk(kiosk) as client:
            return client.post("/v1/records", json=body, headers={"Idempotency-Key": body["code"]})

    def upload_copy(self, kiosk: str = "HN-001", **over: Any) -> str:
        code, pdf = self.kiosks.issue(kiosk, pages=over.pop("pages", 1))
        answer = self.upload(record_body(code, pdf, kiosk=kiosk, pages=len_pages(pdf), **over), kiosk)
        assert answer.status_code == 201, answer.text
        return code

    def add_officer(self) -> None:
        assert self.db is not None
        add_user(self.db, OFFICER, PASSWORD, "officer", OFFICER_NAME, ward=WARD)
        make_dev_officer_key(
            self.data,
            username=OFFICER,
            full_name=OFFICER_NAME,
            issuer_cert=self.kiosks.root_cert,
            issuer_key=self.kiosks.root_key,
            passphrase=self.kiosks.passphrase(),
            module=MODULE,
            token_label=OFFICER_TOKEN,
        )


def len_pages(pdf: bytes) -> int:
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    return int(PdfFileReader(io.BytesIO(pdf), strict=False).root["/Pages"]["/Count"])
