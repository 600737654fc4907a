"""A real SMTP server on loopback for the delivery tests: aiosmtpd, STARTTLS required or implicit TLS,
with a certificate from the backend's own development PKI. Messages land in `.messages` (parsed)."""

from __future__ import annotations

import email
import email.policy
import ssl
import threading
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session

from backoffice.pki import create_dev_pki


class Collecting:
    """An aiosmtpd handler that keeps each message; `refuse` makes RCPT answer a permanent 550."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse: set[str] = set()
        self.arrived = threading.Condition()

    async def handle_RCPT(
        self, server: Any, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content
        assert isinstance(raw, bytes)
        message = email.message_from_bytes(raw, policy=email.policy.default)
        with self.arrived:
            self.messages.append(message)  # type: ignore[arg-type]
            self.envelopes.append((str(envelope.mail_from), list(envelope.rcpt_tos)))
            self.arrived.notify_all()
        return "250 Message accepted"

    def wait_for(self, count: int, timeout: float = 30.0) -> list[EmailMessage]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.messages) >= count, timeout)
            return list(self.messages)


class SmtpCert:
    """A CA and a certificate for 127.0.0.1 (the backend's dev PKI, reused for the SMTP server)."""

    def __init__(self, folder: Path) -> None:
        self.pki = create_dev_pki(folder, hosts=("127.0.0.1", "localhost"))

    @property
    def ca_file(self) -> Path:
        return self.pki.ca_cert

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.pki.server_cert, self.pki.server_key)
        return context


class SmtpServer:
    """`with SmtpServer(cert, port, mode="starttls") as smtp:` (mode "implicit" for smtps://)."""

    def __init__(
        self, cert: SmtpCert, port: int, *, mode: str = "starttls", handler: Collecting | None = None
    ):
        self.handler = handler or Collecting()
        kwargs: dict[str, Any] = {}
        if mode == "starttls":
            kwargs = {"tls_context": cert.server_context(), "require_starttls": True}
        else:
            kwargs = {"ssl_context": cert.server_context()}
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=port, **kwargs)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
