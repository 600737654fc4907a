"""Issue 22, item 5: a leaked kiosk key revoked for every verifier. `kiosk-backend revoke-kiosk` signs the
revocation list under the city root, the public listener publishes it, a copy sealed with the key at or
after the void time is `seal_revoked` for the verifier and refused at upload, one sealed before stays
valid; a stale or foreign list is said so or refused. Kiosk seal certificates are renewed over mTLS."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from backoffice.cli import main as backend_main
from backoffice.services.kiosk_keys import SealIssuer
from signing.errors import SigningError
from signing.keys import make_root_cert
from signing.kiosk_revocation import RevokedSeal, load_revocation_list, make_revocation_list
from signing.seal_qr import read_seal_qr
from signing.trust import TrustStore, load_certs
from signing.verify import verify_pdf
from tests.backoffice.helpers import Kiosks
from tests.backoffice.online_city import Issued, OnlineCity
from tests.sync.helpers import Pki

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


@pytest.fixture
def city(pki: Pki, kiosks: Kiosks, tmp_path: Path) -> Iterator[OnlineCity]:
    office = OnlineCity(pki, kiosks, tmp_path / "backend").start()
    yield office
    office.stop()


def revoke_kiosk(
    city: OnlineCity,
    kiosk: str,
    when: dt.datetime,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> dict[str, object]:
    monkeypatch.setenv("KIOSK_KEY_PASSPHRASE", city.kiosks.passphrase())
    rc = backend_main(
        [
            "revoke-kiosk",
            kiosk,
            "--from",
            when.isoformat(),
            "--issuer-cert",
            str(city.kiosks.root_cert),
            "--issuer-key",
            str(city.kiosks.root_key),
            "--data",
            str(city.data),
        ]
    )
    out = capsys.readouterr()
    assert rc == 0, out.err
    result: dict[str, object] = json.loads(out.out)
    return result


def seal_cert(kiosks: Kiosks, kiosk: str) -> x509.Certificate:
    return load_certs(kiosks.data(kiosk) / "keys" / "kiosk-seal.pem")[0]


def verifier(kiosks: Kiosks, revocation_pem: bytes | None = None) -> TrustStore:
    trust = TrustStore()
    for cert in (*load_certs(kiosks.root_cert), seal_cert(kiosks, "HN-001"), seal_cert(kiosks, "HN-002")):
        trust.add(cert)
    if revocation_pem is not None:
        trust.load_revocations(revocation_pem, source="test")
    return trust


def test_a_revoked_kiosk_key_is_void_from_its_time_for_verifiers_and_at_upload(
    city: OnlineCity, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = city.stored_copy("HN-001")  # the city learns HN-001's seal certificate from this upload
    cut = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=1)
    out = revoke_kiosk(city, "HN-001", cut, monkeypatch, capsys)
    assert out["entries"] == 1
    with httpx.Client(base_url=city.public_url, timeout=30) as client:
        published = client.get("/api/public/kiosk-revocations")
    assert published.status_code == 200 and published.content.startswith(b"-----BEGIN X509 CRL")
    root = load_certs(city.kiosks.root_cert)
    listed = load_revocation_list(published.content, root)
    cert = seal_cert(city.kiosks, "HN-001")
    entry = listed.entry_for(cert)
    assert entry is not None and entry.void_from == cut
    assert listed.entry_for(seal_cert(city.kiosks, "HN-002")) is None

    # A leaked key after its revocation time: every verifier refuses it, and the city refuses its upload.
    while dt.datetime.now(dt.UTC) <= cut:  # the leaked key is used after the void time, not a timing check
        time.sleep(0.1)
    after = city.issue_copy("HN-001")
    trust = verifier(city.kiosks, published.content)
    assert verify_pdf(after.pdf, trust).reason_key == "seal_revoked"
    paper = read_seal_qr(after.qr, trust)
    assert (paper.valid, paper.reason_key) == (False, "seal_revoked")
    refused = city.upload_issued(after)
    assert refused.status_code == 422 and "seal_revoked" in refused.text, refused.text
    # Before the revocation time: still valid (a leak does not withdraw the honest copies).
    assert verify_pdf(before.pdf, trust).valid
    assert read_seal_qr(before.qr, trust).reason_key == "valid"
    # Another kiosk is untouched.
    assert city.upload_issued(city.issue_copy("HN-002")).status_code == 201


def test_a_revocation_from_a_later_time_keeps_copies_made_before_it(
    city: OnlineCity, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    city.stored_copy("HN-002")
    revoke_kiosk(city, "HN-002", NOW + dt.timedelta(hours=1), monkeypatch, capsys)
    made_now = city.issue_copy("HN-002")
    assert city.upload_issued(made_now).status_code == 201  # sealed before the void time
    trust = verifier(city.kiosks, (city.data / "kiosk-revocations.pem").read_bytes())
    assert verify_pdf(made_now.pdf, trust).valid


def test_revoke_kiosk_refuses_what_it_cannot_do(
    city: OnlineCity, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KIOSK_KEY_PASSPHRASE", city.kiosks.passphrase())
    base = [
        "--issuer-cert",
        str(city.kiosks.root_cert),
        "--issuer-key",
        str(city.kiosks.root_key),
        "--data",
        str(city.data),
    ]
    # No copy of HN-009 was ever stored: the city knows none of its certificates.
    assert backend_main(["revoke-kiosk", "HN-009", "--from", "now", *base]) == 2
    assert "--cert PEM" in capsys.readouterr().err
    # A time without a zone is ambiguous.
    assert backend_main(["revoke-kiosk", "HN-001", "--from", "2026-01-01T00:00:00", *base]) == 2
    assert "zone" in capsys.readouterr().err
    # A certificate of another kiosk cannot be revoked under this kiosk's name.
    other = city.kiosks.data("HN-002") / "keys" / "kiosk-seal.pem"
    assert backend_main(["revoke-kiosk", "HN-001", "--from", "now", "--cert", str(other), *base]) == 2
    assert "HN-002" in capsys.readouterr().err


def test_a_stale_or_foreign_revocation_list(kiosks: Kiosks) -> None:
    issuer = SealIssuer.load(kiosks.root_cert, kiosks.root_key, kiosks.passphrase())
    entry = RevokedSeal(seal_cert(kiosks, "HN-001").serial_number, NOW, NOW)
    old = make_revocation_list([entry], issuer.cert, issuer.key, now=NOW - dt.timedelta(days=10))
    listed = verifier(kiosks, old).revocations
    assert listed is not None and listed.stale() and "stale" in (listed.staleness() or "")
    # A list signed by anyone but the city's issuer is never used.
    rogue_key = ec.generate_private_key(ec.SECP256R1())
    rogue = make_root_cert(
        rogue_key, "Smart Kiosk dev", NOW - dt.timedelta(days=1), NOW + dt.timedelta(days=9)
    )
    forged = make_revocation_list([], rogue, rogue_key)
    with pytest.raises(SigningError, match="not signed by a trusted authority"):
        verifier(kiosks, forged)
    with pytest.raises(SigningError, match="not a revocation list"):
        verifier(kiosks, b"-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n")


def csr_for(key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey, unit: str = "HN-002") -> str:
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit)])
    csr = x509.CertificateSigningRequestBuilder().subject_name(name).sign(key, hashes.SHA256())
    return csr.public_bytes(serialization.Encoding.PEM).decode()


def test_seal_certificates_are_renewed_over_the_kiosks_mtls_link(
    city: OnlineCity, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    with city.kiosk("HN-001") as client:
        # The request names HN-002; the certificate is the mTLS client's, HN-001's.
        answer = client.post("/v1/seal-certificate", json={"csr": csr_for(key)})
        assert answer.status_code == 201, answer.text
        cert = x509.load_pem_x509_certificate(answer.json()["certificate"].encode())
        root = load_certs(city.kiosks.root_cert)[0]
        cert.verify_directly_issued_by(root)
        units = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
        assert [u.value for u in units] == ["HN-001"] and cert.public_key() == key.public_key()
        days = (cert.not_valid_after_utc - cert.not_valid_before_utc).days
        assert 89 <= days <= 90
        for bad in ("", "not a csr", csr_for(rsa.generate_private_key(65537, 2048))):
            refused = client.post("/v1/seal-certificate", json={"csr": bad})
            assert refused.status_code == 400 and refused.json()["error"], bad
        # A CSR whose signature does not match its key: the public key of one, signed by another.
        assert client.post("/v1/seal-certificate", content=b"{").status_code == 400
    # The renewed certificate is known to the city; once revoked, its key cannot be renewed again.
    revoke_kiosk(city, "HN-001", NOW, monkeypatch, capsys)
    with city.kiosk("HN-001") as client:
        again = client.post("/v1/seal-certificate", json={"csr": csr_for(key)})
    assert again.status_code == 400 and "revoked" in again.json()["error"]
    # Without a client certificate there is no renewal at all.
    anonymous = httpx.Client(base_url=city.url, verify=str(city.pki.pki.ca_cert), timeout=10)
    with anonymous, pytest.raises(httpx.HTTPError):
        anonymous.post("/v1/seal-certificate", json={"csr": csr_for(key)})


def test_a_copy_stored_before_its_kiosk_was_revoked_reads_not_valid_on_v_and_check(
    city: OnlineCity, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The upload check cannot refuse a copy the city already holds: the public pages apply the current
    list when they show it. HN-001's key is revoked from a time before one stored copy's issue time and
    after another's; HN-002 is untouched."""
    honest = city.stored_copy("HN-001")  # signed before the void time
    cut = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=1)
    while dt.datetime.now(dt.UTC) <= cut:  # the next copy is signed after the void time (not a timing check)
        time.sleep(0.1)
    void = city.stored_copy("HN-001")  # stored: the list does not name the key yet
    other = city.stored_copy("HN-002")
    with httpx.Client(base_url=city.public_url, timeout=60) as client:

        def verdict(copy: Issued) -> dict[str, object]:
            answer = client.post("/check/verdict", json={"qr": copy.qr})
            assert answer.status_code == 200, answer.text
            result: dict[str, object] = answer.json()
            return result

        assert verdict(void)["verdict"] == "VALID"  # before the revocation
        revoke_kiosk(city, "HN-001", cut, monkeypatch, capsys)

        # /check: NOT VALID with its reason, no issued pages offered; the others as before.
        refused = verdict(void)
        assert (refused["verdict"], refused["reason_key"]) == ("NOT VALID", "seal_revoked")
        assert "pages" not in refused and "view" not in refused
        assert verdict(honest)["verdict"] == "VALID"  # sealed before the void time
        assert verdict(other)["verdict"] == "VALID"
        # The words the page shows for the reason (its texts, as the page's script reads them).
        for lang, words in (
            ("vi", "Khóa ký của ki-ốt cấp bản sao này đã bị thu hồi"),
            ("en", "kiosk that issued"),
        ):
            html = client.get(f"/check?lang={lang}").text
            found = re.search(r'<script type="application/json" id="texts">(.*?)</script>', html, re.S)
            assert found is not None and words in json.loads(found.group(1))["seal_revoked"]

        # /v/{code}?t=: the verdict line and the reason, in Vietnamese and English.
        page = client.get(f"/v/{void.code}?t={void.token}")
        en = client.get(f"/v/{void.code}?t={void.token}&lang=en")
        assert page.status_code == 200 and en.status_code == 200
        assert "KHÔNG HỢP LỆ · khóa ký của ki-ốt đã bị thu hồi" in page.text
        assert 'id="seal-revoked" data-reason="seal_revoked"' in page.text
        assert "HỢP LỆ · đã cấp" not in page.text
        assert "NOT VALID · the kiosk&#39;s seal key was revoked" in en.text or (
            "NOT VALID · the kiosk's seal key was revoked" in en.text
        )
        assert "VALID · issued" not in en.text
        # Without the token the status line says so too (status-level, nothing more).
        bare = client.get(f"/v/{void.code}")
        assert "KHÔNG HỢP LỆ · khóa ký" in bare.text and "Trần Thị Bình" not in bare.text
        status = client.get(f"/api/public/copies/{void.code}").json()
        assert status == {"code": void.code, "status": "issued", "seal_revoked": True}
        facts = client.get(f"/api/public/copies/{void.code}?t={void.token}").json()
        assert facts["seal_revoked"] is True and facts["code"] == void.code
        # The honest copy and the other kiosk's read as before.
        for copy in (honest, other):
            shown = client.get(f"/v/{copy.code}?t={copy.token}")
            assert "HỢP LỆ · đã cấp, chờ hậu kiểm" in shown.text and "seal-revoked" not in shown.text
            assert "seal_revoked" not in client.get(f"/api/public/copies/{copy.code}").json()
