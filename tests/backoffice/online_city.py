"""The back office as `kiosk-backend serve` wires issue 22: uploads checked against the kiosk revocation
list (RevocationGuard), the seal certificates learned at ingest, seal certificate renewal and copy facts on
the kiosk API, and the token-gated copy view, /check and the published revocation list on the public
listener. Copies are real certified copies whose QR carries the city's verify address and a token."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backoffice import BackendDB, BackgroundServer, make_server
from backoffice.api.kiosk_keys_api import kiosk_key_routes
from backoffice.server import make_public_server
from backoffice.services.access_tokens import TokenBook, TokenLimits
from backoffice.services.kiosk_keys import REVOCATION_FILE, KioskKeys, RevocationGuard, SealIssuer
from backoffice.services.seals import SealChecker, load_trust
from backoffice.storage.at_rest import load_or_create_key
from backoffice.web.check_page import VENDOR_DIR
from backoffice.web.public import RateLimit, build_public_app
from signing.certify import issue_certified_copy
from signing.code import make_code
from signing.keys import load_seal_signer
from signing.seal_qr import access_token_sha256, new_access_token_bytes, token_text
from tests.backoffice.helpers import BackOffice, Kiosks, len_pages, record_body
from tests.signing.sign_helpers import copy_meta, copy_page
from tests.sync.helpers import Pki

REQUESTER_ID = "001090001567"
BIRTH_FIELDS = {
    "full_name": "Trần Thị Bình",
    "date_of_birth": "2001-05-17",
    "sex": "Nữ",
    "place_of_birth": "Hà Nội",
    "mother_name": "Lê Thị Hoa",
    "father_name": "Trần Văn Nam",
    "document_number": "337/KS",
    "issue_date": "2001-06-02",
}


@dataclass(frozen=True)
class Issued:
    code: str
    pdf: bytes
    qr: str  # the QR text as printed (verify address + seal)
    token: str
    kiosk: str
    issued_at: dt.datetime
    fields: dict[str, str] = dataclasses.field(default_factory=dict)  # the subject's fields, as sealed


class OnlineCity(BackOffice):
    def __init__(
        self,
        pki: Pki,
        kiosks: Kiosks,
        data: Path,
        *,
        db_url: str = "",
        rate: RateLimit | None = None,
        token_limits: TokenLimits | None = None,
        issuer_days: int | None = 90,
    ) -> None:
        super().__init__(pki, kiosks, data, db_url=db_url, rate=rate)
        self.token_limits = token_limits
        self.issuer_days = issuer_days
        self.keys: KioskKeys | None = None

    @property
    def revocation_list(self) -> Path:
        return self.data / REVOCATION_FILE

    def issuer(self) -> SealIssuer:
        return SealIssuer.load(
            self.kiosks.root_cert, self.kiosks.root_key, self.kiosks.passphrase(), days=self.issuer_days or 90
        )

    def start(self) -> OnlineCity:
        checker = SealChecker(load_trust([self.kiosks.root_cert]))
        guard = RevocationGuard(checker, self.revocation_list, checker.trust)
        self.db = BackendDB(
            self.db_url, self.data / "blobs", data_key=load_or_create_key(self.data), seal_checker=guard
        )
        self.keys = KioskKeys(self.db)
        tokens = TokenBook(self.db)
        issuer = self.issuer() if self.issuer_days else None
        app = build_public_app(
            self.db,
            rate=self.rate,
            token_limits=self.token_limits,
            revocation_list=self.revocation_list,
            vendor_dir=VENDOR_DIR,
        )
        self._servers = [
            BackgroundServer(
                make_server(
                    self.db,
                    self.pki.tls,
                    port=self.port,
                    after_ingest=[self.keys.record_signers],
                    route_factories=[kiosk_key_routes(self.keys, tokens, issuer)],
                )
            ).start(),
            BackgroundServer(make_public_server(app, port=self.public_port)).start(),
        ]
        return self

    def issue_copy(
        self,
        kiosk: str = "HN-001",
        *,
        pages: int = 1,
        doc_type: str = "birth_certificate",
        fields: dict[str, str] | None = None,
        issued_at: dt.datetime | None = None,
        code: str | None = None,
        data_dir: Path | None = None,
        token: bytes | None = None,
    ) -> Issued:
        """A real certified copy whose QR carries this city's verify address and a fresh token (or
        ``token``: a forger who holds a genuine copy reuses its token)."""
        seq = self.kiosks._seq.get(kiosk, 0) + 1
        self.kiosks._seq[kiosk] = seq
        raw = token or new_access_token_bytes()
        moment = (issued_at or dt.datetime.now(dt.UTC)).replace(microsecond=0)
        meta = copy_meta(seq, code=code or make_code("HN", kiosk, seq), kiosk_id=kiosk, doc_type=doc_type)
        meta = dataclasses.replace(
            meta,
            issued_at=moment,
            fields=dict(BIRTH_FIELDS if fields is None else fields),
            verify_base_url=self.public_url,
            access_token=raw,
        )
        page_list = [copy_page(seq * 10 + i, size=(1240, 1754), lines=12) for i in range(pages)]
        with load_seal_signer(self.kiosks.config, data_dir or self.kiosks.data(kiosk)) as signer:
            copy = issue_certified_copy(page_list, meta, signer)
        return Issued(meta.code, copy.pdf, copy.seal, token_text(raw), kiosk, moment, dict(meta.fields))

    def upload_issued(self, issued: Issued, **over: Any) -> Any:
        body = record_body(
            issued.code,
            issued.pdf,
            kiosk=issued.kiosk,
            pages=len_pages(issued.pdf),
            created_at=issued.issued_at.isoformat(),
            access_token_sha256=access_token_sha256(issued.token),
            holder_id=REQUESTER_ID,  # what the seal's masked requester ID shows (copy_meta's)
            # the record's fields are the sealed ones, as a kiosk sends them (ingest holds them to the seal)
            **{"fields": issued.fields, **over},
        )
        return self.upload(body, issued.kiosk)

    def stored_copy(self, kiosk: str = "HN-001", **kw: Any) -> Issued:
        issued = self.issue_copy(kiosk, **kw)
        answer = self.upload_issued(issued)
        assert answer.status_code == 201, answer.text
        return issued
