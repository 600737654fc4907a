"""The console's tests and bench: real certified copies whose seal carries the subject's fields, uploaded
with what OCR read (which may disagree), and a staff HTTP client that follows the console's forms."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from backoffice.services.auth import add_user
from backoffice.services.seals import make_dev_officer_key
from backoffice.web.console_views import mask_id
from signing.certify import issue_certified_copy
from signing.code import make_code
from signing.keys import load_seal_signer
from tests.backoffice.helpers import (
    MODULE,
    OFFICER,
    OFFICER_TOKEN,
    PASSWORD,
    WARD,
    BackOffice,
    len_pages,
    record_body,
)
from tests.signing.sign_helpers import copy_meta, copy_page

SEALED_NAME = "PHẠM THU MAI"
MISREAD_NAME = "PHẠM THỦ MAI"
HOLDER_ID = "001090001234"
OFFICER_2, OFFICER_2_NAME = "minh.tv", "Trần Văn Minh"
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")


def issue_sealed(
    office: BackOffice,
    kiosk: str = "HN-001",
    *,
    doc_type: str = "birth_certificate",
    sealed: dict[str, str] | None = None,
    requester: str = "Nguyễn Văn An",
    pages: int = 1,
    issued_at: dt.datetime | None = None,
    **record: Any,
) -> str:
    """A real certified copy of ``kiosk`` whose seal carries ``sealed`` (the subject's confirmed fields) and
    ``requester``; uploaded with ``record`` over the test record (e.g. ``ocr_fields`` as OCR read them)."""
    kiosks = office.kiosks
    seq = kiosks._seq.get(kiosk, 0) + 1
    kiosks._seq[kiosk] = seq
    fields = sealed if sealed is not None else {"full_name": SEALED_NAME, "date_of_birth": "2019-05-04"}
    when = issued_at or dt.datetime.now(dt.UTC).replace(microsecond=0)
    meta = copy_meta(
        seq,
        code=make_code("HN", kiosk, seq),
        kiosk_id=kiosk,
        doc_type=doc_type,
        issued_at=when,
        holder_masked_id=mask_id(HOLDER_ID),
    )
    names = {f.name for f in dataclasses.fields(meta)}
    extra = {"holder_name": requester, **({"fields": fields} if "fields" in names else {})}
    meta = dataclasses.replace(meta, **{k: v for k, v in extra.items() if k in names})
    page_list = [copy_page(seq * 10 + i, size=(1240, 1754), lines=12) for i in range(pages)]
    with load_seal_signer(kiosks.config, kiosks.data(kiosk)) as signer:
        copy = issue_certified_copy(page_list, meta, signer)
    body = record_body(
        meta.code,
        copy.pdf,
        kiosk=kiosk,
        pages=len_pages(copy.pdf),
        doc_type=doc_type,
        holder_name=requester,
        fields=dict(fields),
        created_at=when.isoformat(),
        holder_id=HOLDER_ID,
        **record,
    )
    answer = office.upload(body, kiosk)
    assert answer.status_code == 201, answer.text
    return meta.code


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


class CookieClient(httpx.Client):
    """Keeps the session cookie although the test talks plain HTTP to 127.0.0.1 (the cookie is Secure: a
    browser behind the city's TLS proxy sends it, and Chromium does on loopback; httpx's jar would not)."""

    def __init__(self, base_url: str) -> None:
        self.kept: dict[str, str] = {}
        super().__init__(
            base_url=base_url, timeout=120, event_hooks={"request": [self._send], "response": [self._keep]}
        )

    def _send(self, request: httpx.Request) -> None:
        if self.kept:
            request.headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.kept.items())

    def _keep(self, response: httpx.Response) -> None:
        for header in response.headers.get_list("set-cookie"):
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0].strip('"')
            if value and "max-age=0" not in header.lower():
                self.kept[name] = value
            else:
                self.kept.pop(name, None)


def add_second_officer(office: BackOffice) -> str:
    """A second officer of the same ward, with a key of their own on the same token."""
    assert office.db is not None
    add_user(office.db, OFFICER_2, PASSWORD, "officer", OFFICER_2_NAME, ward=WARD)
    make_dev_officer_key(
        office.data,
        username=OFFICER_2,
        full_name=OFFICER_2_NAME,
        issuer_cert=office.kiosks.root_cert,
        issuer_key=office.kiosks.root_key,
        passphrase=office.kiosks.passphrase(),
        module=MODULE,
        token_label=OFFICER_TOKEN,
    )
    return OFFICER_2


@contextmanager
def officer_client(office: BackOffice, username: str = OFFICER) -> Iterator[httpx.Client]:
    """An HTTP client logged in through the real /login form."""
    with CookieClient(office.public_url) as client:
        page = client.get("/login")
        answer = client.post(
            "/login", data={"username": username, "password": PASSWORD, "csrf_token": csrf_of(page.text)}
        )
        assert answer.status_code == 303, answer.text[:300]
        yield client


def visible_text(html: str) -> str:
    """The words a person reads on the page: no tags, attributes, scripts or styles."""
    html = re.sub(r"(?is)<(script|style)[^>]*>.*?</\1>", " ", html)
    html = re.sub(r"(?s)<[^>]+>", " ", html)
    return " ".join(html.split())


def raw_keys(text: str) -> list[str]:
    """snake_case tokens in ``text``: a key that reached the page untranslated."""
    return sorted(set(SNAKE.findall(text)))


def phone_viewport(driver: Any) -> None:
    """A 390x844 phone screen (headless Chromium's window cannot be narrower than 500 px)."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True},
    )
