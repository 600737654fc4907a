"""A schemathesis check, loaded by tests/sync/test_fuzz.py through SCHEMATHESIS_HOOKS: every refusal of the
kiosk API (4xx) is a JSON problem, an object with a non-empty ``error`` string, whatever was fuzzed (an
unknown path or method included). Not a test module: pytest does not collect it (no test_ prefix)."""

from __future__ import annotations

import json
from typing import Any

import schemathesis


@schemathesis.check
def client_error_is_a_json_problem(ctx: Any, response: Any, case: Any) -> bool | None:
    if not 400 <= response.status_code < 500:
        return None
    media = (response.headers.get("content-type") or [""])[0].split(";")[0].strip()
    if media != "application/json":
        raise AssertionError(f"{response.status_code} answered as {media or 'no content type'}, not JSON")
    try:
        body = json.loads(response.content)
    except ValueError:
        raise AssertionError(f"{response.status_code} answered with a body that is not JSON") from None
    if not (isinstance(body, dict) and isinstance(body.get("error"), str) and body["error"]):
        raise AssertionError(f'{response.status_code} answered without an "error" message: {body!r:.200}')
    return None
