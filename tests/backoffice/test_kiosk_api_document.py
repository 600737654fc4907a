"""The kiosk API's OpenAPI document names every route the API serves (schemathesis fuzzes only what the
document names: tests/sync/test_fuzz.py), and what the issue-22 routes answer is what the document says.

The app is built as `kiosk-backend serve` wires it (backoffice.key_commands.ServeParts' route factories),
so a route added through a factory, as seal-certificate and copy facts were, is checked too."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from backoffice.api.kiosk_app import Endpoint, RouteFactory, build_app, openapi_document
from backoffice.api.kiosk_key_models import CopyFacts, SealCertificateIssued
from backoffice.api.openapi_paths import NOT_FOR_KIOSKS
from backoffice.key_commands import ServeParts
from backoffice.services.access_tokens import TokenBook
from backoffice.services.kiosk_keys import KioskKeys
from backoffice.storage.db import BackendDB
from tests.backoffice.helpers import Kiosks
from tests.backoffice.online_city import BIRTH_FIELDS, OnlineCity
from tests.backoffice.test_kiosk_keys import csr_for
from tests.sync.helpers import Pki

Operation = tuple[str, str]  # (path, lower-case method)


def served(app: Starlette) -> set[Operation]:
    return {
        (route.path, method.lower())
        for route in app.routes
        if isinstance(route, Route)
        for method in (route.methods or ())
        if method != "HEAD"  # Starlette adds HEAD to every GET
    }


def documented(document: dict[str, Any]) -> set[Operation]:
    return {(path, method) for path, operations in document["paths"].items() for method in operations}


def undocumented(app: Starlette, document: dict[str, Any]) -> set[Operation]:
    return served(app) - documented(document) - set(NOT_FOR_KIOSKS)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[BackendDB]:
    database = BackendDB(str(tmp_path / "backend.sqlite3"), tmp_path / "blobs")
    yield database
    database.close()


def served_app(db: BackendDB, *more: RouteFactory) -> Starlette:
    parts = ServeParts(KioskKeys(db), TokenBook(db), None)  # the issuer changes no route
    return build_app(db, route_factories=[*parts.route_factories(), *more])


def test_every_route_of_the_kiosk_api_is_in_its_document_and_nothing_more(db: BackendDB) -> None:
    app, document = served_app(db), openapi_document()
    assert undocumented(app, document) == set()
    assert documented(document) - served(app) == set()  # no path documented that nothing serves
    # The issue-22 routes came in through a route factory: the comparison sees them.
    assert {("/v1/seal-certificate", "post"), ("/v1/copies/{code}/facts", "get")} <= served(app)
    # The one route left out on purpose is still served (the exception is not stale) and says why.
    assert set(NOT_FOR_KIOSKS) <= served(app)
    assert list(NOT_FOR_KIOSKS) == [("/v1/payments/gateway/notify", "post")]


def test_a_route_missing_from_the_document_is_named(db: BackendDB) -> None:
    async def hidden(request: Request) -> Response:
        return JSONResponse({})

    def factory(guarded: Callable[[Endpoint], Endpoint]) -> Sequence[Route]:
        return [
            Route("/v1/not-in-the-document", guarded(hidden), methods=["GET"]),
            Route("/v1/seal-certificate", guarded(hidden), methods=["DELETE"]),  # a known path, a new method
        ]

    app = served_app(db, factory)
    assert undocumented(app, openapi_document()) == {
        ("/v1/not-in-the-document", "get"),
        ("/v1/seal-certificate", "delete"),
    }


def test_the_issue_22_bodies_are_in_the_document() -> None:
    document = openapi_document()
    renew = document["paths"]["/v1/seal-certificate"]["post"]
    schemas = document["components"]["schemas"]
    request_ref = renew["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert schemas[request_ref.rsplit("/", 1)[1]]["required"] == ["csr"]
    assert "200" not in renew["responses"] and "SealCertificateIssued" in str(renew["responses"]["201"])
    facts = document["paths"]["/v1/copies/{code}/facts"]["get"]
    assert "CopyFacts" in str(facts["responses"]["200"]) and "Error" in str(facts["responses"]["404"])
    assert set(schemas["CopyFacts"]["properties"]) == set(CopyFacts.model_fields)


@pytest.fixture
def city(pki: Pki, kiosks: Kiosks, tmp_path: Path) -> Iterator[OnlineCity]:
    office = OnlineCity(pki, kiosks, tmp_path / "backend").start()
    yield office
    office.stop()


def test_what_the_issue_22_routes_answer_matches_the_document(city: OnlineCity) -> None:
    """The models the document is built from read the real answers (extra keys refused), over mTLS."""
    copy = city.issue_copy("HN-001")
    # The record's fields are the sealed ones (ingest holds a record to its seal).
    stored = city.upload_issued(copy, fields=dict(BIRTH_FIELDS))
    assert stored.status_code == 201, stored.text
    with city.kiosk("HN-002") as client:  # any kiosk may ask a copy's facts: a citizen checks it anywhere
        facts = client.get(f"/v1/copies/{copy.code}/facts")
        renewed = client.post(
            "/v1/seal-certificate", json={"csr": csr_for(ec.generate_private_key(ec.SECP256R1()))}
        )
        blank = client.post("/v1/seal-certificate", json={"csr": "   "})
        extra = client.post("/v1/seal-certificate", json={"csr": 7})
    assert facts.status_code == 200, facts.text
    read = CopyFacts.model_validate(facts.json())
    assert (read.code, read.kiosk_id, read.status) == (copy.code, "HN-001", "issued")
    assert renewed.status_code == 201, renewed.text
    assert "BEGIN CERTIFICATE" in SealCertificateIssued.model_validate(renewed.json()).certificate
    for refused in (blank, extra):
        assert refused.status_code == 400 and refused.json()["error"] == 'expected a JSON object {"csr": PEM}'


def test_an_unknown_path_or_method_answers_a_json_problem(city: OnlineCity) -> None:
    with city.kiosk("HN-001") as client:
        unknown = client.get("/v1/no-such-thing")
        wrong_method = client.delete("/v1/seal-certificate")
        slash_in_code = client.get("/v1/copies/a%2Fb/facts/more")
    for answer, status in ((unknown, 404), (wrong_method, 405), (slash_in_code, 404)):
        assert answer.status_code == status
        assert answer.headers["content-type"] == "application/json"
        assert isinstance(answer.json()["error"], str) and answer.json()["error"]
    assert "POST" in wrong_method.headers["allow"]
