"""A small RFC 3161 timestamp authority on loopback, answering with pyHanko's DummyTimeStamper."""

from __future__ import annotations

import datetime as dt
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from signing.keys import make_seal_cert, to_asn1_cert


class LoopbackTsa:
    """Start with ``with LoopbackTsa(root_key, root_cert) as tsa: tsa.url``; counts the requests it answered."""

    def __init__(self, issuer_key: ec.EllipticCurvePrivateKey, issuer_cert: x509.Certificate) -> None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # DummyTimeStamper is RSA-only
        now = dt.datetime.now(dt.UTC)
        self.cert = make_seal_cert(
            key.public_key(),
            issuer_key,
            issuer_cert,
            authority="Test TSA",
            kiosk_id="TSA",
            not_before=now - dt.timedelta(days=1),
            not_after=now + dt.timedelta(days=30),
            extra_eku=x509.ExtendedKeyUsageOID.TIME_STAMPING,
        )
        der_key = key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        self.stamper = DummyTimeStamper(
            tsa_cert=to_asn1_cert(self.cert),
            tsa_key=asn1_keys.PrivateKeyInfo.load(der_key),
            certs_to_embed=[to_asn1_cert(issuer_cert)],
        )
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                try:
                    answer = outer.stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
                except Exception:
                    self.send_response(400)
                    self.end_headers()
                    return
                outer.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/tsa"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LoopbackTsa:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)
