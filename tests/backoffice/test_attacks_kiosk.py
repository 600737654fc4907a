"""Attacks from the kiosk side (one kiosk's certificate has leaked, or a rogue certificate is tried): the
mTLS listener refusing certificates not chained to the kiosk CA, IDOR across kiosks (records, PDFs,
holder checks, logs, staff calls, payments), staff calls spoofing another kiosk, and the payment gateway
notice (forged signature, amount change, replay, another visit's reference)."""

from __future__ import annotations

import ssl
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from offline_sync.protocol.payment_notice import SIGNATURE_HEADER, notice_body, sign_notice
from tests.backoffice.city import CityOffice

# --- certificates not chained to the kiosk CA -------------------------------------------------------


def _cert(
    cn: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Name,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    usage: x509.ObjectIdentifier | None = ExtendedKeyUsageOID.CLIENT_AUTH,
    days: tuple[int, int] = (-1, 30),
    ca: bool = False,
) -> x509.Certificate:
    now = datetime.now(UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    b = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now + timedelta(days=days[0]))
        .not_valid_after(now + timedelta(days=days[1]))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if usage is not None:
        b = b.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    return b.sign(issuer_key, hashes.SHA256())


def _write(folder: Path, label: str, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey,
           chain: tuple[x509.Certificate, ...] = ()) -> tuple[Path, Path]:  # fmt: skip
    cert_path, key_path = folder / f"{label}.crt", folder / f"{label}.key"
    pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (cert, *chain))
    cert_path.write_bytes(pem)
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def _rogue_certificates(office: CityOffice, folder: Path) -> dict[str, tuple[Path, Path]]:
    pki = office.pki.pki
    ca_cert = x509.load_pem_x509_certificate(pki.ca_cert.read_bytes())
    ca_key = serialization.load_pem_private_key(pki.ca_key.read_bytes(), password=None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    out: dict[str, tuple[Path, Path]] = {}
    key = ec.generate_private_key(ec.SECP256R1())
    me = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "HN-001")])
    out["self-signed HN-001"] = _write(folder, "self", _cert("HN-001", key, me, key), key)
    other_key = ec.generate_private_key(ec.SECP256R1())
    other_ca = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ca_cert.subject.rfc4514_string())])
    out["another CA, same name"] = _write(folder, "other", _cert("HN-001", key, other_ca, other_key), key)
    out["expired, right CA"] = _write(
        folder, "expired", _cert("HN-001", key, ca_cert.subject, ca_key, days=(-30, -1)), key
    )
    out["server-auth only, right CA"] = _write(
        folder,
        "server",
        _cert("HN-001", key, ca_cert.subject, ca_key, usage=ExtendedKeyUsageOID.SERVER_AUTH),
        key,
    )
    # A kiosk's own (leaf) certificate used as a CA to mint HN-002: the leaf is not a CA.
    leaf_cert_path, leaf_key_path = office.pki.client("HN-001")
    leaf = x509.load_pem_x509_certificate(leaf_cert_path.read_bytes())
    leaf_key = serialization.load_pem_private_key(leaf_key_path.read_bytes(), password=None)
    assert isinstance(leaf_key, ec.EllipticCurvePrivateKey)
    minted = _cert("HN-002", key, leaf.subject, leaf_key)
    out["minted by a kiosk's leaf"] = _write(folder, "minted", minted, key, (leaf,))
    return out


def test_the_mtls_listener_refuses_certificates_not_chained_to_the_kiosk_ca(
    city_office: CityOffice, tmp_path: Path
) -> None:
    office = city_office
    ca = str(office.pki.pki.ca_cert)
    for label, (cert, key) in _rogue_certificates(office, tmp_path).items():
        context = ssl.create_default_context(cafile=ca)
        context.load_cert_chain(cert, key)
        try:
            with httpx.Client(base_url=office.url, verify=context, timeout=15) as client:
                answer = client.get("/v1/fleet")
        except (httpx.TransportError, ssl.SSLError):
            continue  # the handshake (or its first read, in TLS 1.3) refused the certificate
        pytest.fail(f"{label}: answered {answer.status_code}")
    # no certificate at all
    with (
        pytest.raises(httpx.TransportError),
        httpx.Client(base_url=office.url, verify=ssl.create_default_context(cafile=ca), timeout=15) as client,
    ):
        client.get("/v1/fleet")
    # the genuine kiosk still gets in
    with office.kiosk("HN-001") as client:
        assert client.get("/v1/fleet").status_code == 200


# --- IDOR across kiosks ------------------------------------------------------------------------------


def test_another_kiosk_reads_nothing_of_hn001(city_office: CityOffice) -> None:
    office = city_office
    code = office.upload_copy("HN-001")
    with office.kiosk("HN-002") as thief:
        assert thief.get(f"/v1/records/{code}").status_code == 404
        assert thief.get(f"/v1/records/{code}/pdf").status_code == 404
        assert (
            thief.post(f"/v1/records/{code}/holder-check", json={"holder_id": "001090001234"}).status_code
            == 404
        )
        assert thief.get("/v1/sync-logs?kiosk=HN-001").status_code == 403
        fleet = thief.get("/v1/fleet").json()["kiosks"]
        assert {k["kiosk_id"] for k in fleet} <= {"HN-002"}


def test_staff_calls_of_another_kiosk_cannot_be_listed_closed_or_taken_over(city_office: CityOffice) -> None:
    office = city_office
    call_id = uuid.uuid4().hex
    with office.kiosk("HN-001") as owner:
        assert (
            owner.post("/v1/staff-calls", json={"call_id": call_id, "reason": "citizen_request"}).status_code
            == 201
        )
    with office.kiosk("HN-002") as thief:
        listed = thief.get("/v1/staff-calls?status=open")
        assert listed.status_code == 200
        assert all(c["kiosk_id"] == "HN-002" for c in listed.json()["calls"]), listed.json()
        assert thief.post(f"/v1/staff-calls/{call_id}/cancel").status_code == 404
        assert thief.post(f"/v1/staff-calls/{call_id}/answer").status_code == 404
        spoof = thief.post("/v1/staff-calls", json={"call_id": call_id, "reason": "device_fault"})
        assert spoof.status_code == 409 and "HN-001" not in spoof.text
    with office.kiosk("HN-001") as owner:
        (call,) = [c for c in owner.get("/v1/staff-calls").json()["calls"] if c["call_id"] == call_id]
        assert (
            call["kiosk_id"] == "HN-001" and call["status"] == "open" and call["reason"] == "citizen_request"
        )


# --- the payment gateway's notice -------------------------------------------------------------------


def _flip_last(signature: str) -> str:
    return signature[:-1] + ("1" if signature.endswith("0") else "0")


def _secret(office: CityOffice) -> bytes:
    return (office.data / "gateway.secret").read_bytes().strip()


def _notify(office: CityOffice, body: bytes, signature: str, kiosk: str = "HN-002") -> httpx.Response:
    with office.kiosk(kiosk) as client:
        return client.post(
            "/v1/payments/gateway/notify",
            content=body,
            headers={SIGNATURE_HEADER: signature, "content-type": "application/json"},
        )


def _status(office: CityOffice, reference: str, kiosk: str = "HN-001") -> str:
    with office.kiosk(kiosk) as client:
        return str(client.get(f"/v1/payments/{reference}").json()["status"])


def test_gateway_notice_forgery_amount_change_replay_and_foreign_reference(city_office: CityOffice) -> None:
    office = city_office
    ref, other = "HN001PAAAA2222", "HN001PBBBB3333"
    with office.kiosk("HN-001") as kiosk:
        assert kiosk.post("/v1/payments", json={"reference": ref, "amount_vnd": 20000}).status_code == 201
        assert kiosk.post("/v1/payments", json={"reference": other, "amount_vnd": 50000}).status_code == 201
    secret = _secret(office)
    body = notice_body("TXN-1", ref, 20000)
    # a kiosk (no secret) forging the gateway: no signature, a guessed one, one made with the wrong key
    for signature in ("", "0" * 64, sign_notice(b"x" * 32, body), _flip_last(sign_notice(secret, body))):
        assert _notify(office, body, signature).status_code == 401
    # a signed notice whose amount was changed on the way
    tampered = body.replace(b"20000", b"20")
    assert _notify(office, tampered, sign_notice(secret, body)).status_code == 401
    # a genuine notice for less than the fee does not pay
    short = notice_body("TXN-2", ref, 2000)
    assert _notify(office, short, sign_notice(secret, short)).status_code == 422
    assert _status(office, ref) == "pending"
    # the right notice pays; replaying it changes nothing; its txn cannot pay another visit's reference
    assert _notify(office, body, sign_notice(secret, body)).json()["outcome"] == "paid"
    again = _notify(office, body, sign_notice(secret, body))
    assert again.status_code == 200 and again.json()["replayed"] is True
    stolen = notice_body("TXN-1", other, 50000)
    assert _notify(office, stolen, sign_notice(secret, stolen)).status_code == 409
    assert _status(office, other) == "pending"
    # a second payment of the same visit is recorded but does not pay anything else
    twice = notice_body("TXN-3", ref, 20000)
    assert _notify(office, twice, sign_notice(secret, twice)).json()["outcome"] == "already_paid"
    # another kiosk cannot read, cancel or move the payment to cash
    with office.kiosk("HN-002") as thief:
        assert thief.get(f"/v1/payments/{ref}").status_code == 404
        assert thief.post(f"/v1/payments/{other}/cancel").status_code == 404
        assert thief.post(f"/v1/payments/{other}/cash").status_code == 404
        squat = thief.post("/v1/payments", json={"reference": other, "amount_vnd": 1})
        assert squat.status_code in (403, 409)
    assert _status(office, ref) == "paid" and _status(office, other) == "pending"
    # a kiosk cannot mark its own payment paid through the cash or cancel routes once it is paid
    with office.kiosk("HN-001") as kiosk:
        assert kiosk.post(f"/v1/payments/{ref}/cancel").status_code == 409


def test_a_kiosk_cannot_open_a_payment_under_another_kiosks_prefix(city_office: CityOffice) -> None:
    # References are "<kiosk letters and digits>P<8 random>": HN-002 squatting HN-001's namespace.
    with city_office.kiosk("HN-002") as thief:
        answer = thief.post("/v1/payments", json={"reference": "HN001PZZZZ9999", "amount_vnd": 20000})
    assert answer.status_code in (403, 422), answer.text


def test_a_leaked_kiosk_certificate_cannot_walk_the_id_space_through_holder_checks(
    city_office: CityOffice,
) -> None:
    office = city_office
    code = office.upload_copy("HN-001")  # holder 001090001234
    with office.kiosk("HN-001") as kiosk:
        for guess in range(5):
            answer = kiosk.post(
                f"/v1/records/{code}/holder-check", json={"holder_id": f"00109000{guess:04d}"}
            )
            assert answer.status_code == 200 and answer.json()["holder"] is False
        # the guessing stops here, even for the right number: the copy's checks are spent for the day
        right = kiosk.post(f"/v1/records/{code}/holder-check", json={"holder_id": "001090001234"})
        assert right.status_code == 429


def test_a_delivery_address_cannot_inject_mail_headers(city_office: CityOffice) -> None:
    from tests.backoffice.helpers import len_pages, record_body

    office = city_office
    code, pdf = office.kiosks.issue("HN-001")
    for address in (
        "a@example.org\r\nBcc: victim@evil.example",
        "a@example.org\nSubject: x",
        "a@b.example>,<c@d.example",
    ):
        body = record_body(code, pdf, pages=len_pages(pdf), delivery_email=address)
        assert office.upload(body).status_code == 400, address


def test_a_revoked_kiosk_certificate_is_refused_at_the_handshake(
    city_office: CityOffice, tmp_path: Path
) -> None:
    # A kiosk's key leaks: the city revokes its certificate; the listener with --crl refuses it.
    from backoffice import BackgroundServer, make_server
    from backoffice.pki import write_crl
    from backoffice.server import TlsFiles
    from tests.sync.helpers import free_port

    office = city_office
    leaked_cert, _key = office.pki.client("HN-002")
    office.pki.client("HN-001")
    crl = tmp_path / "crl.pem"
    write_crl(office.pki.pki, [leaked_cert], crl)
    tls = office.pki.tls
    port = free_port()
    assert office.db is not None
    with BackgroundServer(
        make_server(office.db, TlsFiles(tls.cert, tls.key, tls.client_ca, crl=crl), port=port)
    ):
        url = f"https://127.0.0.1:{port}"
        with httpx.Client(base_url=url, verify=office.pki.ssl_context("HN-001"), timeout=15) as good:
            assert good.get("/v1/fleet").status_code == 200
        with (
            pytest.raises(httpx.TransportError),
            httpx.Client(base_url=url, verify=office.pki.ssl_context("HN-002"), timeout=15) as leaked,
        ):
            leaked.get("/v1/fleet")
    # without the list (today's default) the leaked certificate still gets in: the list is what stops it
    with office.kiosk("HN-002") as client:
        assert client.get("/v1/fleet").status_code == 200
