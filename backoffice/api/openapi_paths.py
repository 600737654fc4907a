"""The OpenAPI paths of the payment, staff-call and holder-check endpoints (merged into app.py's document,
so schemathesis fuzzes them with the rest). The gateway's notice (``POST /v1/payments/gateway/notify``) is
left out: it answers only a signed gateway, never a kiosk (see backoffice.services.payments)."""

from __future__ import annotations

from typing import Any

from backoffice.api.holder_check import HolderQuestion
from backoffice.services.payments import PaymentOpen
from backoffice.services.staff_calls import StaffCallOpen
from offline_sync.protocol import API_PREFIX


def kiosk_api_paths(components: dict[str, Any]) -> dict[str, Any]:
    """The paths; their request models are added to ``components``."""
    for model in (PaymentOpen, StaffCallOpen, HolderQuestion):
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
    }
