"""The OpenAPI paths of the payment, staff-call, holder-check, seal-certificate and copy-facts endpoints, and
of the document itself (merged into kiosk_app.py's document, so schemathesis fuzzes them with the rest).
The gateway's notice (``POST /v1/payments/gateway/notify``) is left out: it answers only a signed gateway,
never a kiosk (see backoffice.services.payments). ``NOT_FOR_KIOSKS`` names it, and
tests/backoffice/test_kiosk_api_document.py fails on any other route the kiosk API serves undocumented."""

from __future__ import annotations

from typing import Any

from backoffice.api.holder_check import HolderQuestion
from backoffice.api.kiosk_key_models import CopyFacts, SealCertificateIssued, SealCertificateRequest
from backoffice.services.payments import PaymentOpen
from backoffice.services.staff_calls import StaffCallOpen
from offline_sync.protocol import API_PREFIX

# Routes the kiosk API serves that its document leaves out on purpose: (path, method) -> why.
NOT_FOR_KIOSKS = {
    (f"{API_PREFIX}/payments/gateway/notify", "post"): "the payment gateway's signed notice, never a kiosk's",
}


def kiosk_api_paths(components: dict[str, Any]) -> dict[str, Any]:
    """The paths; their request models are added to ``components``."""
    for model in (
        PaymentOpen,
        StaffCallOpen,
        HolderQuestion,
        SealCertificateRequest,
        SealCertificateIssued,
        CopyFacts,
    ):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(schema.pop("$defs", {}))
        components[model.__name__] = schema

    def body(name: str) -> dict[str, Any]:
        return {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
        }

    def answers(*codes: str) -> dict[str, Any]:
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        out: dict[str, Any] = {"200": {"description": "done"}}
        for code in codes:
            out[code] = {"description": "refused", "content": error}
        return out

    def answer(description: str, name: str) -> dict[str, Any]:
        return {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
        }

    def path_param(name: str) -> dict[str, Any]:
        return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}

    common = ("400", "401", "404", "413", "503")
    return {
        f"{API_PREFIX}/payments": {
            "post": {
                "summary": "Open a payment of the kiosk fee (idempotent by reference)",
                "requestBody": body("PaymentOpen"),
                "responses": {"201": {"description": "opened"}, **answers("409", *common)},
            }
        },
        f"{API_PREFIX}/payments/{{reference}}": {
            "get": {
                "summary": "A payment of this kiosk: pending, paid, cash_at_counter or cancelled",
                "parameters": [path_param("reference")],
                "responses": answers(*common),
            }
        },
        f"{API_PREFIX}/payments/{{reference}}/cash": {
            "post": {
                "summary": "The citizen pays at the counter",
                "parameters": [path_param("reference")],
                "responses": answers("409", *common),
            }
        },
        f"{API_PREFIX}/payments/{{reference}}/cancel": {
            "post": {
                "summary": "Cancel an unpaid payment",
                "parameters": [path_param("reference")],
                "responses": answers("409", *common),
            }
        },
        f"{API_PREFIX}/staff-calls": {
            "post": {
                "summary": "A kiosk calls staff (idempotent by call_id)",
                "requestBody": body("StaffCallOpen"),
                "responses": {"201": {"description": "raised"}, **answers("409", *common)},
            },
            "get": {
                "summary": "Staff calls, newest first (the operations view)",
                "parameters": [
                    {"name": "status", "in": "query", "required": False, "schema": {"type": "string"}}
                ],
                "responses": answers(*common),
            },
        },
        f"{API_PREFIX}/staff-calls/{{call_id}}/cancel": {
            "post": {
                "summary": "The citizen no longer needs help",
                "parameters": [path_param("call_id")],
                "responses": answers(*common),
            }
        },
        f"{API_PREFIX}/staff-calls/{{call_id}}/answer": {
            "post": {
                "summary": "A staff member is there",
                "parameters": [path_param("call_id")],
                "responses": answers(*common),
            }
        },
        f"{API_PREFIX}/records/{{code}}/holder-check": {
            "post": {
                "summary": "Is this ID number the holder of the kiosk's copy? (reprint after retention)",
                "parameters": [path_param("code")],
                "requestBody": body("HolderQuestion"),
                "responses": answers(*common),
            }
        },
        # Issue 22 (backoffice.api.kiosk_keys_api): seal certificate renewal, a copy's public facts.
        f"{API_PREFIX}/seal-certificate": {
            "post": {
                "summary": "Renew the kiosk's seal certificate from a CSR signed by its seal key",
                "requestBody": body("SealCertificateRequest"),
                "responses": {  # 201, never 200
                    **{
                        status: a
                        for status, a in answers("400", "401", "413", "503").items()
                        if status != "200"
                    },
                    "201": answer("the new seal certificate", "SealCertificateIssued"),
                },
            }
        },
        f"{API_PREFIX}/copies/{{code}}/facts": {
            "get": {
                "summary": "What a verifier compares with a copy's QR: kiosk, issue time, pages, seal, status",
                "parameters": [path_param("code")],
                "responses": {**answers(*common), "200": answer("the copy's facts", "CopyFacts")},
            }
        },
        "/openapi.json": {
            "get": {"summary": "This document", "responses": {"200": {"description": "the OpenAPI document"}}}
        },
    }
